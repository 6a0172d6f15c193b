"""The ``replay/`` provider and the recorder: real answers from the scripted server are recorded,
then served from the file through litellm, labelled as recorded, without any request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from perforch_bot.llm import (
    CostTracker,
    LLMConfigError,
    LLMRequest,
    LLMSettings,
    Message,
    ModelEndpoint,
    ReplayFile,
    ReplayMiss,
    complete,
    complete_with_fallback,
    prompt_hash,
)
from tests.support.openai_server import OpenAIServer, Reply

ANSWER = "Faster:\n```python\ndef total(values):\n    return sum(values)\n```\n"
MESSAGES = (Message("user", "Make total() faster:\ndef total(values): ..."),)
SETTINGS = LLMSettings(timeout_s=5, max_tokens=256)


def live(server: OpenAIServer, stage: str = "refine", key: str | None = None) -> LLMRequest:
    endpoint = ModelEndpoint("openai/coder", api_base=server.api_base, api_key=server.api_key)
    return LLMRequest(endpoint, stage, MESSAGES, replay_key=key)


def replayed(
    recording: Path,
    stage: str = "refine",
    key: str | None = None,
    messages: tuple[Message, ...] = MESSAGES,
) -> LLMRequest:
    endpoint = ModelEndpoint("replay/openai/coder", api_base=str(recording))
    return LLMRequest(endpoint, stage, messages, replay_key=key)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_recorded_answers_are_served_back_labelled(
    openai_server: OpenAIServer, tmp_path: Path, suffix: str
) -> None:
    recording = tmp_path / f"recording{suffix}"
    openai_server.script("coder", Reply(ANSWER, prompt_tokens=40, completion_tokens=25))
    recorder = LLMSettings(timeout_s=5, max_tokens=256, record_to=recording)
    original = complete(live(openai_server), settings=recorder, costs=CostTracker())
    assert not original.recorded

    costs = CostTracker()
    response = complete(replayed(recording), settings=SETTINGS, costs=costs)

    assert len(openai_server.requests) == 1  # the replay asked nobody
    assert response.text == original.text == ANSWER
    assert response.recorded and response.record.recorded
    assert response.model == "replay/openai/coder"
    assert response.label == "replay/openai/coder (recorded response)"
    assert (response.record.prompt_tokens, response.record.completion_tokens) == (40, 25)
    assert (response.record.cost_usd, response.record.cost_source) == (0.0, "replay")
    assert costs.summary().recorded_calls == 1


def test_the_recording_holds_what_was_sent_and_answered(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    recording = tmp_path / "recording.yaml"
    openai_server.script("coder", Reply(ANSWER))
    settings = LLMSettings(timeout_s=5, record_to=recording)

    complete(
        live(openai_server, key="example.py::total:refine:1"),
        settings=settings,
        costs=CostTracker(),
    )

    text = recording.read_text()
    assert "response: |" in text  # code is kept readable as a YAML block
    [entry] = ReplayFile.model_validate(yaml.safe_load(text)).entries
    assert (entry.model, entry.stage, entry.key) == (
        "openai/coder",
        "refine",
        "example.py::total:refine:1",
    )
    sent = openai_server.requests[0].messages
    assert entry.prompt_sha256 == prompt_hash(sent)
    assert entry.response == ANSWER and entry.recorded_at


def test_recording_the_same_request_again_replaces_its_entry(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    recording = tmp_path / "recording.json"
    openai_server.script("coder", Reply("first"), Reply("second"), Reply("other stage"))
    settings = LLMSettings(timeout_s=5, record_to=recording)
    for stage in ("refine", "refine", "fix"):
        complete(live(openai_server, stage=stage), settings=settings, costs=CostTracker())

    entries = ReplayFile.model_validate(json.loads(recording.read_text())).entries
    assert sorted((e.stage, e.response) for e in entries) == [
        ("fix", "other stage"),
        ("refine", "second"),
    ]
    served = complete(replayed(recording), settings=SETTINGS, costs=CostTracker())
    assert served.text == "second"


def test_a_replay_key_matches_even_when_the_prompt_changed(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    recording = tmp_path / "recording.yaml"
    openai_server.script("coder", Reply(ANSWER))
    settings = LLMSettings(timeout_s=5, record_to=recording)
    complete(live(openai_server, key="total:refine:1"), settings=settings, costs=CostTracker())
    changed = (Message("user", "Make total() faster; last run took 1.93 ms"),)

    served = complete(
        replayed(recording, key="total:refine:1", messages=changed),
        settings=SETTINGS,
        costs=CostTracker(),
    )

    assert served.text == ANSWER and served.recorded


def test_a_request_nobody_recorded_is_a_replay_miss(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    recording = tmp_path / "recording.yaml"
    openai_server.script("coder", Reply(ANSWER))
    complete(
        live(openai_server),
        settings=LLMSettings(timeout_s=5, record_to=recording),
        costs=CostTracker(),
    )
    changed = (Message("user", "something never asked"),)
    costs = CostTracker()

    with pytest.raises(ReplayMiss, match="no recorded refine response of openai/coder") as caught:
        complete(replayed(recording, messages=changed), settings=SETTINGS, costs=costs)
    assert str(recording) in str(caught.value)
    with pytest.raises(ReplayMiss, match="for key 'other'"):
        complete(replayed(recording, key="other"), settings=SETTINGS, costs=costs)
    with pytest.raises(ReplayMiss):
        complete(replayed(recording, stage="fix"), settings=SETTINGS, costs=costs)
    assert [(r.outcome, r.recorded) for r in costs.records] == [("replay_miss", True)] * 3


def test_a_replay_miss_falls_back_to_the_next_model(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    recording = tmp_path / "empty.json"
    recording.write_text(json.dumps({"format": "perforch-replay/1", "entries": []}))
    openai_server.script("coder", Reply(ANSWER))

    response = complete_with_fallback(
        [replayed(recording), live(openai_server)], settings=SETTINGS, costs=CostTracker()
    )

    assert response.model == "openai/coder" and not response.recorded
    assert [f.kind for f in response.fallbacks] == ["replay_miss"]


def test_a_hand_written_recording_is_served(tmp_path: Path) -> None:
    recording = tmp_path / "demo.yaml"
    recording.write_text(
        "format: perforch-replay/1\n"
        "entries:\n"
        "  - model: openai/coder\n"
        "    stage: generate\n"
        "    key: demo/python:generate\n"
        "    prompt_sha256: not-used-when-a-key-is-given\n"
        "    response: |\n"
        "      ```python\n"
        "      def total(values):\n"
        "          return sum(values)\n"
        "      ```\n"
    )

    response = complete(
        replayed(recording, stage="generate", key="demo/python:generate"),
        settings=SETTINGS,
        costs=CostTracker(),
    )

    assert response.text.startswith("```python\ndef total(values):\n    return sum(values)")
    assert response.recorded


def test_a_broken_recording_says_which_file_and_what_is_wrong(tmp_path: Path) -> None:
    recording = tmp_path / "broken.yaml"
    recording.write_text("format: perforch-replay/1\nentries:\n  - model: openai/coder\n")

    with pytest.raises(LLMConfigError, match=r"broken\.yaml is not a PerfOrch recording") as caught:
        complete(replayed(recording), settings=SETTINGS, costs=CostTracker())
    assert "response" in str(caught.value)  # the missing field is named

    with pytest.raises(LLMConfigError, match="cannot read the recording"):
        complete(replayed(tmp_path / "missing.yaml"), settings=SETTINGS, costs=CostTracker())


def test_a_replay_model_needs_its_recording_named() -> None:
    request = LLMRequest(ModelEndpoint("replay/openai/coder"), "generate", MESSAGES)

    with pytest.raises(LLMConfigError, match="set its api_base to the recording file"):
        complete(request, settings=SETTINGS, costs=CostTracker())
