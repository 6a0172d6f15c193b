"""The Python module: the driver's build leaves bytecode that fresh processes load instead of
compiling the driver, the target and the inputs again."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

from sandbox import Executor, Limits
from sandbox._process import run_process
from sandbox.languages import python

SOURCE = "def double(xs):\n    return [2 * x for x in xs]\n"
INPUTS = "INPUTS = [([1, 2, 3],), ([],)]\n"
MODULES = ("target", "inputs", "perforch_driver")


def build_driver(executor: Executor) -> Path:
    built = executor.build(python.driver_program(SOURCE, "double", INPUTS, executor.support))
    assert built.ok and built.directory is not None, built.failure and built.failure.stderr
    return built.directory


def test_the_build_writes_bytecode_checked_by_source_hash(executor: Executor) -> None:
    directory = build_driver(executor)
    for module in MODULES:
        pyc = directory / "__pycache__" / f"{module}.{sys.implementation.cache_tag}.pyc"
        header = pyc.read_bytes()[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER
        # PEP 552 flags: bit 0 hash-based, bit 1 check the source; then the source's hash.
        assert int.from_bytes(header[4:8], "little") == 0b11
        source = (directory / f"{module}.py").read_bytes()
        assert header[8:16] == importlib.util.source_hash(source)


def test_a_copy_with_new_mtimes_still_loads_the_bytecode(
    executor: Executor, tmp_path: Path
) -> None:
    # A run's copy of the build (in a container, say) need not keep the files' mtimes.
    copy = shutil.copytree(build_driver(executor), tmp_path / "run")
    for module in MODULES:
        (copy / f"{module}.py").touch()
    run = python.driver_program(SOURCE, "double", INPUTS, executor.support).run
    result = run_process(
        [run[0], "-v", *run[1:], "outputs"],
        cwd=copy,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"},
        timeout=60,
    )
    assert result.ok, result.stderr
    for module in MODULES:
        assert f"code object from '{copy}/__pycache__/{module}." in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["result"] for r in records if "case" in r] == ["[2, 4, 6]", "[]"]


def test_a_syntax_error_in_the_target_fails_the_build_with_its_message(executor: Executor) -> None:
    program = python.driver_program("def double(xs:\n", "double", INPUTS, executor.support)
    built = executor.build(program)
    assert not built.ok and built.failure is not None
    assert "SyntaxError" in built.failure.stderr and "target.py" in built.failure.stderr


def test_the_timing_mode_imports_nothing_it_can_do_without(
    executor: Executor, tmp_path: Path
) -> None:
    # Each import is paid by every fresh process, and a comparison starts dozens of them.
    copy = shutil.copytree(build_driver(executor), tmp_path / "run")
    run = python.driver_program(SOURCE, "double", INPUTS, executor.support).run
    result = run_process(
        [run[0], "-X", "importtime", *run[1:], "bench", "0", "1", "0"],
        cwd=copy,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"},
        timeout=60,
    )
    assert result.ok, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "perforch_driver" in imported
    assert not imported & {"json", "copy", "contextlib", "runpy", "typing", "pathlib"}
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["calibrated"] >= 1 and records[-1]["iterations"] >= 1


def test_the_driver_runs_in_the_sandbox_from_an_import_of_its_module(executor: Executor) -> None:
    program = python.driver_program(SOURCE, "double", INPUTS, executor.support)
    assert "import sys, perforch_driver;" in program.run[-2] and program.run[-1] == "double"
    built = executor.build(program)
    result = executor.run(built, ["bench", "0", "1", "0"], Limits())
    assert result.ok, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["calibrated"] >= 1 and records[-1]["peak_rss_kb"] > 0
