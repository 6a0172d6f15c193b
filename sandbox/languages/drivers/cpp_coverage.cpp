// The C++ driver's `coverage` mode (written into the coverage build as perforch_coverage.hpp,
// included right after perforch_driver.hpp). Only the coverage build (g++ --coverage -O0, see
// cpp.coverage_program) has it: the build the timing modes use stays uninstrumented.
//
// Runs each case once with the counters reset just before (so static initialisers and the
// inputs' own construction do not count), writes the .gcda files, runs gcov on them inside the
// same sandbox, and prints {"lines": [...], "executable": [...]}: the lines of SOURCE that ran,
// and those that hold code at all (gcov's '-' lines hold none).
#ifndef PERFORCH_COVERAGE_HPP
#define PERFORCH_COVERAGE_HPP

#include <dirent.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>

extern "C" void __gcov_reset(void);
extern "C" void __gcov_dump(void);
extern char** environ;

namespace perforch {

// gcov's text output (-t): each source starts with "-:    0:Source:NAME"; then one line per
// source line, "COUNT:LINE:text", where COUNT is '-' (no code), '#####' or '=====' (never run),
// or a number, '*' marking a partly run line. Template instances repeat their lines in blocks
// of the same form, with counts that never exceed the line's total, so a union is exact.
inline void read_gcov(const std::string& text, const std::string& source, std::set<long>& ran,
                      std::set<long>& code) {
  bool inside = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    std::string_view count = line.substr(0, first);
    while (!count.empty() && count.front() == ' ') count.remove_prefix(1);
    const long number = std::strtol(std::string(line.substr(first + 1)).c_str(), nullptr, 10);
    if (number == 0) {
      const std::string_view rest = line.substr(second + 1);
      if (rest.substr(0, 7) == "Source:") {
        const std::string_view name = rest.substr(7);
        inside = name == source ||
                 (name.size() > source.size() && name[name.size() - source.size() - 1] == '/' &&
                  name.substr(name.size() - source.size()) == source);
      }
      continue;
    }
    if (!inside || count.empty() || count == "-") continue;
    code.insert(number);
    if (count.front() >= '1' && count.front() <= '9') ran.insert(number);
  }
}

// gcov's standard output for every .gcno in the working directory (the build's one translation
// unit; found by listing, since g++ versions name it differently), or false.
inline bool run_gcov(const char* gcov, std::string& out) {
  std::vector<std::string> args = {gcov, "-t", "-r"};
  if (DIR* dir = opendir(".")) {
    while (const dirent* entry = readdir(dir)) {
      const std::string file = entry->d_name;
      if (file.size() > 5 && file.compare(file.size() - 5, 5, ".gcno") == 0) args.push_back(file);
    }
    closedir(dir);
  }
  if (args.size() == 3) {
    std::fprintf(stderr, "perforch: no .gcno file next to the coverage build\n");
    return false;
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, gcov, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    std::fprintf(stderr, "perforch: cannot run %s: %s\n", gcov, std::strerror(spawned));
    return false;
  }
  char buffer[1 << 16];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (n > 0) out.append(buffer, static_cast<std::size_t>(n));
    else if (errno != EINTR) break;
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "perforch: %s failed (status %d)\n", gcov, status);
    return false;
  }
  return true;
}

template <class Target, class Inputs>
int coverage(Inputs inputs, const char* gcov, const std::string& source) {
  std::vector<std::unique_ptr<CaseBase>> cases;
  Recorder<Target> recorder(&cases);
  try {
    inputs(recorder);
  } catch (...) {
    std::fprintf(stderr, "perforch: perforch_inputs in inputs.cpp threw %s\n",
                 describe_current_exception().c_str());
    return 3;
  }
  if (cases.empty()) {
    std::fprintf(stderr, "perforch: perforch_inputs in inputs.cpp made no call(...): no cases\n");
    return 3;
  }
  __gcov_reset();
  for (auto& c : cases) c->timed(1);  // each case once; a throwing call counts as it ran
  __gcov_dump();
  std::string report;
  if (!run_gcov(gcov, report)) return 4;
  std::set<long> ran, code;
  read_gcov(report, source, ran, code);
  if (code.empty()) {
    std::fprintf(stderr, "perforch: gcov reported no code lines for %s\n", source.c_str());
    return 4;
  }
  std::string line = "{\"lines\": [";
  for (long n : ran) line += (line.back() == '[' ? "" : ", ") + std::to_string(n);
  line += "], \"executable\": [";
  for (long n : code) line += (line.back() == '[' ? "" : ", ") + std::to_string(n);
  emit(line + "]}");
  return 0;
}

}  // namespace perforch

#endif  // PERFORCH_COVERAGE_HPP
