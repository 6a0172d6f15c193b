// Part of PerfOrch's C++ driver, written into the build as perforch_driver_render.hpp: type
// traits, the canonical text of values (equal values give equal text) and their rough size.
// Not a header of its own: perforch_driver.hpp includes it inside its include guard, after
// the standard headers and the names it declares first.

namespace perforch {

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

}  // namespace perforch
