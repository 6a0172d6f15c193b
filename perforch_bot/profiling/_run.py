"""A profiling run: each problem through generate -> fix (once, when generate failed) and
refine (of the canonical solution), every answer judged in the sandbox. A failed call or the
cost cap leaves a stage unmeasured (``_asker``), never counted as the model's failure.
"""

from __future__ import annotations

from perforch_bot.llm import CostTracker
from perforch_bot.pipeline import _prompts as pipeline_prompts
from perforch_bot.profiling import _prompts as prompts
from perforch_bot.profiling._asker import Asker, Notes
from perforch_bot.profiling._inputs import inputs_from_tests
from perforch_bot.profiling._model import (
    ProblemOutcome,
    ProfileConfig,
    ProfileResult,
    ProfilingError,
    Progress,
)
from perforch_bot.profiling._subjects import (
    Candidate,
    Subject,
    attempt_text,
    candidate,
    for_timing,
)
from perforch_bot.profiling._subjects import load_subjects as load
from perforch_bot.replies import Rejection
from sandbox import (
    RUN_LIMITS,
    Comparison,
    Executor,
    Failure,
    Workload,
    compare,
    get_language,
    probe,
)
from sandbox.humaneval_x import KNOWN_DATASET_BUGS
from sandbox.humaneval_x._evaluate import evaluate


def profile_model(
    config: ProfileConfig, executor: Executor, progress: Progress | None = None
) -> ProfileResult:
    """Measure ``config.model`` on the first ``config.limit`` HumanEval-X problems of each of
    ``config.languages``."""
    say = progress or (lambda _message: None)
    for language in config.languages:
        problem = get_language(language).toolchain(executor.support).problem
        if problem is not None:
            raise ProfilingError(
                f"{language} cannot be built here: {problem}; install it (see `perforch doctor`) "
                f"or leave out --language {language}"
            )
    subjects = {
        lang: load(config.data_dir, lang, config.limit, config.tasks) for lang in config.languages
    }
    if not any(subjects.values()):
        raise ProfilingError(
            f"no problem chosen: none of {', '.join(config.tasks)} is in "
            f"{', '.join(config.languages)}; write IDs such as Python/0 or CPP/12"
        )
    asker = Asker(config, CostTracker(config.max_cost_usd))
    outcomes: list[ProblemOutcome] = []
    for language, chosen in subjects.items():
        say(f"{language}: {len(chosen)} problems")
        outcomes += _language(chosen, config, executor, asker, say)
    return ProfileResult(
        model=config.model,
        languages=config.languages,
        outcomes=tuple(outcomes),
        problems_per_language={lang: len(chosen) for lang, chosen in subjects.items()},
        stopped=asker.stopped,
    )


def _language(
    subjects: list[Subject],
    config: ProfileConfig,
    executor: Executor,
    asker: Asker,
    say: Progress,
) -> list[ProblemOutcome]:
    notes = {
        s.problem.task_id: Notes(ProblemOutcome(s.problem.task_id, s.problem.language, s.category))
        for s in subjects
    }
    judged = []
    for subject in subjects:
        bug = KNOWN_DATASET_BUGS.get(subject.problem.task_id)
        if bug is not None and bug.kind == "compile-error":  # its tests cannot run at all
            notes[subject.problem.task_id].skipped.append(f"every stage: {bug.reason}")
        else:
            judged.append(subject)
    _generate_and_fix(judged, notes, config, executor, asker, say)
    for subject in judged:
        _refine(subject, notes[subject.problem.task_id], config, executor, asker, say)
    return [n.frozen() for n in notes.values()]


def _generate_and_fix(
    subjects: list[Subject],
    notes: dict[str, Notes],
    config: ProfileConfig,
    executor: Executor,
    asker: Asker,
    say: Progress,
) -> None:
    for stage in ("generate", "fix"):
        pending: dict[str, tuple[Subject, Candidate]] = {}
        for subject in subjects:
            note = notes[subject.problem.task_id]
            if stage == "generate":
                messages = prompts.generate(subject.problem, subject.target)
            elif note.outcome.generate == "failed":
                problem = note.outcome.generate_problem or "it failed"
                messages = prompts.fix(subject.problem, subject.target, note.attempt, problem)
            else:
                continue
            say(f"{subject.problem.task_id}: {stage}")
            reply = asker.ask(note, stage, messages)
            if reply is None:
                continue
            found = candidate(subject, reply)
            if isinstance(found, Rejection):
                _judged(note, stage, found.reason, say)
                note.attempt = attempt_text(reply, subject.problem.language)
            else:
                pending[subject.problem.task_id] = (subject, found)
                note.attempt = found.code
        for task, failure in _test(pending, config, executor).items():
            _judged(notes[task], stage, None if failure is None else failure.describe(), say)


def _judged(note: Notes, stage: str, problem: str | None, say: Progress) -> None:
    if stage == "generate":
        note.set(generate="failed" if problem else "passed", generate_problem=problem)
    else:
        note.set(fix="failed" if problem else "repaired", fix_problem=problem)
    verdict = "passed" if problem is None else f"failed: {problem.splitlines()[0][:160]}"
    say(f"{note.outcome.task_id}: {stage} {verdict}")


def _test(
    pending: dict[str, tuple[Subject, Candidate]], config: ProfileConfig, executor: Executor
) -> dict[str, Failure | None]:
    """Build each candidate program and run HumanEval-X's tests on it."""
    if not pending:
        return {}
    files = {task: found.file for task, (_subject, found) in pending.items()}
    result = evaluate(
        [subject.problem for subject, _found in pending.values()],
        executor,
        RUN_LIMITS,
        solution=lambda problem: files[problem.task_id],
        workers=config.workers,
    )
    return {r.task_id: None if r.passed else r.failure or _FAILED for r in result.results}


_FAILED = Failure("test-failed", "the tests failed")


def _refine(
    subject: Subject,
    note: Notes,
    config: ProfileConfig,
    executor: Executor,
    asker: Asker,
    say: Progress,
) -> None:
    """Ask for a faster canonical solution; judge it with the tests and time it against the
    canonical on the literal calls of the tests."""
    program = subject.problem.program
    language = subject.problem.language
    if asker.stopped is not None:
        note.skipped.append(f"refine: not asked, {asker.stopped}")
        return
    bug = KNOWN_DATASET_BUGS.get(subject.problem.task_id)
    if bug is not None:  # the reference to time against is itself wrong
        note.skipped.append(f"refine: {bug.reason}")
        return
    inputs = inputs_from_tests(subject.problem)
    if inputs is None:
        note.skipped.append("refine: the tests hold no call with literal arguments to time")
        return
    [original] = for_timing(language, subject.source)
    checked = probe(
        original,
        language=language,
        function=program.function,
        inputs=inputs,
        tests=None,
        executor=executor,
    )
    if not checked.ok or checked.raising:
        why = checked.summary if not checked.ok else f"{checked.raising} calls raise"
        note.skipped.append(f"refine: the calls from the tests do not run on the canonical: {why}")
        return
    say(f"{subject.problem.task_id}: refine")
    messages = pipeline_prompts.refine(subject.target, subject.target.text, prompts.REFINE_TIMING)
    context = pipeline_prompts.context_for(subject.target, subject.source, None)
    reply = asker.ask(note, "refine", messages, context)
    if reply is None:
        return
    found = candidate(subject, reply)
    if isinstance(found, Rejection):
        note.set(refine="wrong", refine_summary=found.reason)
        say(f"{subject.problem.task_id}: refine wrong: {found.reason}")
        return
    old, new = for_timing(language, subject.source, found.file)
    comparison = compare(
        old,
        new,
        language=language,
        workload=Workload(program.function, inputs, program.tests),
        executor=executor,
        budget=config.budget(language),
    )
    _compared(note, comparison, say)


def _compared(note: Notes, comparison: Comparison, say: Progress) -> None:
    status = comparison.status
    if status == "error":
        note.skipped.append(f"refine: the sandbox could not judge it: {comparison.summary}")
        say(f"{note.outcome.task_id}: refine not judged: {comparison.summary}")
        return
    if status == "incorrect":
        note.set(refine="wrong", refine_summary=comparison.summary)
    else:
        timing = comparison.timing
        memory = None
        if timing is not None:
            old_peak, new_peak = timing.median("old", "peak"), timing.median("new", "peak")
            memory = new_peak / old_peak if old_peak > 0 and new_peak > 0 else None
        note.set(
            refine="faster" if status == "faster" else "correct",
            refine_summary=comparison.summary,
            speedup=comparison.speedup,
            memory_ratio=memory,
        )
    say(f"{note.outcome.task_id}: refine {note.outcome.refine}: {comparison.summary}")
