// Part of PerfOrch's C++ driver, written into the build as perforch_driver_calls.hpp: JSON
// lines on stdout, the target's signature, and the cases that call it.
// Not a header of its own: perforch_driver.hpp includes it inside its include guard, after
// the standard headers and the names it declares first.

namespace perforch {

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

}  // namespace perforch
