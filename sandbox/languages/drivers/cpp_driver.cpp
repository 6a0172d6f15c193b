// PerfOrch's C++ driver (written into the build as perforch_driver.hpp): it speaks the driver
// protocol in sandbox/languages/_protocol.py. The generated perforch_main.cpp includes this
// first, then target.cpp and inputs.cpp, then names the target function and calls
// perforch::run. Everything here is a template or inline and fully qualified, so it is parsed
// before any macro or `using namespace` the code under test brings. Its two parts,
// perforch_driver_render.hpp and perforch_driver_calls.hpp, are included in the middle.
#ifndef PERFORCH_DRIVER_HPP
#define PERFORCH_DRIVER_HPP

#include <cxxabi.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace perforch {

constexpr std::int64_t kMinSampleNs = 10'000'000;
// Argument copies prepared ahead of one timed chunk: at most this many calls and bytes.
constexpr std::size_t kChunkCalls = 4096;
constexpr std::size_t kChunkBytes = std::size_t{64} << 20;

template <class...> inline constexpr bool always_false = false;
struct Empty {};
template <class... T> struct type_list {};
struct missing_inputs {};

// ---------------------------------------------------------------------------------------------
// A deterministic PRNG for inputs files (splitmix64): the same numbers on every platform, which
// std::uniform_*_distribution does not promise.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // A uniform integer in [lo, hi] (both included).
  long long integer(long long lo, long long hi) {
    const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    return span == 0 ? static_cast<long long>(next())
                     : static_cast<long long>(static_cast<std::uint64_t>(lo) + next() % span);
  }
  // A uniform real in [lo, hi).
  double real(double lo = 0.0, double hi = 1.0) {
    return lo + (hi - lo) * (static_cast<double>(next() >> 11) * 0x1.0p-53);
  }
  template <class T = int>
  std::vector<T> integers(std::size_t n, long long lo, long long hi) {
    std::vector<T> out(n);
    for (auto& x : out) x = static_cast<T>(integer(lo, hi));
    return out;
  }
  template <class T = double>
  std::vector<T> reals(std::size_t n, double lo = 0.0, double hi = 1.0) {
    std::vector<T> out(n);
    for (auto& x : out) x = static_cast<T>(real(lo, hi));
    return out;
  }
  std::string string(std::size_t n, std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz") {
    std::string out(n, ' ');
    for (auto& c : out) c = alphabet[static_cast<std::size_t>(next() % alphabet.size())];
    return out;
  }

 private:
  std::uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// Sinks: the compiler must assume the escaped memory is read, so no call can be removed.
inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace perforch

#include "perforch_driver_render.hpp"
#include "perforch_driver_calls.hpp"

namespace perforch {

// n passes over all cases, case by case in chunks; only the calls are timed.
inline std::int64_t timed_passes(std::vector<std::unique_ptr<CaseBase>>& cases,
                                 std::uint64_t passes) {
  std::int64_t total = 0;
  for (auto& c : cases) total += c->timed(passes);
  return total;
}

// The number of passes that makes a sample last 1.2 x kMinSampleNs. Near the threshold the
// fastest of three tries counts (a first, cold or preempted try overstates the time, and the
// samples after warm-up would then come out shorter than 10 ms); a clearly long try is enough.
// The count that first clears the minimum is scaled to the target, down as well as up:
// doubling past a try just under the minimum overshoots by up to 2x, and every sample pays.
inline std::uint64_t calibrate(std::vector<std::unique_ptr<CaseBase>>& cases) {
  std::uint64_t iterations = 1;
  while (true) {
    std::int64_t elapsed = timed_passes(cases, iterations);
    for (int retry = 0; retry < 2 && elapsed >= kMinSampleNs && elapsed < 10 * kMinSampleNs;
         ++retry) {
      elapsed = std::min(elapsed, timed_passes(cases, iterations));
    }
    if (elapsed >= kMinSampleNs) {
      const double scaled = std::ceil(static_cast<double>(iterations) * 1.2 *
                                      static_cast<double>(kMinSampleNs) /
                                      static_cast<double>(elapsed));
      return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(scaled));
    }
    const double wanted = static_cast<double>(kMinSampleNs) /
                          static_cast<double>(std::max<std::int64_t>(elapsed, 1)) * 1.2;
    const double grown = std::ceil(static_cast<double>(iterations) * std::min(100.0, wanted));
    iterations = std::max(iterations * 2, static_cast<std::uint64_t>(grown));
  }
}

// At least one round, then rounds until warmup_ms has passed. A round under the minimum (the
// count was calibrated under load, or in another process) raises the count to 1.2x the minimum
// and warm-up goes on; the count returned is the one the samples use. A raised count must
// clear 1.1x in the faster of two rounds: it was scaled from a round that may not represent
// the rest, and one preempted round could pass for long enough.
inline std::uint64_t warm_up(std::vector<std::unique_ptr<CaseBase>>& cases,
                             std::uint64_t iterations, std::uint64_t warmup_ms) {
  const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(warmup_ms) * 1'000'000;
  std::int64_t least = kMinSampleNs;
  int rounds = 1;
  while (true) {
    std::int64_t elapsed = timed_passes(cases, iterations);
    for (int round = 1; round < rounds; ++round) {
      elapsed = std::min(elapsed, timed_passes(cases, iterations));
    }
    if (elapsed < least) {
      least = kMinSampleNs + kMinSampleNs / 10;
      rounds = 2;
      const double wanted = std::min(100.0, 1.2 * static_cast<double>(kMinSampleNs) /
                                                static_cast<double>(std::max<std::int64_t>(elapsed, 1)));
      const double raised = std::ceil(static_cast<double>(iterations) * wanted);
      iterations = std::max(iterations + 1, static_cast<std::uint64_t>(raised));
    } else if (now_ns() >= deadline) {
      return iterations;
    }
  }
}

inline bool parse_count(const char* text, std::uint64_t& out) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || text[0] == '-') return false;
  out = value;
  return true;
}

inline int bench(std::vector<std::unique_ptr<CaseBase>>& cases, int argc, char** argv) {
  std::uint64_t iterations = 0, samples = 0, warmup_ms = 0;
  if (argc != 5 || !parse_count(argv[2], iterations) || !parse_count(argv[3], samples) ||
      !parse_count(argv[4], warmup_ms)) {
    std::fprintf(stderr, "perforch: usage: %s bench ITERATIONS SAMPLES WARMUP_MS\n", argv[0]);
    return 2;
  }
  if (iterations == 0) {
    iterations = calibrate(cases);
    emit("{\"calibrated\": " + std::to_string(iterations) + "}");
  }
  iterations = warm_up(cases, iterations, warmup_ms);
  for (std::uint64_t i = 0; i < samples; ++i) {
    emit("{\"ns\": " + std::to_string(timed_passes(cases, iterations)) + "}");
  }
  emit_closing(iterations);
  return 0;
}

// `cases` mode: each case timed on its own (which inputs cost the most). One untimed call, then
// batches of calls on fresh copies (copied untimed, as in bench) until kCaseSampleNs of calls;
// each batch is sized from the time per call so far, so the total overshoots little.
constexpr std::int64_t kCaseSampleNs = 2'000'000;

inline int time_each(std::vector<std::unique_ptr<CaseBase>>& cases) {
  for (std::size_t i = 0; i < cases.size(); ++i) {
    cases[i]->timed(1);  // warm: caches, lazy initialisation; its time is not counted
    std::uint64_t calls = 0, batch = 1;
    std::int64_t elapsed = 0;
    while (elapsed < kCaseSampleNs) {
      elapsed += cases[i]->timed(batch);
      calls += batch;
      const double per_call =
          static_cast<double>(std::max<std::int64_t>(elapsed, 1)) / static_cast<double>(calls);
      const double wanted = std::ceil(static_cast<double>(kCaseSampleNs - elapsed) / per_call);
      batch = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::max(wanted, 1.0)), 1,
                                        batch * 2);
    }
    char line[96];
    std::snprintf(line, sizeof line, "{\"case\": %zu, \"ns_per_call\": %.3f}", i,
                  static_cast<double>(elapsed) / static_cast<double>(calls));
    emit(line);
  }
  return 0;
}

template <class Target, class Inputs> int run(int argc, char** argv, Inputs inputs) {
  reset_peak_rss();
  std::vector<std::unique_ptr<CaseBase>> cases;
  Recorder<Target> recorder(&cases);
  if constexpr (std::is_same_v<decltype(inputs(recorder)), missing_inputs>) {
    static_assert(always_false<Target>,
                  "perforch: inputs.cpp must define `template <class Call> void "
                  "perforch_inputs(Call&& call) { call(arguments...); ... }`, calling call(...) "
                  "once per case");
    return 3;
  } else {
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
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "outputs") {
      for (std::size_t i = 0; i < cases.size(); ++i) cases[i]->output(i);
      emit_closing(1);
      return 0;
    }
    if (mode == "bench") return bench(cases, argc, argv);
    if (mode == "cases") return time_each(cases);
    std::fprintf(stderr, "perforch: unknown driver mode '%s' (outputs, bench or cases)\n",
                 mode.c_str());
    return 2;
  }
}

}  // namespace perforch

#endif  // PERFORCH_DRIVER_HPP