from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sandbox import Executor, Limits
from sandbox.languages import python
from tests.support.sandbox import make_executor

SOURCE = "def f(x):\n    return x + 1\n"
TESTS = "assert f(1) == 2\n"


def test_same_program_is_built_once(tmp_path: Path) -> None:
    executor = make_executor(tmp_path)
    program = python.test_program(SOURCE, TESTS, executor.support)
    first = executor.build(program)
    second = executor.build(program)
    assert first.ok and second.ok
    assert (first.cached, second.cached) == (False, True)
    assert first.directory == second.directory
    assert len(list((tmp_path / "builds").glob("*/*"))) == 1


def test_different_key_extra_builds_separately(tmp_path: Path) -> None:
    executor = make_executor(tmp_path)
    program = python.test_program(SOURCE, TESTS, executor.support)
    copy = replace(program, cache_key_extra=program.cache_key_extra + " #copy")
    assert executor.build(program).directory != executor.build(copy).directory


def test_failed_build_is_cached_with_its_message(tmp_path: Path) -> None:
    executor = make_executor(tmp_path)
    program = python.test_program("def f(:\n", TESTS, executor.support)
    first = executor.build(program)
    second = make_executor(tmp_path).build(program)  # a new executor reads the cache from disk
    assert not first.ok and not second.ok
    assert second.cached
    assert second.failure is not None and "SyntaxError" in second.failure.stderr


def test_runs_happen_in_fresh_directories_and_cannot_touch_the_cache(executor: Executor) -> None:
    source = (
        "import os\n"
        "open('left-behind', 'w').write('x')\n"
        "try:\n"
        "    open('main.py', 'a').write('# tampered')\n"
        "    print('tampered')\n"
        "except OSError as e:\n"
        "    print('refused', e.errno)\n"
        "print(sorted(os.listdir('.')))\n"
    )
    built = executor.build(python.test_program(source, "", executor.support))
    assert built.directory is not None
    first = executor.run(built, [], Limits())
    second = executor.run(built, [], Limits())
    assert "refused" in first.stdout and "refused" in second.stdout
    assert "'left-behind'" in first.stdout
    assert not (built.directory / "left-behind").exists()
    assert not (built.directory / "main.py").read_text().endswith("# tampered")


def test_runtimes_get_their_address_space_on_top_of_the_memory_limit() -> None:
    from sandbox._executor import _with_address_space
    from sandbox._limits import GIB, MIB
    from sandbox.languages._protocol import Program

    go_like = Program("go", {}, (), ("./p",), address_space_extra=3 * GIB // 2)
    small = Limits(memory_bytes=512 * MIB)
    assert _with_address_space(small, go_like).address_space_bytes == 512 * MIB + 3 * GIB // 2
    assert _with_address_space(small, go_like).memory_bytes == 512 * MIB  # the cgroup limit
    jvm_like = Program("java", {}, (), ("java",), address_space_bytes=GIB)
    assert _with_address_space(small, jvm_like).address_space_bytes == GIB
    assert _with_address_space(Limits(memory_bytes=2 * GIB), jvm_like).address_space_bytes is None
