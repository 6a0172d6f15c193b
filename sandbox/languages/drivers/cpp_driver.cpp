// PerfOrch's C++ driver (written into the build as perforch_driver.hpp): it speaks the driver
// protocol in sandbox/languages/_protocol.py. The generated perforch_main.cpp includes this
// first, then target.cpp and inputs.cpp, then names the target function and calls
// perforch::run. Everything here is a template or inline and fully qualified, so it is parsed
// before any macro or `using namespace` the code under test brings.
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

// ---------------------------------------------------------------------------------------------
// Type traits for rendering.
template <class T, class = void> struct is_iterable : std::false_type {};
template <class T>
struct is_iterable<T, std::void_t<decltype(std::begin(std::declval<const T&>()) !=
                                           std::end(std::declval<const T&>()))>>
    : std::true_type {};
template <class T, class = void> struct has_key_type : std::false_type {};
template <class T> struct has_key_type<T, std::void_t<typename T::key_type>> : std::true_type {};
template <class T, class = void> struct has_mapped_type : std::false_type {};
template <class T>
struct has_mapped_type<T, std::void_t<typename T::mapped_type>> : std::true_type {};
template <class T, class = void> struct has_hasher : std::false_type {};
template <class T> struct has_hasher<T, std::void_t<typename T::hasher>> : std::true_type {};
template <class T, class = void> struct is_tuple_like : std::false_type {};
template <class T>
struct is_tuple_like<T, std::void_t<decltype(std::tuple_size<T>::value)>> : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T, class = void> struct is_smart_pointer : std::false_type {};
template <class T>
struct is_smart_pointer<T, std::void_t<typename T::element_type,
                                       decltype(std::declval<const T&>().get()),
                                       decltype(*std::declval<const T&>())>> : std::true_type {};
template <class T, class = void> struct is_complex_like : std::false_type {};
template <class T>
struct is_complex_like<T, std::void_t<typename T::value_type,
                                      decltype(std::declval<const T&>().real()),
                                      decltype(std::declval<const T&>().imag())>>
    : std::true_type {};
template <class T, class = void> struct has_ostream : std::false_type {};
template <class T>
struct has_ostream<
    T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};
template <class T, class = void> struct is_adapter : std::false_type {};
template <class T>
struct is_adapter<T, std::void_t<typename T::container_type>> : std::true_type {};
template <class T, class = void> struct has_value_compare : std::false_type {};
template <class T>
struct has_value_compare<T, std::void_t<typename T::value_compare>> : std::true_type {};
template <class T, class = void> struct element_of {
  using type = std::decay_t<decltype(*std::begin(std::declval<const T&>()))>;
};
template <class T> struct element_of<T, std::void_t<typename T::value_type>> {
  using type = typename T::value_type;
};

inline std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                             std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// ---------------------------------------------------------------------------------------------
// Canonical text: equal values give equal text. Floats print the shortest text that reads back
// to the same value; unordered containers are sorted by their elements' text.
inline void render_char(std::string& out, unsigned char c, char quote) {
  switch (c) {
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\t': out += "\\t"; return;
    case '\r': out += "\\r"; return;
    case '\0': out += "\\0"; return;
    default: break;
  }
  if (c == static_cast<unsigned char>(quote)) {
    out += '\\';
    out += quote;
  } else if (c < 0x20 || c >= 0x7f) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
    out += buffer;
  } else {
    out += static_cast<char>(c);
  }
}

inline void render_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) render_char(out, static_cast<unsigned char>(c), '"');
  out += '"';
}

template <class F> void render_float(std::string& out, F value) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  char buffer[64];
  const auto done = std::to_chars(buffer, buffer + sizeof buffer, value);
  const std::string_view text(buffer, static_cast<std::size_t>(done.ptr - buffer));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

template <class T> void render(std::string& out, const T& value);

template <class T, std::size_t... I>
void render_tuple(std::string& out, const T& value, std::index_sequence<I...>) {
  out += '(';
  ((out += (I == 0 ? "" : ", "), render(out, std::get<I>(value))), ...);
  out += ')';
}

// Items of a container: each element's text, sorted when the container has no order of its own.
template <class T> void render_items(std::string& out, const T& value, char open, char close) {
  using Element = typename element_of<T>::type;
  constexpr bool is_map = has_key_type<T>::value && has_mapped_type<T>::value;
  std::vector<std::string> items;
  for (auto it = std::begin(value); it != std::end(value); ++it) {
    const Element& element = *it;
    std::string item;
    if constexpr (is_map) {
      render(item, element.first);
      item += ": ";
      render(item, element.second);
    } else {
      render(item, element);
    }
    items.push_back(std::move(item));
  }
  if constexpr (has_hasher<T>::value) std::sort(items.begin(), items.end());
  out += open;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  out += close;
}

template <class A> const typename A::container_type& underlying(const A& adapter) {
  struct Access : A {
    static const typename A::container_type& get(const A& a) { return a.*(&Access::c); }
  };
  return Access::get(adapter);
}

template <class T> void render(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char>) {
    out += '\'';
    render_char(out, static_cast<unsigned char>(value), '\'');
    out += '\'';
  } else if constexpr (std::is_integral_v<T>) {
    char buffer[32];
    if constexpr (sizeof(T) == 1) {
      out += std::to_string(static_cast<int>(value));
    } else {
      const auto done = std::to_chars(buffer, buffer + sizeof buffer, value);
      out.append(buffer, done.ptr);
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    render_float(out, value);
  } else if constexpr (std::is_enum_v<T>) {
    render(out, static_cast<std::underlying_type_t<T>>(value));
  } else if constexpr (std::is_null_pointer_v<T>) {
    out += "nullptr";
  } else if constexpr (std::is_pointer_v<T>) {
    using Pointee = std::remove_cv_t<std::remove_pointer_t<T>>;
    if (value == nullptr) {
      out += "nullptr";
    } else if constexpr (std::is_same_v<Pointee, char>) {
      render_string(out, value);
    } else {
      out += std::is_function_v<Pointee> ? "<function>" : "<pointer>";
    }
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    render_string(out, std::string_view(value));
  } else if constexpr (is_optional<T>::value) {
    if (value) {
      render(out, *value);
    } else {
      out += "nullopt";
    }
  } else if constexpr (is_smart_pointer<T>::value && !is_iterable<T>::value) {
    if (value.get() == nullptr) {
      out += "nullptr";
    } else {
      render(out, *value);
    }
  } else if constexpr (is_complex_like<T>::value) {
    out += '(';
    render(out, value.real());
    out += ", ";
    render(out, value.imag());
    out += ')';
  } else if constexpr (has_ostream<T>::value) {
    std::ostringstream stream;
    stream.precision(std::numeric_limits<double>::max_digits10);
    stream << value;
    out += stream.str();
  } else if constexpr (is_iterable<T>::value && has_key_type<T>::value) {
    render_items(out, value, '{', '}');
  } else if constexpr (is_iterable<T>::value) {
    render_items(out, value, '[', ']');
  } else if constexpr (is_tuple_like<T>::value) {
    render_tuple(out, value, std::make_index_sequence<std::tuple_size<T>::value>{});
  } else if constexpr (is_adapter<T>::value && has_value_compare<T>::value) {
    T copy = value;  // a priority queue shows its elements in the order they come out
    std::vector<typename T::value_type> items;
    for (; !copy.empty(); copy.pop()) items.push_back(copy.top());
    render(out, items);
  } else if constexpr (is_adapter<T>::value) {
    render(out, underlying(value));
  } else {
    static_assert(always_false<T>,
                  "perforch cannot render this type (see 'with T = ...' above): give it "
                  "`std::ostream& operator<<(std::ostream&, const T&)` in the type's namespace "
                  "(in target.cpp or inputs.cpp)");
  }
}

// Roughly how many bytes a value owns, to bound the argument copies one chunk prepares.
template <class T> std::size_t footprint(const T& value) {
  if constexpr (std::is_convertible_v<const T&, std::string_view> && std::is_class_v<T>) {
    return sizeof(T) + std::string_view(value).size();
  } else if constexpr (is_iterable<T>::value) {
    using Element = typename element_of<T>::type;
    std::size_t total = sizeof(T);
    if constexpr (std::is_arithmetic_v<Element>) {
      total += static_cast<std::size_t>(std::distance(std::begin(value), std::end(value))) *
               sizeof(Element);
    } else {
      for (auto it = std::begin(value); it != std::end(value); ++it) {
        const Element& element = *it;
        total += footprint(element) + 2 * sizeof(void*);
      }
    }
    return total;
  } else if constexpr (is_tuple_like<T>::value) {
    return std::apply(
        [](const auto&... parts) { return (std::size_t{0} + ... + footprint(parts)); }, value);
  } else if constexpr (is_optional<T>::value) {
    return sizeof(T) + (value ? footprint(*value) : 0);
  } else {
    return sizeof(T);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON lines on stdout.
inline void json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

inline void emit(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

inline std::string describe_current_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    return demangle(typeid(e).name()) + ": " + e.what();
  } catch (const char* text) {
    return std::string("const char*: ") + text;
  } catch (const std::string& text) {
    return "std::string: " + text;
  } catch (int number) {
    return "int: " + std::to_string(number);
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    return (type ? demangle(type->name()) : std::string("unknown")) + ": (not a std::exception)";
  }
}

inline void reset_peak_rss() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

inline void emit_closing(std::uint64_t iterations) {
  long long peak = -1;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      if (std::strncmp(line, "VmHWM:", 6) == 0) peak = std::atoll(line + 6);
    }
    std::fclose(f);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  if (peak < 0) peak = usage.ru_maxrss;
  const long long cpu_ns =
      (static_cast<long long>(usage.ru_utime.tv_sec) + usage.ru_stime.tv_sec) * 1'000'000'000LL +
      (static_cast<long long>(usage.ru_utime.tv_usec) + usage.ru_stime.tv_usec) * 1'000LL;
  emit("{\"peak_rss_kb\": " + std::to_string(peak) + ", \"cpu_ns\": " + std::to_string(cpu_ns) +
       ", \"iterations\": " + std::to_string(iterations) + "}");
}

// ---------------------------------------------------------------------------------------------
// The target's signature, when it names exactly one function (not an overload set/template).
template <class D, class F> constexpr F pick(F f) { return f; }

template <class F> struct signature {
  static constexpr bool known = false;
  static constexpr bool member = false;
  using object = Empty;
};
#define PERFORCH_FREE_SIGNATURE(QUALIFIERS)                 \
  template <class R, class... P> struct signature<R (*)(P...) QUALIFIERS> { \
    static constexpr bool known = true;                     \
    static constexpr bool member = false;                   \
    using object = void;                                    \
    using params = type_list<P...>;                         \
  };
#define PERFORCH_MEMBER_SIGNATURE(QUALIFIERS)                        \
  template <class R, class C, class... P> struct signature<R (C::*)(P...) QUALIFIERS> { \
    static constexpr bool known = true;                              \
    static constexpr bool member = true;                             \
    using object = C;                                                \
    using params = type_list<P...>;                                  \
  };
PERFORCH_FREE_SIGNATURE()
PERFORCH_FREE_SIGNATURE(noexcept)
PERFORCH_MEMBER_SIGNATURE()
PERFORCH_MEMBER_SIGNATURE(const)
PERFORCH_MEMBER_SIGNATURE(noexcept)
PERFORCH_MEMBER_SIGNATURE(const noexcept)
PERFORCH_MEMBER_SIGNATURE(&)
PERFORCH_MEMBER_SIGNATURE(const&)
#undef PERFORCH_FREE_SIGNATURE
#undef PERFORCH_MEMBER_SIGNATURE

template <class Target> using signature_of = signature<std::remove_cv_t<decltype(Target::pointer)>>;

// What a case stores for an argument: decayed, and views (string literals, string_view) own
// their text, since what they point at may not outlive perforch_inputs.
template <class A, class R = std::remove_cv_t<std::remove_reference_t<A>>>
using stored_t = std::conditional_t<
    (std::is_array_v<R> && std::is_same_v<std::remove_cv_t<std::remove_extent_t<R>>, char>) ||
        std::is_same_v<std::decay_t<A>, std::string_view>,
    std::string, std::decay_t<A>>;

// How a stored argument reaches parameter P: an lvalue for references (so mutation shows);
// a by-value parameter gets the fresh copy moved in when timing (the copy is the untimed part)
// and copied when recording outputs (so the arguments still show their value afterwards).
template <class P, bool Timing, class A> decltype(auto) pass(A& argument) {
  if constexpr (std::is_lvalue_reference_v<P>) {
    return (argument);
  } else if constexpr (std::is_rvalue_reference_v<P>) {
    return std::move(argument);
  } else if constexpr (Timing ? std::is_constructible_v<P, A&&> : !std::is_constructible_v<P, A&>) {
    return std::move(argument);
  } else {
    return (argument);
  }
}

struct CaseBase {
  virtual ~CaseBase() = default;
  virtual void output(std::size_t index) = 0;
  virtual std::int64_t timed(std::uint64_t calls) = 0;
};

// One call from the inputs file. Params are the target's parameter types when known (else
// Args&..., i.e. every argument passed as an lvalue).
template <class Target, bool Known, class Params, class... Args> class Case;
template <class Target, bool Known, class... P, class... Args>
class Case<Target, Known, type_list<P...>, Args...> final : public CaseBase {
  static constexpr bool kMember = [] {
    if constexpr (Known) {
      return signature_of<Target>::member;
    } else {
      return false;
    }
  }();
  using Object =
      typename std::conditional_t<kMember, signature_of<Target>, signature<Empty>>::object;

  struct Slot {
    Object object;
    std::tuple<Args...> args;
    explicit Slot(const std::tuple<Args...>& original) : object(), args(original) {}
  };

  template <bool Timing> static decltype(auto) invoke(Slot& slot) {
    return std::apply(
        [&slot](Args&... arguments) -> decltype(auto) {
          if constexpr (kMember) {
            return (slot.object.*Target::pointer)(pass<P, Timing>(arguments)...);
          } else {
            return Target::call(pass<P, Timing>(arguments)...);
          }
        },
        slot.args);
  }

  using Result = decltype(invoke<false>(std::declval<Slot&>()));
  using Kept = std::conditional_t<std::is_void_v<Result>, Empty,
                                  std::conditional_t<std::is_reference_v<Result>,
                                                     std::remove_reference_t<Result>*, Result>>;

 public:
  explicit Case(std::tuple<Args...> original) : original_(std::move(original)) {
    static_assert((std::is_copy_constructible_v<Args> && ...),
                  "perforch: every argument must be copyable: each call gets a fresh copy of "
                  "its case's arguments (see 'Args = ...' above)");
    static_assert(!kMember || std::is_default_constructible_v<Object>,
                  "perforch: the target is a non-static member function, so each call gets a "
                  "fresh default-constructed object; this class has no default constructor: "
                  "wrap the call in a free function and name that with --function");
    const std::size_t bytes = footprint(original_) + sizeof(Slot) + sizeof(Kept);
    chunk_ = std::clamp<std::size_t>(kChunkBytes / bytes, 1, kChunkCalls);
  }

  void output(std::size_t index) override {
    std::optional<Slot> slot;
    slot.emplace(original_);
    std::string line = "{\"case\": " + std::to_string(index) + ", ";
    std::string text;
    try {
      if constexpr (std::is_void_v<Result>) {
        invoke<false>(*slot);
        text = "void";
      } else {
        decltype(auto) result = invoke<false>(*slot);
        render(text, result);
      }
    } catch (...) {
      line += "\"error\": ";
      json_string(line, describe_current_exception());
      emit(line + "}");
      return;
    }
    line += "\"result\": ";
    json_string(line, text);
    text.clear();
    render(text, slot->args);
    line += ", \"args\": ";
    json_string(line, text);
    emit(line + "}");
  }

  std::int64_t timed(std::uint64_t calls) override {
    std::unique_ptr<std::optional<Slot>[]> slots(new std::optional<Slot>[chunk_]);
    std::unique_ptr<std::optional<Kept>[]> results(new std::optional<Kept>[chunk_]);
    std::int64_t total = 0;
    for (std::uint64_t done = 0; done < calls;) {
      const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_, calls - done));
      for (std::size_t i = 0; i < count; ++i) slots[i].emplace(original_);
      const std::int64_t start = now_ns();
      for (std::size_t i = 0; i < count; ++i) {
        Slot& slot = *slots[i];
        escape(&slot);
        try {
          if constexpr (std::is_void_v<Result>) {
            invoke<true>(slot);
          } else if constexpr (std::is_reference_v<Result>) {
            auto&& kept = invoke<true>(slot);
            results[i].emplace(std::addressof(kept));
          } else {
            results[i].emplace(invoke<true>(slot));
          }
        } catch (...) {  // a throwing call is timed as it is; its outputs record the exception
        }
        escape(&slot);
        escape(&results[i]);
      }
      total += now_ns() - start;
      for (std::size_t i = 0; i < count; ++i) {  // results die untimed, like the copies
        slots[i].reset();
        results[i].reset();
      }
      done += count;
    }
    return total;
  }

 private:
  std::tuple<Args...> original_;
  std::size_t chunk_ = 1;
};

template <class Target, class Args, class = void> struct callable_with : std::false_type {};
template <class Target, class... Args>
struct callable_with<Target, type_list<Args...>,
                     std::void_t<decltype(Target::call(std::declval<Args&>()...))>>
    : std::true_type {};

// `call` in perforch_inputs: records one case. Arguments are stored as given (decayed; string
// literals and string_views become std::string).
template <class Target> struct GenericCalls {
  std::vector<std::unique_ptr<CaseBase>>* cases;
  explicit GenericCalls(std::vector<std::unique_ptr<CaseBase>>* into) : cases(into) {}

  template <class... A> void operator()(A&&... arguments) const {
    static_assert(callable_with<Target, type_list<stored_t<A>...>>::value,
                  "perforch: the function named by --function cannot be called with the "
                  "arguments of this call(...) in inputs.cpp (see 'with A = ...' above); a "
                  "non-static member function must be a single non-template overload");
    cases->push_back(std::make_unique<Case<Target, false, type_list<stored_t<A>&...>,
                                           stored_t<A>...>>(
        std::tuple<stored_t<A>...>(std::forward<A>(arguments)...)));
  }
};

// With a known signature, `call` converts its arguments to the parameter types, so braced
// lists work: call({1, 2, 3}, 2). Other arities (default arguments) go the generic way.
template <class Target, class Params> struct KnownCalls;
template <class Target, class... P>
struct KnownCalls<Target, type_list<P...>> : GenericCalls<Target> {
  using GenericCalls<Target>::GenericCalls;
  using GenericCalls<Target>::cases;

  void operator()(stored_t<P>... arguments) const {
    cases->push_back(std::make_unique<Case<Target, true, type_list<P...>, stored_t<P>...>>(
        std::tuple<stored_t<P>...>(std::move(arguments)...)));
  }
  template <class... A, std::enable_if_t<sizeof...(A) != sizeof...(P), int> = 0>
  void operator()(A&&... arguments) const {
    GenericCalls<Target>::operator()(std::forward<A>(arguments)...);
  }
};

template <class Target, class = void> struct Recorder : GenericCalls<Target> {
  using GenericCalls<Target>::GenericCalls;
};
template <class Target>
struct Recorder<Target, std::enable_if_t<signature_of<Target>::known>>
    : KnownCalls<Target, typename signature_of<Target>::params> {
  using KnownCalls<Target, typename signature_of<Target>::params>::KnownCalls;
};

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
