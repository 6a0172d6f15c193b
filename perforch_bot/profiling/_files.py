"""The model's profile file: found in the profiles folder (or named after the model), and the
run's figures merged into it with ``update_profile``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from perforch_bot.profiles import MeasuredRun, Profile, load_profile, update_profile, write_profile
from perforch_bot.profiling._figures import measured_values, run_source
from perforch_bot.profiling._model import BENCHMARK, ProfileConfig, ProfileResult, ProfilingError

HEADER = (
    "Model profile: every figure cites a source below; `unknown` means no source gives it.",
    "Figures citing a perforch-profile-* source were measured by `perforch profile` (benchmark",
    f"'{BENCHMARK}'), with their sample sizes; run it again to refresh them. The other",
    "figures come from the sources they cite (profiles/README.md); they are kept as they were.",
)


def profile_path(directory: Path, model: str) -> Path:
    """The file in ``directory`` that holds ``model``'s profile, or where a new one goes
    (``provider__name.yml``, as the seed profiles are named)."""
    if directory.exists() and not directory.is_dir():
        raise ProfilingError(f"{directory} is not a folder; pass --profiles DIR (a folder)")
    if directory.is_dir():
        for path in sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")]):
            if load_profile(path).model == model:
                return path
    return directory / (model.replace("/", "__").replace(":", "_") + ".yml")


def write_measurements(
    result: ProfileResult,
    config: ProfileConfig,
    directory: Path,
    *,
    started: datetime,
    backend: str,
    api_key_env: str | None = None,
) -> tuple[Path, Profile, str]:
    """Merge the run's figures into the model's profile; returns its path, the profile written
    and the run's source id. A new profile also records the run's api_base and key variable."""
    values = measured_values(result, config)
    if not values:
        raise ProfilingError(
            f"nothing was measured for {config.model} (every call failed or was refused), "
            "so its profile was left as it is"
        )
    path = profile_path(directory, config.model)
    created = not path.exists()
    source_id, source = run_source(result, config, started, backend)
    merged = update_profile(
        path, MeasuredRun(source_id, source, values), model=config.model, header=HEADER
    )
    if created and (config.endpoint.api_base or api_key_env):
        merged = merged.model_copy(
            update={"api_base": config.endpoint.api_base, "api_key_env": api_key_env}
        )
        write_profile(path, Profile.model_validate(merged.model_dump()), HEADER)
    return path, merged, source_id
