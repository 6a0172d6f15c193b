"""Check the Action's image: build it from the Dockerfile (optionally without internet), then
run, inside a container of it, what the Action and its users run:

1. ``perforch doctor --json``: every language's toolchain works, and a sandbox backend does
   (under the engine's default seccomp profile: ``landlock``, as in GitHub's runners);
2. ``perforch bench --examples --json``: the README's main job; every example comes out faster;
3. the Action itself (``python -m action``, the image's entrypoint) on a real pull_request
   payload, against the test suite's loopback GitHub and model servers: one review with a
   suggestion, one summary comment, ``improved=1`` in its outputs.

    .venv/bin/python scripts/check_image.py --build            # docker build, then the checks
    .venv/bin/python scripts/check_image.py --build --offline  # on a machine with no internet

``--offline`` builds with two stand-ins, said in its output: a Debian bookworm base with
Python 3.11 made by debootstrap (from Debian's package mirror) in place of
``python:3.11-slim-bookworm``, and this machine's Go and Rust toolchains copied in place of the
step that downloads them (a note says when their versions are not the Dockerfile's). Needs
root, podman or docker, and debootstrap.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.perforch_bot.events.payloads import load  # noqa: E402
from tests.support import github_bodies as routes  # noqa: E402
from tests.support.action_run import FAST, calc_workspace, environment  # noqa: E402
from tests.support.github_server import serve_github  # noqa: E402
from tests.support.openai_server import Reply, serve_openai  # noqa: E402

BASE = "docker.io/library/python:3.11-slim-bookworm"
# The Dockerfile's toolchain download step, which --offline replaces (first and last text).
DOWNLOAD_STEP = ("RUN curl -fsSL", "go version && rustc --version")
RUNNER_UID = 1001  # the user GitHub's hosted runners check repositories out as


def run(
    command: list[str], timeout: float, *, capture: bool = False, quiet: bool = False
) -> subprocess.CompletedProcess[str]:
    """``command``'s exit code (and output, when captured); ``quiet`` drops its stdout."""
    print("+", " ".join(command[:6]), "..." if len(command) > 6 else "", flush=True)
    stdout = subprocess.PIPE if capture else subprocess.DEVNULL if quiet else None
    return subprocess.run(
        command,
        text=True,
        timeout=timeout,
        check=False,
        stdout=stdout,
        stderr=subprocess.PIPE if capture else None,
    )


def output(command: list[str]) -> str:
    """``command``'s stdout; a clear stop when it fails."""
    done = run(command, 120, capture=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()[-1000:]}")
    return done.stdout


def offline_base(engine: str, work: Path) -> None:
    """The python:3.11-slim-bookworm stand-in: Debian bookworm, its Python 3.11 as ``python``
    and ``pip`` (without Debian's externally-managed marker, as in the official image), and
    this machine's extra CA certificates (registries here are reached through a proxy)."""
    if run([engine, "image", "inspect", BASE], 60, quiet=True).returncode == 0:
        print(f"offline stand-in: {BASE} is already here (remove it to make it again)")
        return
    rootfs = work / "rootfs"
    mirror = "http://deb.debian.org/debian"
    debootstrap = ["debootstrap", "--variant=minbase", "bookworm", str(rootfs), mirror]
    if run(debootstrap, 1800, quiet=True).returncode != 0:
        raise SystemExit("debootstrap failed: is Debian's mirror reachable?")
    shutil.copy("/etc/resolv.conf", rootfs / "etc" / "resolv.conf")
    for cert in Path("/usr/local/share/ca-certificates").glob("*.crt"):
        shutil.copy(cert, rootfs / "usr" / "local" / "share" / "ca-certificates")
    (rootfs / "etc" / "apt" / "sources.list").write_text(
        "deb http://deb.debian.org/debian bookworm main\n"
        "deb http://deb.debian.org/debian bookworm-updates main\n"
        "deb http://deb.debian.org/debian-security bookworm-security main\n"
    )
    script = (
        "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
        "--no-install-recommends python3 python3-pip python3-venv ca-certificates "
        "&& update-ca-certificates && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED "
        "&& ln -s /usr/bin/python3 /usr/local/bin/python && ln -s /usr/bin/pip3 /usr/local/bin/pip "
        "&& rm -rf /var/lib/apt/lists/*"
    )
    if run(["chroot", str(rootfs), "/bin/sh", "-c", script], 1800).returncode != 0:
        raise SystemExit("installing Python into the base failed")
    (rootfs / "etc" / "resolv.conf").write_text("")
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    changes = [
        "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
        "ENV LANG=C.UTF-8",
        f"ENV SSL_CERT_FILE={bundle}",
        f"ENV PIP_CERT={bundle}",
        f"ENV CARGO_HTTP_CAINFO={bundle}",
    ]
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    flags = [arg for change in changes for arg in ("--change", change)]
    imported = subprocess.run(
        [engine, "import", *flags, "-", BASE], stdin=tar.stdout, check=False, timeout=1800
    )
    tar.wait()
    if imported.returncode != 0 or tar.returncode != 0:
        raise SystemExit(f"{engine} import of the base failed")


def offline_context(work: Path) -> Path:
    """The build context (the work tree's tracked files, as `docker build .` would see them)
    with this machine's Go and Rust in place of the download step."""
    context = work / "context"
    for name in filter(None, output(["git", "-C", str(REPO), "ls-files", "-z"]).split("\0")):
        if (REPO / name).is_file():
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, context / name)
    go = Path(shutil.which("go") or "/usr/local/go/bin/go").resolve().parent.parent
    toolchain = Path(output(["rustc", "--print", "sysroot"]).strip())
    version = output([str(toolchain / "bin" / "rustc"), "--version"]).split()[1]
    name = f"{version}-x86_64-unknown-linux-gnu"
    tools = context / "toolchains"
    shutil.copytree(go, tools / "go", symlinks=True)
    for part in ("bin", "lib", "libexec", "etc"):
        if (toolchain / part).exists():
            shutil.copytree(
                toolchain / part, tools / "rustup" / "toolchains" / name / part, symlinks=True
            )
    (tools / "rustup" / "settings.toml").write_text(
        f'version = "12"\ndefault_toolchain = "{name}"\n'
    )
    rustup = shutil.which("rustup") or str(Path.home() / ".cargo" / "bin" / "rustup")
    (tools / "cargo" / "bin").mkdir(parents=True)
    for proxy in ("rustup", "cargo", "rustc", "rustdoc"):
        shutil.copy(rustup, tools / "cargo" / "bin" / proxy)
    dockerfile = (context / "Dockerfile").read_text()
    go_version = output([str(go / "bin" / "go"), "version"]).split()[2]
    for pin, found in (("GO_VERSION", go_version.removeprefix("go")), ("RUST_VERSION", name)):
        if f"ARG {pin}={found.split('-')[0]}\n" not in dockerfile:
            print(f"check_image: note: the stand-in's {found} is not the Dockerfile's {pin}")
    start = dockerfile.index(DOWNLOAD_STEP[0])
    end = dockerfile.index(DOWNLOAD_STEP[1], start) + len(DOWNLOAD_STEP[1])
    stand_in = (
        "COPY toolchains/go /usr/local/go\nCOPY toolchains/rustup /usr/local/rustup\n"
        "COPY toolchains/cargo /usr/local/cargo\nRUN go version && rustc --version"
    )
    (context / "Dockerfile").write_text(dockerfile[:start] + stand_in + dockerfile[end:])
    print(f"offline stand-ins: {BASE} from debootstrap; Go from {go}; Rust {name} from {toolchain}")
    return context


def perforch_in(
    engine: str, image: str, args: list[str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """``perforch ARGS`` in a fresh container of ``image``, its cache where the image has it."""
    entry = [engine, "run", "--rm", "--entrypoint", "perforch", image]
    return run([*entry, *args, "--cache-dir", "/var/cache/perforch"], timeout, capture=True)


def check_doctor(engine: str, image: str) -> list[str]:
    done = perforch_in(engine, image, ["doctor", "--json"], 600)
    if done.returncode != 0:
        return [f"doctor exited {done.returncode}: {done.stderr[-2000:]}"]
    report = json.loads(done.stdout)
    problems = [
        f"{row['language']}: {row['problem']}" for row in report["languages"] if not row["ok"]
    ]
    working = [row["backend"] for row in report["backends"] if row["works"]]
    print(f"doctor: languages ok; backends that work: {', '.join(working) or 'none'}")
    return problems + ([] if working else ["no sandbox backend works in the container"])


def check_examples(engine: str, image: str) -> list[str]:
    done = perforch_in(engine, image, ["bench", "--examples", "--json"], 1800)
    if done.returncode != 0:
        return [f"bench --examples exited {done.returncode}: {done.stderr[-2000:]}"]
    results = json.loads(done.stdout)
    for result in results:
        print(f"bench --examples: {result['language']} {result['function']}: {result['summary']}")
    return [f"{r['language']}: {r['status']}" for r in results if r["status"] != "faster"] + (
        [] if len(results) == 5 else [f"{len(results)} examples, not 5"]
    )


def check_action(engine: str, image: str, work: Path) -> list[str]:
    """The Action on a pull_request event. The servers listen on the host's loopback, so the
    container shares the host's network; paths are mounted at the same place inside."""
    root = work / "action"
    root.mkdir(mode=0o755)
    with serve_openai() as openai, serve_github() as github:
        ws = calc_workspace(root, openai.api_base)
        payload = load("pull_request", "opened")
        payload["pull_request"]["head"]["sha"] = ws.head_sha
        files: dict[str, str | None] = {"calc.py": ws.patch("calc.py")}
        github.add_pull(payload["number"], head_sha=ws.head_sha, base_sha=ws.base_sha, files=files)
        github.set_permission(payload["sender"]["login"], "write")
        openai.script("alpha", Reply(f"```python\n{FAST}```"))
        env = environment(root, github, openai, ws, "pull_request", payload, None)
        # As GitHub runs a container action: the checkout belongs to the runner's user (1001),
        # HOME is a directory of its own, and the work directory is the checkout.
        (root / "home").mkdir()
        env["HOME"] = str(root / "home")
        for path in [root, *root.rglob("*")]:
            os.chown(path, RUNNER_UID, RUNNER_UID, follow_symlinks=False)
        command = [engine, "run", "--rm", "--network", "host", "-v", f"{root}:{root}"]
        command += ["--workdir", str(ws.path)]
        command += [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        done = run([*command, image], 1800, capture=True)
        print(done.stdout[-3000:])
        reviews = github.requests_to(routes.REVIEWS)
        comments = github.requests_to(routes.NEW_COMMENT)
    problems = (
        []
        if done.returncode == 0
        else [f"the Action exited {done.returncode}: {done.stderr[-2000:]}"]
    )
    if len(reviews) != 1 or "```suggestion" not in json.dumps(reviews[0].body):
        problems.append(f"expected one review with a suggestion, got {len(reviews)}")
    if len(comments) != 1 or "| faster |" not in comments[0].body["body"]:
        problems.append(f"expected one summary comment saying faster, got {len(comments)}")
    output = (root / "output").read_text() if (root / "output").exists() else ""
    if "improved=1\n" not in output:
        problems.append(f"the Action's outputs lack improved=1: {output!r}")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default="perforch-action:check")
    parser.add_argument("--engine", default="podman" if shutil.which("podman") else "docker")
    parser.add_argument("--build", action="store_true", help="build the image first")
    parser.add_argument("--offline", action="store_true", help="build with local stand-ins")
    args = parser.parse_args(argv)
    # Under /var/tmp, not /tmp: the landlock backend's run users must enter every directory.
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="perforch-image-") as scratch:
        work = Path(scratch)
        work.chmod(0o755)
        if args.build:
            context = REPO
            if args.offline:
                offline_base(args.engine, work)
                context = offline_context(work)
            pull = ["--pull=never"] if args.offline else []
            if run([args.engine, "build", *pull, "-t", args.image, str(context)], 3600).returncode:
                print("check_image: the build failed (its output is above)")
                return 1
        problems = check_doctor(args.engine, args.image)
        problems += check_examples(args.engine, args.image)
        problems += check_action(args.engine, args.image, work)
    for problem in problems:
        print(f"check_image: FAILED: {problem}")
    print(
        "check_image: all checks passed"
        if not problems
        else f"check_image: {len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
