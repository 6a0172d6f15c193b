"""The git reads ``perforch targets --rev`` needs: the diff of a revision range and files at a
revision. Every command goes through the sandbox's one subprocess wrapper."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from perforch_bot.targets._errors import DiffError

if TYPE_CHECKING:
    from sandbox import ProcessResult

# A fixed environment (perforch_bot reads none): no pager, no system config, plain output.
_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "GIT_PAGER": "cat",
    "GIT_CONFIG_NOSYSTEM": "1",
}
_TIMEOUT = 120.0
_DIFF_BYTES = 256 * 1024 * 1024


def _git(arguments: list[str], cwd: Path, output_bytes: int = _DIFF_BYTES) -> ProcessResult:
    # imported here: extraction and write-back must not load the whole sandbox package
    from sandbox import run_process

    # safe.directory: in the Action's container the checkout belongs to the runner's user, and
    # git refuses a repository owned by someone else unless told it is expected.
    return run_process(
        ["git", "-c", "safe.directory=*", *arguments],
        cwd=cwd,
        env=_ENV,
        timeout=_TIMEOUT,
        output_bytes=output_bytes,
    )


def _failure(what: str, result: ProcessResult) -> DiffError:
    detail = result.stderr.strip() or result.reason
    return DiffError(f"git cannot {what}: {detail}")


def repository_root(cwd: Path) -> Path:
    """The top directory of the git work tree holding ``cwd``."""
    result = _git(["rev-parse", "--show-toplevel"], cwd)
    if not result.ok:
        raise DiffError(
            f"{cwd} is not inside a git repository ({result.stderr.strip()}); "
            "run from the repository or give the diff with --diff FILE"
        )
    return Path(result.stdout.strip())


def split_range(revision_range: str) -> tuple[str, str]:
    """``BASE..HEAD`` or ``BASE...HEAD`` -> (BASE, HEAD); an empty HEAD means ``HEAD``."""
    separator = "..." if "..." in revision_range else ".."
    base, found, head = revision_range.partition(separator)
    if not found or not base or base.startswith("-") or head.startswith("-"):
        raise DiffError(
            f"{revision_range!r} is not a revision range: write BASE..HEAD "
            "(e.g. main..HEAD, or origin/main...feature as GitHub compares)"
        )
    return base, head or "HEAD"


def resolve_range(repository: Path, revision_range: str) -> tuple[str, str]:
    """The commits ``BASE..HEAD`` compares: (BASE's commit, HEAD's commit); for
    ``BASE...HEAD``, BASE is their merge base (as ``git diff`` and GitHub compare). So
    ``f"{base}..{head}"`` gives the same diff, even after a branch name moves."""
    base, head = split_range(revision_range)
    head_sha = _commit(repository, head)
    if "..." in revision_range:
        result = _git(["merge-base", base, head_sha], repository)
        if not result.ok:
            raise _failure(f"find the merge base of {base} and {head}", result)
        return result.stdout.strip(), head_sha
    return _commit(repository, base), head_sha


def _commit(repository: Path, revision: str) -> str:
    result = _git(
        ["rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}"], repository
    )
    if not result.ok:
        raise _failure(f"find the commit {revision}", result)
    return result.stdout.strip()


def diff_revisions(repository: Path, revision_range: str) -> str:
    """``git diff BASE..HEAD`` with renames detected and a/ b/ prefixes whatever the config."""
    split_range(revision_range)
    result = _git(
        [
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--find-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            revision_range,
            "--",
        ],
        repository,
    )
    if not result.ok:
        raise _failure(f"diff {revision_range}", result)
    return result.stdout


def read_at_revision(repository: Path, revision: str, path: str) -> bytes | None:
    """The contents of ``path`` at ``revision`` (None if it does not exist there)."""
    result = _git(["show", f"{revision}:{path}"], repository)
    # run_process decodes output as UTF-8; files that are not UTF-8 come back approximated
    return result.stdout.encode("utf-8") if result.ok else None


def diff_staged(repository: Path, base: str, paths: list[str]) -> str:
    """``git diff --cached BASE -- PATHS``: what committing the index would change."""
    result = _git(
        [
            "diff",
            "--cached",
            "--no-color",
            "--no-ext-diff",
            "--find-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            base,
            "--",
            *paths,
        ],
        repository,
    )
    if not result.ok:
        raise _failure(f"diff the staged changes against {base}", result)
    return result.stdout


def read_staged(repository: Path, path: str) -> bytes | None:
    """The staged (index) contents of ``path``, None if it is not in the index."""
    return read_at_revision(repository, "", path)


def head_revision(repository: Path) -> str:
    """The commit checked out in ``repository``."""
    result = _git(["rev-parse", "HEAD"], repository)
    if not result.ok:
        raise _failure("read the checked-out commit", result)
    return result.stdout.strip()


def check_out(repository: Path, revision: str) -> None:
    """Check ``revision`` out (detached), fetching it from ``origin`` first when it is not
    here: a workflow triggered by a comment checks out the default branch, not the pull
    request's head."""
    if not _git(["cat-file", "-e", f"{revision}^{{commit}}"], repository).ok:
        fetched = _git(["fetch", "--no-tags", "--depth=1", "origin", revision], repository)
        if not fetched.ok:
            raise _failure(f"fetch {revision} from origin", fetched)
    result = _git(["checkout", "--quiet", "--detach", revision], repository)
    if not result.ok:
        raise _failure(f"check out {revision}", result)
