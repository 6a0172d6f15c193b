"""C++ extraction: templates, out-of-class definitions, namespaces, operators, constructors,
destructors; declarations without bodies are not functions."""

from __future__ import annotations

from perforch_bot.targets import find_function, parse_spec
from tests.perforch_bot.targets.support import by_name, extract_text, text_of

SOURCE = """\
#include <string>
#include "local.h"
using namespace std;
namespace geo = geometry;

namespace shapes {
namespace detail { inline int clamp(int v) { return v < 0 ? 0 : v; } }

/// A 2D vector.
template <typename T>
class Vec : public Base<T> {
public:
    Vec() : x_(0), y_(0) {}
    Vec(T x, T y) : x_(x), y_(y) {}
    ~Vec() {}
    Vec(const Vec&) = default;
    virtual T norm() const = 0;
    T dot(const Vec& other) const;
    Vec operator+(const Vec& o) const { return Vec(x_ + o.x_, y_ + o.y_); }
    bool operator==(const Vec& o) const { return x_ == o.x_; }
    T& operator[](int i) { return i ? y_ : x_; }
    explicit operator bool() const { return x_ != 0; }
    [[nodiscard]] static Vec zero() { return Vec(); }
    struct Iter { int pos() const { return 0; } };
private:
    T x_, y_;
};

// Dot product, defined out of class.
template <typename T>
T Vec<T>::dot(const Vec& other) const {
    auto twice = [](int a) { return a * 2; };
    return x_ * other.x_ + y_ * other.y_;
}

int area(int w, int h);
int area(int w, int h) { return w * h; }
double area(double r) { return 3.14 * r * r; }
}  // namespace shapes

namespace a::b { void nested() {} }

std::ostream& operator<<(std::ostream& os, const shapes::Vec<int>& v) { return os; }

int shapes::Registry::count(const std::string& name, int* out, int values[]) noexcept {
    return 0;
}

extern "C" { int c_entry(void) { return 1; } }

static const char* raw() { return R"(
  keep
)"; }
"""


def test_finds_definitions_not_declarations() -> None:
    extracted = extract_text("vec.hpp", SOURCE)
    names = [f.qualified_name for f in extracted.functions]
    assert sorted(set(names)) == sorted(
        {
            "shapes::detail::clamp",
            "shapes::Vec::Vec",
            "shapes::Vec::~Vec",
            "shapes::Vec::operator+",
            "shapes::Vec::operator==",
            "shapes::Vec::operator[]",
            "shapes::Vec::operator bool",
            "shapes::Vec::zero",
            "shapes::Vec::Iter::pos",
            "shapes::Vec::dot",
            "shapes::area",
            "a::b::nested",
            "operator<<",
            "shapes::Registry::count",
            "c_entry",
            "raw",
        }
    )
    assert names.count("shapes::Vec::Vec") == 2  # the defaulted copy constructor has no body
    assert names.count("shapes::area") == 2  # the prototype is not a definition
    assert "shapes::Vec::norm" not in names


def test_kinds() -> None:
    functions = by_name(extract_text("vec.hpp", SOURCE))
    assert functions["shapes::Vec::~Vec"].kind == "destructor"
    assert functions["shapes::Vec::Vec"].kind == "constructor"
    assert functions["shapes::Vec::operator[]"].kind == "operator"
    assert functions["shapes::Vec::operator bool"].kind == "operator"
    assert functions["operator<<"].kind == "operator"
    assert functions["shapes::Vec::dot"].kind == "method"
    assert functions["shapes::Registry::count"].kind == "method"
    assert functions["shapes::detail::clamp"].kind == "function"


def test_template_out_of_class_definition() -> None:
    functions = by_name(extract_text("vec.hpp", SOURCE))
    dot = functions["shapes::Vec::dot"]
    assert text_of(SOURCE, dot.span).startswith(
        "// Dot product, defined out of class.\ntemplate <typename T>\nT Vec<T>::dot("
    )
    assert text_of(SOURCE, dot.declaration_span).startswith("template <typename T>")
    assert text_of(SOURCE, dot.span).endswith("return x_ * other.x_ + y_ * other.y_;\n}")
    assert dot.signature.return_type == "T"
    assert dot.signature.parameter_types == ("const Vec&",)
    # the class is in this file: its header is the context of the out-of-class method
    assert dot.enclosing_type == "template <typename T>\nclass Vec : public Base<T>"


def test_overloads_and_parameter_types() -> None:
    extracted = extract_text("vec.hpp", SOURCE)
    specs = sorted(f.spec for f in extracted.functions if f.qualified_name == "shapes::area")
    assert specs == ["vec.hpp::shapes::area(double)", "vec.hpp::shapes::area(int, int)"]
    one = find_function(extracted, parse_spec("vec.hpp::area(double)"))
    assert one.signature.return_type == "double"
    count = by_name(extracted)["shapes::Registry::count"]
    assert count.signature.parameter_types == ("const std::string&", "int*", "int[]")
    assert [p.name for p in count.signature.parameters] == ["name", "out", "values"]
    assert by_name(extracted)["c_entry"].signature.parameters == ()
    assert by_name(extracted)["operator<<"].signature.return_type == "std::ostream&"


def test_operator_call_spec_and_attributes() -> None:
    extracted = extract_text("vec.hpp", SOURCE)
    index = find_function(extracted, parse_spec("vec.hpp::shapes::Vec::operator[](int)"))
    assert index.signature.return_type == "T&"
    zero = by_name(extracted)["shapes::Vec::zero"]
    assert text_of(SOURCE, zero.declaration_span).startswith("[[nodiscard]] static Vec zero()")
    assert zero.signature.text == "static Vec zero()"


def test_context() -> None:
    extracted = extract_text("vec.hpp", SOURCE)
    assert extracted.imports == (
        "#include <string>",
        '#include "local.h"',
        "using namespace std;",
        "namespace geo = geometry;",
    )
    functions = by_name(extracted)
    assert functions["shapes::Vec::Iter::pos"].enclosing_type == "struct Iter"
    assert functions["shapes::detail::clamp"].enclosing_type is None
    assert "keep" in functions["raw"].text
