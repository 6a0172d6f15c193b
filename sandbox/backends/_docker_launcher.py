"""The shell that runs as PID 1 in each container, and the report it leaves on stderr.

PID 1 in a PID namespace ignores signals it has no handler for (a program there would survive
its own ``abort()``), so the command runs as a child of ``/bin/sh``, like it does under bwrap.
The shell also reports what the engine's API cannot: the command's CPU time (``times``), its
exit status (``128 + N`` when killed by signal N) and the cgroup's OOM-kill count (the engine's
``State.OOMKilled`` is not reliable on cgroup v1). It reports with shell builtins only, so it
still works when a fork bomb has used up the process limit.
"""

from __future__ import annotations

import re
import secrets
import signal
from dataclasses import dataclass

_SCRIPT = r"""
nonce=$1 input=$2
shift 2
case $1 in
  */*) [ -f "$1" ] && [ -x "$1" ] ;;
  *) command -v "$1" >/dev/null 2>&1 ;;
esac || { printf '\n%s not-found\n' "$nonce" >&2; exit 127; }
/usr/bin/env -- "$@" <"$input"
status=$?
oom=0
for file in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events; do
  if [ -r "$file" ]; then
    while read -r key value; do [ "$key" = oom_kill ] && oom=$value; done <"$file"
  fi
done
times >"/tmp/$nonce" 2>/dev/null && { read -r su ss; read -r cu cs; } <"/tmp/$nonce"
printf '\n%s %s %s %s %s %s %s\n' "$nonce" "$status" "$oom" \
  "${su:--}" "${ss:--}" "${cu:--}" "${cs:--}" >&2
exit $status
"""
# The report is one printf, so one write(2): the program's leftover processes may still be
# writing to the same stderr, and a write of under PIPE_BUF bytes is never interleaved.

_TIME = rb"(?:\d+m[\d.]+s|-)"
# Generous room for the report, so a program whose output ends just under the cap is not
# counted as over it because of the report appended after it.
REPORT_BYTES = 256


@dataclass(frozen=True)
class Report:
    """What the launcher said after the command ended (``status`` None: it was not found)."""

    status: int | None
    oom_kills: int
    cpu_seconds: float | None  # the shell's and the command's user + system time


def launcher_argv(argv: tuple[str, ...], stdin_path: str) -> tuple[list[str], bytes]:
    """The container's command for ``argv``, and the nonce that marks its report."""
    nonce = f"perforch-{secrets.token_hex(8)}"
    return ["/bin/sh", "-c", _SCRIPT, "perforch-launcher", nonce, stdin_path, *argv], nonce.encode()


def take_report(stderr: bytes, nonce: bytes) -> tuple[bytes, Report | None]:
    """Split the launcher's report off ``stderr``; the report is None when there is none
    (the container was killed, or the shell itself was)."""
    pattern = re.compile(
        rb"\n" + re.escape(nonce) + rb"(?: not-found| (\d+) (\d+)((?: " + _TIME + rb"){4}))\n"
    )
    matches = list(pattern.finditer(stderr))
    if not matches:
        return stderr, None
    found = matches[-1]
    rest = stderr[: found.start()] + stderr[found.end() :]
    if found.group(1) is None:
        return rest, Report(status=None, oom_kills=0, cpu_seconds=None)
    return rest, Report(int(found.group(1)), int(found.group(2)), _seconds(found.group(3)))


def _seconds(times: bytes) -> float | None:
    """The sum of ``times`` output fields such as ``0m1.230000s``; None if one is missing."""
    total = 0.0
    for field in times.split():
        if field == b"-":
            return None
        minutes, seconds = field.rstrip(b"s").split(b"m")
        total += int(minutes) * 60 + float(seconds)
    return total


def exit_code(status: int) -> int:
    """A shell's or engine's exit status as ProcessResult's return code (-N: signal N)."""
    if status > 128 and (status - 128) in {int(s) for s in signal.Signals}:
        return -(status - 128)
    return status
