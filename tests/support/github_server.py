"""A real HTTP server on 127.0.0.1 answering the GitHub REST endpoints PerfOrch uses, with
bodies shaped like GitHub's examples (``tests/support/github_bodies.py``), that records every
request it receives.

PyGithub reaches it through ``base_url=server.base_url``. It serves one repository
(``Codertocat/Hello-World``, the webhook examples' one; others get 404) and keeps what a test
sets up and what the client writes: pull requests and their files, issues, comments (created
and edited), reviews and their review comments (listed with a ``reactions`` summary; a test
gives one a 👎 with ``add_review_reaction``), reactions and users' permissions. Like GitHub,
it refuses a review comment outside the hunks of the file's patch (422), paginates lists
(``per_page``, ``page``, ``Link``), and answers 401 to a wrong token.

Faults are scripted per endpoint (the ``"METHOD path"`` keys of ``github_bodies``) and consumed
one per request: ``server.fail(REVIEWS, Fault(502), Fault(429, retry_after=1))``; ``Drop()``
closes the connection without an answer.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support import github_bodies as bodies
from tests.support.github_routes import (
    REACTIONS,
    Answer,
    Behaviour,
    Drop,
    Fault,
    answer,
    fault_answer,
)

__all__ = ["REPO", "TOKEN", "Drop", "Fault", "GitHubServer", "RecordedRequest", "serve_github"]

REPO = "Codertocat/Hello-World"
TOKEN = "ghs_test_token"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # without the query
    query: dict[str, str]
    endpoint: str | None  # the "METHOD path" template it matched
    body: Any
    headers: dict[str, str]  # lower-cased names; the token is left out
    authorized: bool
    received_at: float  # time.monotonic()


@dataclass
class GitHubServer:
    """The server's state, shared with its handler threads; tests set it up and read it."""

    token: str = TOKEN
    repo: str = REPO
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[RecordedRequest] = field(default_factory=list)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    files: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    reviews: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    review_comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    review_reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    reactions: dict[int, list[str]] = field(default_factory=dict)
    permissions: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _faults: dict[str, deque[Behaviour]] = field(default_factory=dict)
    _next_id: int = 1000

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- setting up ----------------------------------------------------------------------------

    def add_pull(
        self,
        number: int,
        *,
        head_sha: str = "6dcb09b5b57875f334f61aebed695e2e4193db5e",
        base_sha: str = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
        draft: bool = False,
        author: str = "octocat",
        files: dict[str, str | None] | None = None,
    ) -> dict[str, Any]:
        """A pull request with ``files`` (path -> patch; None: no patch shown)."""
        pull: dict[str, Any] = bodies.rebase(bodies.example(bodies.PULL), self.base_url, self.repo)
        url = f"{self.base_url}/repos/{self.repo}/pulls/{number}"
        pull.update(number=number, url=url, draft=draft, state="open")
        pull["user"] = bodies.user(self.base_url, author)
        pull["head"]["sha"], pull["base"]["sha"] = head_sha, base_sha
        with self.lock:
            self.pulls[number] = pull
            self.files[number] = [
                bodies.file_entry(self.base_url, path, patch)
                for path, patch in (files or {}).items()
            ]
            self.add_issue(
                number, title=pull["title"], body=pull["body"], author=author, pull_request=True
            )
        return pull

    def add_issue(
        self,
        number: int,
        *,
        title: str = "Spelling error in the README file",
        body: str = "It looks like you accidently spelled 'commit' with two 't's.",
        author: str = "Codertocat",
        labels: tuple[str, ...] = ("bug",),
        pull_request: bool = False,
    ) -> dict[str, Any]:
        issue: dict[str, Any] = bodies.rebase(
            bodies.example(bodies.ISSUE), self.base_url, self.repo
        )
        issue.update(number=number, title=title, body=body)
        issue["url"] = f"{self.base_url}/repos/{self.repo}/issues/{number}"
        issue["user"] = bodies.user(self.base_url, author)
        label = issue["labels"][0]
        issue["labels"] = [{**label, "name": name} for name in labels]
        if pull_request:
            issue["pull_request"] = {"url": f"{self.base_url}/repos/{self.repo}/pulls/{number}"}
        with self.lock:
            self.issues[number] = issue
            self.comments.setdefault(number, [])
        return issue

    def add_comment(
        self, number: int, body: str, *, author: str = "octocat", bot: bool = False
    ) -> dict[str, Any]:
        """A comment already on ``repo#number`` (its issue is created if need be)."""
        with self.lock:
            if number not in self.issues:
                self.add_issue(number)
            comment = self.new_comment(
                number, body, bodies.user(self.base_url, author, "Bot" if bot else "User")
            )
            self.comments[number].append(comment)
            return comment

    def new_comment(self, number: int, body: str, author: dict[str, Any]) -> dict[str, Any]:
        comment: dict[str, Any] = bodies.rebase(
            bodies.example(bodies.NEW_COMMENT), self.base_url, self.repo
        )
        comment_id = self.next_id()
        comment.update(id=comment_id, body=body, user=author)
        comment["url"] = f"{self.base_url}/repos/{self.repo}/issues/comments/{comment_id}"
        comment["html_url"] = (
            f"https://github.com/{self.repo}/issues/{number}#issuecomment-{comment_id}"
        )
        comment["issue_url"] = f"{self.base_url}/repos/{self.repo}/issues/{number}"
        return comment

    def add_review_comment(
        self,
        number: int,
        body: str,
        *,
        path: str,
        line: int,
        start_line: int | None = None,
        author: str = "octocat",
        bot: bool = False,
        review_id: int | None = None,
    ) -> dict[str, Any]:
        """A review comment on pull request ``number`` (added to it), on new-side lines
        ``start_line..line`` of ``path`` at the pull request's head; the server adds one per
        line comment of each review the client creates."""
        with self.lock:
            pull = self.pulls[number]
            patches = [f.get("patch") for f in self.files[number] if f["filename"] == path]
            comment = bodies.review_comment(
                self.base_url,
                self.repo,
                number,
                self.next_id(),
                review_id=review_id if review_id is not None else self.next_id(),
                commit_id=pull["head"]["sha"],
                path=path,
                line=line,
                start_line=start_line,
                body=body,
                author=bodies.user(self.base_url, author, "Bot" if bot else "User"),
                diff_hunk=_hunk_of(patches[0] if patches else None, line),
            )
            self.review_comments.setdefault(number, []).append(comment)
            self.review_reactions[comment["id"]] = []
            return comment

    def add_review_reaction(
        self, comment_id: int, content: str = "-1", *, by: str, bot: bool = False
    ) -> None:
        """``by`` reacts to the review comment ``comment_id`` (by default a 👎): its
        ``reactions`` summary counts one more, and its reactions list names ``by``."""
        if content not in REACTIONS:
            raise ValueError(f"{content!r} is not one of GitHub's reactions {REACTIONS}")
        with self.lock:
            for thread in self.review_comments.values():
                for comment in thread:
                    if comment["id"] == comment_id:
                        comment["reactions"][content] += 1
                        comment["reactions"]["total_count"] += 1
                        who = bodies.user(self.base_url, by, "Bot" if bot else "User")
                        given = bodies.reaction(self.next_id(), content, who)
                        self.review_reactions[comment_id].append(given)
                        return
        raise KeyError(f"no review comment {comment_id}")

    def next_id(self) -> int:
        with self.lock:
            self._next_id += 1
            return self._next_id

    def set_permission(self, login: str, permission: str, role: str | None = None) -> None:
        """``login``'s base role (admin, write, read, none) and role name (maintain, triage...).
        A user not set has read, as anyone has on a public repository."""
        with self.lock:
            self.permissions[login] = (permission, role or permission)

    def fail(self, endpoint: str, *behaviours: Behaviour) -> None:
        """Answer the next requests to ``endpoint`` with ``behaviours``, one each, in order."""
        if endpoint not in bodies.ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; use the keys in github_bodies")
        with self.lock:
            self._faults.setdefault(endpoint, deque()).extend(behaviours)

    # -- reading what happened -----------------------------------------------------------------

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every request, in order."""
        with self.lock:
            return [(r.method, r.path) for r in self.requests]

    def pending_faults(self) -> int:
        with self.lock:
            return sum(len(queue) for queue in self._faults.values())

    def _record(self, request: RecordedRequest) -> Behaviour | None:
        with self.lock:
            self.requests.append(request)
            queue = self._faults.get(request.endpoint or "")
            return queue.popleft() if queue else None


def _handler_for(server: GitHubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests assert on ``server.requests``."""

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = raw.decode("utf-8", "replace")
            authorization = self.headers.get("Authorization", "")
            authorized = authorization in (f"token {server.token}", f"Bearer {server.token}")
            endpoint = _endpoint(self.command, split.path, server.repo)
            behaviour = server._record(
                RecordedRequest(
                    method=self.command,
                    path=split.path,
                    query=dict(parse_qsl(split.query)),
                    endpoint=endpoint,
                    body=body,
                    headers={
                        k.lower(): v
                        for k, v in self.headers.items()
                        if k.lower() != "authorization"
                    },
                    authorized=authorized,
                    received_at=time.monotonic(),
                )
            )
            if isinstance(behaviour, Drop):
                self.close_connection = True
                return
            if not authorized:
                reply = Answer(401, bodies.error_body("Bad credentials"))
            elif isinstance(behaviour, Fault):
                reply = fault_answer(behaviour)
            elif endpoint is None:
                reply = Answer(404, bodies.error_body("Not Found"))
            else:
                reply = answer(server, endpoint, split.path, dict(parse_qsl(split.query)), body)
            self._send(reply)

        def _send(self, reply: Answer) -> None:
            data = json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


_TEMPLATE_PART = re.compile(r"\{[a-z_]+\}")
_HUNK_HEADER = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _hunk_of(patch: str | None, line: int) -> str:
    """The hunk of ``patch`` whose new side holds ``line`` (a review comment's ``diff_hunk``),
    or "" when none does."""
    hunks: list[list[str]] = []
    for text in (patch or "").splitlines():
        if _HUNK_HEADER.match(text):
            hunks.append([])
        if hunks:
            hunks[-1].append(text)
    for hunk in hunks:
        header = _HUNK_HEADER.match(hunk[0])
        assert header is not None
        start, length = int(header.group(1)), int(header.group(2) or 1)
        if start <= line < start + length:
            return "\n".join(hunk)
    return ""


def _endpoint(method: str, path: str, repo: str) -> str | None:
    """The endpoint key ``path`` matches (for the served repository only)."""
    for endpoint in bodies.ENDPOINTS:
        verb, template = endpoint.split(" ", 1)
        if verb != method:
            continue
        pattern = _TEMPLATE_PART.sub("[^/]+", template.replace("{owner}/{repo}", re.escape(repo)))
        if re.fullmatch(pattern, path):
            return endpoint
    return None


@contextmanager
def serve_github(token: str = TOKEN, repo: str = REPO) -> Iterator[GitHubServer]:
    """Run a server on an ephemeral loopback port for the duration of the block."""
    state = GitHubServer(token=token, repo=repo)
    httpd = ThreadingHTTPServer((state.host, 0), _handler_for(state))
    httpd.daemon_threads = True
    httpd.block_on_close = False
    state.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.02},  # shutdown() waits up to one poll
        name="github-test-server",
        daemon=True,
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
