"""Build the seed profiles in this folder from published figures only.

Reads the CSV files of ``shared/data/model-benchmarks`` (see its README: every value there was
read from the source named in its row) and writes one YAML profile per model listed in
``seed_models.toml``. Which source row belongs to which litellm model is a judgement; it is
made there, in one table, with the source spellings kept in each profile's ``source_names``.
Processing is limited to: percent -> fraction, USD per 1M tokens as the CSV gives them, and one
documented derivation (Aider's repair rate from its published counts). Everything a source does
not give is written ``unknown``.

Deterministic: the same data gives byte-identical files. ``--check`` compares instead of
writing (exit 1 if a file differs). A seed file that ``perforch profile`` has since updated
(it cites sources this script does not produce) is not overwritten without ``--force``.

    .venv/bin/python profiles/build_seed.py [--data DIR] [--out DIR] [--check] [--force]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perforch_bot.profiles import (
    LANGUAGES,
    STAGE_METRICS,
    STAGES,
    Profile,
    Source,
    dump_profile,
    load_profile,
)

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "model-benchmarks"
HEADER = (
    "Seed profile built by profiles/build_seed.py from published figures only",
    "(shared/data/model-benchmarks; see profiles/README.md). Every number cites a source",
    "below; `unknown` means no source gives it. Measure with `perforch profile` to add",
    "your own figures (they are merged in, sources kept).",
)


@dataclass(frozen=True)
class Seed:
    """One model and the source rows that describe it (names as each source writes them)."""

    model: str
    name: str
    api_key_env: str | None = None
    api_base: str | None = None
    mceval: str | None = None
    enamel: str | None = None
    aider: tuple[str, str] | None = None  # (source id, model as written)
    perforch: str | None = None
    effibench_x: str | None = None
    priced: bool = True
    notes: tuple[str, ...] = ()


def seeds(path: Path = HERE / "seed_models.toml") -> tuple[Seed, ...]:
    """The models to build profiles for (``seed_models.toml``), in file order."""
    with path.open("rb") as handle:
        table = tomllib.load(handle)
    return tuple(
        Seed(
            **{
                **entry,
                "aider": tuple(entry["aider"]) if "aider" in entry else None,
                "notes": tuple(entry.get("notes", ())),
            }
        )
        for entry in table["seed"]
    )


# ---------------------------------------------------------------- reading the CSV files


def read_rows(data: Path, name: str) -> list[dict[str, str]]:
    path = data / name
    if not path.is_file():
        raise SystemExit(f"{path}: missing; pass --data pointing at shared/data/model-benchmarks")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pick(rows: Iterable[dict[str, str]], **wanted: str) -> list[dict[str, str]]:
    return [r for r in rows if all(r[k] == v for k, v in wanted.items())]


def one(rows: Iterable[dict[str, str]], **wanted: str) -> dict[str, str]:
    found = pick(rows, **wanted)
    if len(found) != 1:
        raise SystemExit(f"expected exactly one row for {wanted}, found {len(found)}")
    return found[0]


def number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------- building one profile


class Builder:
    def __init__(self, seed: Seed) -> None:
        self.seed = seed
        self.sources: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}
        self.metrics: dict[str, dict[str, dict[str, dict[str, Any]]]] = {
            language: {
                stage: {"all": dict.fromkeys(STAGE_METRICS[stage].model_fields, "unknown")}
                for stage in STAGES
            }
            for language in ("all", *LANGUAGES)
        }

    def source(self, source_id: str, source: Source, name: str) -> None:
        self.sources[source_id] = source.model_dump(mode="json")
        self.names[source_id] = name

    def add(
        self,
        language: str,
        stage: str,
        metric: str,
        value: float,
        source_id: str,
        sample_size: int | None = None,
        note: str | None = None,
    ) -> None:
        cell = self.metrics[language][stage]["all"]
        existing = [] if cell[metric] == "unknown" else cell[metric]
        measurement = {"value": value, "source": source_id, "sample_size": sample_size}
        cell[metric] = [*existing, {**measurement, "note": note}]

    def profile(self, prices: Any) -> Profile:
        return Profile.model_validate(
            {
                "model": self.seed.model,
                "name": self.seed.name,
                "api_base": self.seed.api_base,
                "api_key_env": self.seed.api_key_env,
                "source_names": self.names,
                "notes": list(self.seed.notes),
                "sources": self.sources,
                "prices": prices,
                "metrics": self.metrics,
            }
        )


def add_mceval(builder: Builder, rows: list[dict[str, str]], name: str) -> None:
    mine = pick(rows, model=name, metric="pass@1")
    if len(mine) != 6:
        raise SystemExit(f"McEval: expected 5 languages and the average for {name!r}")
    builder.source(
        "mceval",
        Source(
            citation="McEval: Massively Multilingual Code Evaluation (Chai, Liu, Yang et al., "
            "arXiv preprint, 2024); leaderboard data of github.com/MCEVAL/mceval.github.io",
            table=f"src/mocks/code_complete.json @8d66910 ('Complete' tab = code generation), "
            f"row {name!r}, columns Python, C++, Java, Go, Rust and AVG",
            date=mine[0]["date"],
            benchmark="McEval generation",
            url="https://github.com/MCEVAL/mceval.github.io",
            license="CC BY-SA 4.0",
            notes="pass@1 as a fraction, rounded to 3 decimals as the leaderboard shows it; "
            "language `all` is McEval's average over its 40 languages; the source gives no "
            "sample size. Read from shared/data/model-benchmarks/mceval_generation_leaderboard.csv",
        ),
        name,
    )
    for row in mine:
        language = "all" if row["language"].startswith("all") else row["language"]
        builder.add(language, "generate", "pass_rate", number(row["value"]), "mceval")


def add_enamel(builder: Builder, rows: list[dict[str, str]], name: str) -> None:
    efficiency = one(rows, model=name, metric="eff@1")
    passed = one(rows, model=name, metric="pass@1")
    builder.source(
        "enamel",
        Source(
            citation="Qiu, Zeng, Ezick, Lott, Tong: How efficient is LLM-generated code? A "
            "rigorous & high-standard benchmark (ENAMEL), arXiv 2406.06647, ICLR 2025",
            table=f"README.md 'LLM Leaderboard' table of github.com/q-rz/enamel @b97da79, "
            f"row {name!r} (greedy decoding), columns eff@1 and pass@1",
            date=efficiency["date"],
            benchmark="ENAMEL (142 HumanEval-derived problems, Python)",
            url="https://github.com/q-rz/enamel",
            license="Apache-2.0",
            notes="efficiency = eff@1 (efficiency vs expert reference solutions, 0..1, includes "
            "correctness); sample size = the 142 problems. Read from "
            "shared/data/model-benchmarks/enamel_efficiency_leaderboard.csv",
        ),
        name,
    )
    builder.add("python", "generate", "pass_rate", number(passed["value"]), "enamel", 142)
    builder.add("python", "generate", "efficiency", number(efficiency["value"]), "enamel", 142)


def add_aider(builder: Builder, rows: list[dict[str, str]], source: str, name: str) -> None:
    mine = pick(rows, source=source, model=name)
    metric = {r["metric"]: r for r in mine}
    first, second = metric["pass_num_1"], metric["pass_num_2"]
    cases_match = re.search(r"test_cases=(\d+)", first["notes"])
    dirname = re.search(r"dirname=([^;]+)", first["notes"])
    if cases_match is None or dirname is None:
        raise SystemExit(f"Aider {name!r}: notes lack test_cases or dirname")
    cases = int(cases_match.group(1))
    passed_1, passed_2 = int(number(first["value"])), int(number(second["value"]))
    file = source.split(":", 1)[1].replace("@", " @")
    builder.source(
        "aider",
        Source(
            citation=f"Aider polyglot benchmark results, github.com/Aider-AI/aider, "
            f"aider/website/_data/{file}",
            table=f"entry dirname={dirname.group(1)} (model {name!r}, {first['model_variant']})",
            date=first["date"],
            benchmark="Aider polyglot",
            url="https://aider.chat/docs/leaderboards/",
            license="Apache-2.0",
            notes=f"{cases} Exercism exercises pooled over C++, Go, Java, JavaScript, Python and "
            "Rust (no per-language split is published), so only language `all` has figures. "
            "pass_rate = pass_rate_1 / 100; repair_rate derived from the published counts; "
            "latency_seconds = seconds_per_case (one exercise, first attempt and fix attempt "
            "together). Read from shared/data/model-benchmarks/aider_polyglot_leaderboard.csv",
        ),
        name,
    )
    rate_1 = round(number(metric["pass_rate_1"]["value"]) / 100, 6)
    builder.add("all", "generate", "pass_rate", rate_1, "aider", cases)
    failing = cases - passed_1
    builder.add(
        "all",
        "fix",
        "repair_rate",
        round((passed_2 - passed_1) / failing, 4),
        "aider",
        failing,
        f"derived: (pass_num_2 - pass_num_1) / (test_cases - pass_num_1) = "
        f"({passed_2} - {passed_1}) / ({cases} - {passed_1}); share of exercises failing the "
        "first attempt that pass after one round with the failing test output",
    )
    seconds = number(metric["seconds_per_case"]["value"])
    for stage in ("generate", "fix"):
        builder.add(
            "all",
            stage,
            "latency_seconds",
            seconds,
            "aider",
            cases,
            "seconds_per_case: wall clock per exercise, covering both attempts and test runs",
        )


def add_perforch(builder: Builder, rows: list[dict[str, str]], name: str) -> None:
    for benchmark in ("HumanEval-X", "EffiBench-X"):
        row = one(
            rows,
            source="perforch:arXiv2510.01379v1-abstract",
            model=name,
            benchmark=benchmark,
            metric="average correctness rate",
        )
        source_id = f"perforch-{benchmark.lower()}"
        builder.source(
            source_id,
            Source(
                citation="Chen, Qi, Li, Chen, Chen, Peng, Kim, Lee, He: Beyond Single LLMs: "
                "Enhanced Code Generation via Multi-Stage Performance-Guided LLM Orchestration, "
                "arXiv 2510.01379v1",
                table="abstract: single-model baseline, average correctness over Python, Java, "
                f"C++, Go and Rust on {benchmark}",
                date=row["date"],
                benchmark=f"{benchmark} (PerfOrch paper v1)",
                url="https://arxiv.org/abs/2510.01379",
                notes="percent in the abstract, written as a fraction; the abstract gives no "
                "sample size. Read from shared/data/model-benchmarks/perforch_abstract.csv",
            ),
            name,
        )
        value = round(number(row["value"]) / 100, 6)
        builder.add("all", "generate", "pass_rate", value, source_id)


def add_effibench_x(builder: Builder, rows: list[dict[str, str]], name: str) -> None:
    row = one(rows, model=name)
    builder.source(
        "effibench-x",
        Source(
            citation="Qing, Zhu, Du et al.: EffiBench-X: A Multi-Language Benchmark for "
            "Measuring Efficiency of LLM-Generated Code, arXiv 2505.13004v1",
            table="abstract: the most efficient model's code reaches around 62% of human-expert "
            "efficiency on average over Python, C++, Java, JavaScript, Ruby and Go",
            date=row["date"],
            benchmark="EffiBench-X efficiency (6 languages)",
            url="https://arxiv.org/abs/2505.13004",
            license="Apache-2.0 (code and dataset)",
            notes="'around 62%' written as 0.62; the abstract gives no sample size. Read from "
            "shared/data/model-benchmarks/effibench_x_abstract.csv",
        ),
        name,
    )
    builder.add(
        "all", "generate", "efficiency", round(number(row["value"]) / 100, 6), "effibench-x"
    )


def prices_for(builder: Builder, rows: list[dict[str, str]], key: str) -> Any:
    candidates = pick(rows, model=key)
    versions = sorted({r["source"].split()[0] for r in candidates}, key=_version_key)
    if not versions:
        raise SystemExit(f"no litellm price for {key!r}")
    version = versions[-1]  # the newer price map that still lists the model
    mine = [r for r in candidates if r["source"].split()[0] == version]
    input_row = one(mine, metric="input_price")
    output_row = one(mine, metric="output_price")
    package = version.removeprefix("prices:")
    deprecation = re.search(r"deprecation_date=([0-9-]+)", input_row["notes"])
    builder.source(
        "prices",
        Source(
            citation=f"litellm model price map as shipped in the PyPI package {package} "
            "(litellm/model_prices_and_context_window_backup.json); github.com/BerriAI/litellm",
            table=f"entry {key!r} ({input_row['model_variant']}): input_cost_per_token and "
            "output_cost_per_token x 1,000,000",
            date=f"not given by the source (release date of {package} not recorded)",
            benchmark="price list",
            url="https://github.com/BerriAI/litellm",
            license="MIT",
            notes="litellm's record of list prices, not the provider's page. Read from "
            "shared/data/model-benchmarks/llm_api_prices_litellm.csv"
            + (f"; litellm deprecation_date {deprecation.group(1)}" if deprecation else ""),
        ),
        key,
    )
    return {
        "input_per_million": number(input_row["value"]),
        "output_per_million": number(output_row["value"]),
        "source": "prices",
        "note": f"raw per token: {input_row['notes'].split('raw_per_token=')[-1]} input, "
        f"{output_row['notes'].split('raw_per_token=')[-1]} output",
    }


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def build(data: Path) -> dict[str, Profile]:
    tables = {
        name: read_rows(data, f"{name}.csv")
        for name in (
            "mceval_generation_leaderboard",
            "enamel_efficiency_leaderboard",
            "aider_polyglot_leaderboard",
            "perforch_abstract",
            "effibench_x_abstract",
            "llm_api_prices_litellm",
        )
    }
    profiles: dict[str, Profile] = {}
    for seed in seeds():
        builder = Builder(seed)
        if seed.mceval:
            add_mceval(builder, tables["mceval_generation_leaderboard"], seed.mceval)
        if seed.enamel:
            add_enamel(builder, tables["enamel_efficiency_leaderboard"], seed.enamel)
        if seed.aider:
            add_aider(builder, tables["aider_polyglot_leaderboard"], *seed.aider)
        if seed.perforch:
            add_perforch(builder, tables["perforch_abstract"], seed.perforch)
        if seed.effibench_x:
            add_effibench_x(builder, tables["effibench_x_abstract"], seed.effibench_x)
        prices = (
            prices_for(builder, tables["llm_api_prices_litellm"], seed.model)
            if seed.priced
            else "unknown"
        )
        profiles[file_name(seed.model)] = builder.profile(prices)
    return profiles


def file_name(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model.replace("/", "__")) + ".yml"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--force", action="store_true", help="overwrite measured profiles too")
    args = parser.parse_args(argv)
    profiles = build(args.data)
    stale = _write_or_check(profiles, args.out, check=args.check, force=args.force)
    for line in stale:
        sys.stderr.write(line + "\n")
    sys.stdout.write(f"{len(profiles)} seed profiles {'checked' if args.check else 'written'}\n")
    return 1 if stale else 0


def _write_or_check(
    profiles: Mapping[str, Profile], out: Path, *, check: bool, force: bool
) -> list[str]:
    problems: list[str] = []
    out.mkdir(parents=True, exist_ok=True)
    for name, profile in profiles.items():
        path = out / name
        text = dump_profile(profile, HEADER)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != text:
                problems.append(f"{path}: differs from what build_seed.py makes; re-run it")
            continue
        if current is not None and not force:
            extra = set(load_profile(path).sources) - set(profile.sources)
            if extra:
                problems.append(
                    f"{path}: has measured sources ({', '.join(sorted(extra))}); kept "
                    "(--force overwrites)"
                )
                continue
        path.write_text(text, encoding="utf-8")
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
