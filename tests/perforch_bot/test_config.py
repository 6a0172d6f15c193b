"""``.perforch.yml``: defaults, every key read, and errors that name file, key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from perforch_bot.config import (
    ConfigError,
    ModelSettings,
    Settings,
    find_config,
    load_config,
    settings_for,
)


def _write(directory: Path, text: str, name: str = ".perforch.yml") -> Path:
    path = directory / name
    path.write_text(text)
    return path


def test_defaults_when_the_file_is_absent_or_empty(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    defaults = settings_for(tmp_path)
    assert defaults == Settings()
    assert defaults.models is None and defaults.profiles_dir is None
    assert defaults.languages == ("python", "java", "cpp", "go", "rust")
    assert defaults.weights.as_mapping() == {
        "correctness": 0.4,
        "speed": 0.3,
        "memory": 0.1,
        "cost": 0.1,
        "latency": 0.1,
    }
    assert (defaults.fix_rounds, defaults.refine_rounds, defaults.min_effect) == (2, 2, 0.03)
    _write(tmp_path, "")
    assert settings_for(tmp_path) == Settings()


def test_every_key_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
weights: {correctness: 1, speed: 0.5, memory: 0, cost: 0.25, latency: 0}
models:
  - gpt-4.1
  - model: openai/qwen2.5-coder
    api_base: http://127.0.0.1:8000/v1
    api_key_env: LOCAL_KEY
max_cost_usd: 0.25
fix_rounds: 3
refine_rounds: 1
min_effect: 0.05
languages: [C++, go, python]
include: ['src/**']
exclude: ['**/vendor/**']
profiles_dir: my-profiles
expected_tokens:
  refine: {prompt: 4000, completion: 2000}
""",
    )
    settings = load_config(path)
    assert settings.weights.as_mapping() == {
        "correctness": 1.0,
        "speed": 0.5,
        "memory": 0.0,
        "cost": 0.25,
        "latency": 0.0,
    }
    assert settings.models == (
        ModelSettings(model="gpt-4.1"),
        ModelSettings(
            model="openai/qwen2.5-coder",
            api_base="http://127.0.0.1:8000/v1",
            api_key_env="LOCAL_KEY",
        ),
    )
    assert (settings.max_cost_usd, settings.fix_rounds, settings.refine_rounds) == (0.25, 3, 1)
    assert settings.min_effect == 0.05
    assert settings.languages == ("cpp", "go", "python")
    assert (settings.include, settings.exclude) == (("src/**",), ("**/vendor/**",))
    assert settings.profiles_dir == (tmp_path / "my-profiles").resolve()
    assert settings.expected_tokens.for_stage("refine").prompt == 4000
    assert settings.expected_tokens.for_stage("generate").prompt == 1500  # default kept
    assert settings_for(tmp_path) == settings


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_config(_write(tmp_path, "fix_rounds: 1\n"))
    with pytest.raises(ValidationError):
        settings.fix_rounds = 5  # type: ignore[misc]


def _error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    return message


def test_misspelt_keys_name_the_key_and_suggest(tmp_path: Path) -> None:
    message = _error(tmp_path, "wieghts: {speed: 1}\nweights: {corectness: 1}\n")
    assert "wieghts: unknown key `wieghts`; did you mean `weights`?" in message
    assert "weights.corectness: unknown key `corectness`; did you mean `correctness`?" in message
    assert "valid keys here: correctness, speed, memory, cost, latency" in message


def test_bad_values_say_what_to_write(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        "weights: {speed: fast}\nfix_rounds: 20\nmin_effect: 3\nlanguages: [haskell]\n"
        "max_cost_usd: 0\n",
    )
    assert "5 problem(s)" in message
    assert "weights.speed: Input should be a valid number" in message
    assert "(got 'fast')" in message
    assert "fix_rounds: Input should be less than or equal to 10 (got 20); write a whole" in message
    assert "min_effect:" in message and "`min_effect: 0.03` for 3%" in message
    assert "languages[0]:" in message and "(got 'haskell')" in message
    assert "max_cost_usd: Input should be greater than 0" in message


def test_api_keys_are_refused_and_not_echoed(tmp_path: Path) -> None:
    message = _error(tmp_path, "models:\n  - {model: gpt-4.1, api_key_env: sk-live-123456}\n")
    assert "models[0].api_key_env: must be the NAME of an environment variable" in message
    assert "sk-live-123456" not in message


def test_weights_cannot_all_be_zero(tmp_path: Path) -> None:
    zero = "{correctness: 0, speed: 0, memory: 0, cost: 0, latency: 0}"
    message = _error(tmp_path, f"weights: {zero}\n")
    assert "at least one weight must be above 0" in message


def test_models_must_be_distinct_and_non_empty(tmp_path: Path) -> None:
    assert "listed twice: gpt-4.1" in _error(tmp_path, "models: [gpt-4.1, gpt-4.1]\n")
    assert "list at least one model" in _error(tmp_path, "models: []\n")


def test_not_yaml_or_not_a_mapping(tmp_path: Path) -> None:
    assert "not valid YAML at line 2" in _error(tmp_path, "fix_rounds: 1\nweights: {a: b: c}\n")
    assert "expected a mapping of keys" in _error(tmp_path, "- a\n- b\n")


def test_missing_file_given_explicitly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yml")


def test_yaml_extension_is_found(tmp_path: Path) -> None:
    path = _write(tmp_path, "refine_rounds: 0\n", name=".perforch.yaml")
    assert find_config(tmp_path) == path
    assert settings_for(tmp_path).refine_rounds == 0
