# The Action's container: Python, the five languages' toolchains, the sandbox's tools and
# PerfOrch with its pinned dependencies. Old and new code are benchmarked inside it.
# No secrets are baked in: keys arrive at run time as environment variables.
FROM python:3.11-slim-bookworm

# The Go and Rust the test suite runs with (the Go driver also builds with 1.22, its minimum).
ARG GO_VERSION=1.26.8
ARG RUST_VERSION=1.95.0

ENV LITELLM_LOCAL_MODEL_COST_MAP=True \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/go/bin:/usr/local/cargo/bin:$PATH

# bubblewrap: the namespace sandbox, for runners that allow namespaces in containers; under
# Docker's default seccomp profile they do not, and the sandbox falls back to Landlock, whose
# launcher `perforch doctor` below builds with gcc into the cache;
# g++/Boost/OpenSSL: C++ and HumanEval-X's headers;
# the JDK for Java; git for diffs and revisions; valgrind for exact instruction counts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        bubblewrap ca-certificates curl g++ git libboost-dev libssl-dev \
        openjdk-17-jdk-headless valgrind \
    && rm -rf /var/lib/apt/lists/*

# Debian's Go (1.19) and Rust (1.63) are older than the drivers need.
RUN curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" | tar -C /usr/local -xz \
    && curl -fsSL https://sh.rustup.rs \
        | sh -s -- -y --profile minimal --default-toolchain "${RUST_VERSION}" --no-modify-path \
    && go version && rustc --version

WORKDIR /opt/perforch
COPY pyproject.toml README.md ./
COPY perforch_bot ./perforch_bot
COPY sandbox ./sandbox
COPY action ./action
COPY profiles ./profiles
# Editable, so the seed profiles stay where the package finds them (next to it).
RUN pip install -e . \
    && perforch setup --quiet --cache-dir /var/cache/perforch \
    && perforch doctor --cache-dir /var/cache/perforch

ENV PERFORCH_CACHE_DIR=/var/cache/perforch
ENTRYPOINT ["python", "-m", "action"]
