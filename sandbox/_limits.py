"""Resource limits for one sandboxed command, as immutable data."""

from __future__ import annotations

from dataclasses import dataclass, replace

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """What one command may use before it is stopped.

    ``memory_bytes`` is the memory limit: RLIMIT_AS under the namespace backend, the cgroup
    limit under docker. ``address_space_bytes``, when set, replaces it as RLIMIT_AS only: the
    JVM and Go reserve far more address space than they use, so their programs need a larger
    RLIMIT_AS, while a container's cgroup limit must stay the memory actually allowed.
    """

    wall_seconds: float = 60.0
    cpu_seconds: int = 60
    memory_bytes: int = 2 * GIB
    max_processes: int = 64
    max_file_bytes: int = 64 * MIB
    output_bytes: int = 4 * MIB
    address_space_bytes: int | None = None

    def prlimit_argv(self) -> list[str]:
        """A ``prlimit`` prefix applying these limits to the command it runs.

        RLIMIT_NPROC counts processes per user and root is exempt, so it only bites when the
        command runs as an unprivileged user (the backends drop to one).
        """
        return [
            "prlimit",
            "--core=0",
            f"--cpu={self.cpu_seconds}:{self.cpu_seconds + 1}",
            f"--fsize={self.max_file_bytes}",
            f"--as={max(self.memory_bytes, self.address_space_bytes or 0)}",
            f"--nproc={self.max_processes}",
            "--",
        ]

    def with_wall(self, seconds: float) -> Limits:
        return replace(self, wall_seconds=seconds, cpu_seconds=max(1, int(seconds * 2) + 1))


BUILD_LIMITS = Limits(
    wall_seconds=300.0,
    cpu_seconds=600,
    memory_bytes=6 * GIB,
    max_processes=256,
    max_file_bytes=512 * MIB,
    output_bytes=1 * MIB,
)
RUN_LIMITS = Limits()
