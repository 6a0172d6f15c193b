"""Generated Java for the driver: ``PerforchCalls``, which calls the target's overloads with typed
arguments (direct calls, so the timing carries no reflection), and the inputs file placed in the
source's package. See drivers/java_driver.java and java_driver_cases.java for the other side of
this contract."""

from __future__ import annotations

import json

from sandbox.languages._java_source import PRIMITIVES, JavaMethod, JavaSource, parse

INPUTS_CLASS = "PerforchInputs"
INPUTS_FORM = (
    "the inputs file must declare `class PerforchInputs` with a method "
    "`static List<Object[]> cases()` (or `static Object[][] cases()`) returning one Object[] "
    "of arguments per call, e.g. `cases.add(new Object[] {List.of(1.0, 2.5), 0.3});`"
)
_BOXES = {
    "int": "Integer",
    "long": "Long",
    "double": "Double",
    "float": "Float",
    "short": "Short",
    "byte": "Byte",
    "char": "Character",
    "boolean": "Boolean",
}
_SINKS = {
    "boolean": "v ? 1 : 0",
    "double": "Double.doubleToRawLongBits(v)",
    "float": "Float.floatToRawIntBits(v)",
}


def package_line(source: JavaSource) -> str:
    return f"package {source.package}; " if source.package else ""


def prefix_first_line(text: str, prefix: str) -> str:
    """Declarations put in front of line 1, so javac's line numbers still match the file."""
    return prefix + text


def binary_name(source: JavaSource, method: JavaMethod) -> str:
    """The owner's name for Class.forName: ``pkg.Outer$Inner``."""
    nested = "$".join(method.owner.path)
    return f"{source.package}.{nested}" if source.package else nested


def prepare_inputs(inputs: str, source: JavaSource) -> str:
    """The inputs file ready to compile next to the source; ValueError says what is wrong."""
    parsed = parse(inputs)
    cases = [m for m in parsed.methods if m.owner.path == (INPUTS_CLASS,) and m.name == "cases"]
    # A file with a syntax error goes to javac, whose message beats a guess at what is missing.
    if parsed.error_line is None and INPUTS_CLASS not in parsed.types:
        raise ValueError(f"no class {INPUTS_CLASS} in the inputs file: {INPUTS_FORM}")
    if parsed.error_line is None and not any(m.static and not m.params for m in cases):
        raise ValueError(
            f"{INPUTS_CLASS} has no `static ... cases()` without parameters: {INPUTS_FORM}"
        )
    if parsed.package not in (None, source.package):
        raise ValueError(
            f"the inputs file is in package {parsed.package} but the source is in "
            f"{source.package or 'the unnamed package'}: use the source's package"
        )
    if parsed.package is not None:
        return inputs
    imports = (
        ""
        if parsed.imports
        else " ".join(dict.fromkeys([*source.imports, "import java.util.*;"])) + " "
    )
    return prefix_first_line(inputs, f"{package_line(source)}{imports}")


def _via_handle(method: JavaMethod) -> bool:
    """Private methods and methods of private classes are called through a constant
    MethodHandle (which the JIT inlines like a direct call)."""
    return method.private or method.hidden_types or any(c.private for c in method.owners)


def _call(method: JavaMethod, receiver: str) -> str:
    args = ", ".join(
        f"(({_BOXES[p.erasure]}) a[{i}]).{p.erasure}Value()"
        if p.erasure in PRIMITIVES
        else f"({p.erasure}) a[{i}]"
        for i, p in enumerate(method.params)
    )
    target = method.owner.name if method.static else f"(({method.owner.name}) {receiver})"
    return f"{target}.{method.name}({args})"


def _untimed_case(k: int, method: JavaMethod) -> str:
    if _via_handle(method):
        call = f"(Object) MH{k}.invokeExact(r, a)"
        if method.returns == "void":
            return f"case {k}: {{ Object v = {call}; return PerforchDriver.VOID; }}"
        return f"case {k}: return {call};"
    if method.returns == "void":
        return f"case {k}: {{ {_call(method, 'r')}; return PerforchDriver.VOID; }}"
    return f"case {k}: return {_call(method, 'r')};"


def _timed_case(k: int, method: JavaMethod) -> str:
    if _via_handle(method):
        return f"case {k}: keep[j] = (Object) MH{k}.invokeExact(r[j], a); break;"
    call = _call(method, "r[j]")
    if method.returns == "void":
        return f"case {k}: {call}; break;"
    if method.returns in PRIMITIVES:
        sink = _SINKS.get(method.returns, "v")
        return f"case {k}: {{ {method.returns} v = {call}; acc += {sink}; break; }}"
    return f"case {k}: keep[j] = {call}; break;"


def _strings(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(v) for v in values) + "}"


def calls_java(source: JavaSource, methods: list[JavaMethod], function: str) -> str:
    """PerforchCalls.java: what the driver needs to know about and call on the overloads."""
    header = package_line(source) + " ".join(source.imports)
    handles = [
        f"    static final java.lang.invoke.MethodHandle MH{k} = PerforchCases.handle({k});"
        for k, m in enumerate(methods)
        if _via_handle(m)
    ]
    parameters = ", ".join(_strings([p.simple for p in m.params]) for m in methods)
    untimed = "\n".join(f"            {_untimed_case(k, m)}" for k, m in enumerate(methods))
    timed = "\n".join(f"                    {_timed_case(k, m)}" for k, m in enumerate(methods))
    return f"""{header}
@SuppressWarnings({{"unchecked", "rawtypes"}})
final class PerforchCalls {{
    static final String TARGET = {json.dumps(function)};
    static final int OVERLOADS = {len(methods)};
    static final String[] OWNERS = {_strings([binary_name(source, m) for m in methods])};
    static final String[] NAMES = {_strings([m.name for m in methods])};
    static final String[][] PARAMETERS = {{{parameters}}};
    static final String[] SIGNATURES = {_strings([m.describe() for m in methods])};
{chr(10).join(handles)}

    static java.util.List<Object[]> cases() {{
        return PerforchCases.asCases({INPUTS_CLASS}.cases());
    }}

    static Object call(int k, Object r, Object[] a) throws Throwable {{
        switch (k) {{
{untimed}
            default: throw new IllegalStateException("no overload " + k);
        }}
    }}

    /** m calls: call j on receiver r[j] with arguments b[j]; results kept or summed. */
    static long timed(Object[] r, Object[][] b, int[] ov, int m, Object[] keep) {{
        long acc = 0;
        for (int j = 0; j < m; j++) {{
            Object[] a = b[j];
            try {{
                switch (ov[j]) {{
{timed}
                    default: break;
                }}
            }} catch (Throwable e) {{
                keep[j] = PerforchDriver.caught(e);
            }}
        }}
        return acc;
    }}
}}
"""
