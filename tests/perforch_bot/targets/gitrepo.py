"""A throwaway git repository for tests: real git, run through the one subprocess wrapper."""

from __future__ import annotations

from pathlib import Path

from sandbox import run_process

_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "PerfOrch Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "PerfOrch Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


class GitRepo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "core.autocrlf", "false")

    def git(self, *arguments: str, stdin: bytes | None = None) -> str:
        result = run_process(
            ["git", *arguments],
            cwd=self.root,
            env={**_ENV, "HOME": str(self.root)},
            timeout=60,
            stdin=stdin,
        )
        assert result.ok, f"git {' '.join(arguments)}: {result.stderr}"
        return result.stdout

    def write(self, path: str, content: str | bytes) -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(content.encode() if isinstance(content, str) else content)

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def diff(self, base: str, head: str = "HEAD") -> str:
        return self.git("diff", "--find-renames", base, head)

    def apply(self, patch: str, *, check: bool = False) -> None:
        self.git("apply", *(["--check"] if check else []), "-", stdin=patch.encode())
