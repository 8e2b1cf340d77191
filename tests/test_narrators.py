"""The offline narrators for real (piper and espeak-ng), and the narrate stage around them.

Piper comes with the optional `voice` extra: without it its tests skip on a laptop and fail in CI
(CI=true), as the services in conftest.py do. espeak-ng is a Debian package, treated the same way.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from shared.config import Settings
from shared.errors import PermanentError
from shared.lesson.captions import sentences
from shared.lesson.script import LessonScript, QuizItem, Scene, Source
from shared.media import audio, piper_tts
from shared.media.tts import ByLanguage, EspeakNarrator, Narrator, default_narrator, narrator_for
from tests.conftest import IN_CI
from worker.stages.narrate import NARRATION, PAUSE_S, TIMINGS, NarrateStage
from worker.stages.understand import SCRIPT

TEXT = (
    "Volcanoes form where hot magma reaches the surface. "
    "An earthquake of magnitude 9.2 struck Alaska in 1964! "
    "It shook the ground for about four minutes."
)


def _needs(factory: Callable[[], Narrator]) -> Narrator:
    try:
        return factory()
    except PermanentError as exc:
        if IN_CI:
            pytest.fail(f"narrator missing in CI: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def piper() -> Narrator:
    return _needs(piper_tts.PiperNarrator)


@pytest.fixture(scope="module")
def espeak() -> Narrator:
    return _needs(EspeakNarrator)


@pytest.fixture(params=["piper", "espeak"])
def narrator(request: pytest.FixtureRequest) -> Narrator:
    return request.getfixturevalue(request.param)


def test_each_sentence_starts_at_a_real_pause(narrator: Narrator, tmp_path: Path):
    out = tmp_path / "scene.wav"
    starts = narrator.synthesize(TEXT, out, language="en-US", words_per_minute=130)
    with wave.open(str(out), "rb") as handle:
        assert (handle.getnchannels(), handle.getsampwidth()) == (1, 2)
    samples, rate = audio.read_wav(out)
    duration = samples.size / rate
    assert len(starts) == len(sentences(TEXT)) == 3
    assert starts[0] == 0.0 and all(a < b for a, b in itertools.pairwise(starts))
    assert starts[-1] < duration
    peak = float(np.max(np.abs(samples)))
    for start in starts[1:]:
        at = round(start * rate)
        before = samples[at - round(0.05 * rate) : at]  # the pause that ends where the sentence starts
        after = samples[at : at + round(0.4 * rate)]  # and the speech that follows it
        assert float(np.max(np.abs(before))) < 0.02 * peak, f"{narrator.name}: no pause before {start:.2f} s"
        assert float(np.max(np.abs(after))) > 0.3 * peak, f"{narrator.name}: no speech after {start:.2f} s"
    # "9.2" and "1964" are spoken as words: the scene lasts as long as its words at about the asked rate.
    achieved = len(TEXT.split()) / duration * 60
    assert 0.8 * 130 < achieved < 1.2 * 130, f"{narrator.name}: {achieved:.0f} words a minute"


def test_piper_follows_the_asked_rate(piper: Narrator, tmp_path: Path):
    durations = []
    for wpm in (115, 155):
        piper.synthesize(TEXT, tmp_path / f"{wpm}.wav", language="en-US", words_per_minute=wpm)
        durations.append(audio.duration_s(tmp_path / f"{wpm}.wav"))
    assert durations[0] > durations[1] * 1.15


def test_the_piper_voice_is_loaded_once(piper: Narrator):
    assert piper_tts.PiperNarrator().voice is piper_tts.PiperNarrator().voice  # type: ignore[attr-defined]


def test_piper_refuses_a_language_it_cannot_speak(piper: Narrator, tmp_path: Path):
    with pytest.raises(PermanentError):
        piper.synthesize("Hola.", tmp_path / "es.wav", language="es-ES", words_per_minute=130)


def test_a_long_sentence_is_said_in_runs_cut_at_its_commas(piper: Narrator):
    voice = piper.voice  # type: ignore[attr-defined]
    sentence = (
        "Water evaporates from the ocean when the sun warms it, and the vapour rises high into the cold "
        "air, where it cools and forms the clouds that later bring rain back down to the ground."
    )
    (phonemes,) = voice.phonemize(sentence)
    runs = piper_tts.phrase_runs(phonemes)
    assert len(runs) > 2 and [p for run in runs for p in run] == phonemes
    assert all(len(run) <= piper_tts.MAX_RUN_PHONEMES for run in runs)
    # Where a comma falls in range, the run ends on it; otherwise it ends between words, not inside one.
    assert "," in {run[-1] for run in runs} and all(run[-1] in (",", " ", ".") for run in runs)


def test_length_scale_follows_the_rate_within_bounds():
    scales = [piper_tts.length_scale(100, 6, wpm) for wpm in (60, 115, 135, 155, 400)]
    assert scales == sorted(scales, reverse=True)
    assert (scales[0], scales[-1]) == (piper_tts.LENGTH_SCALE[1], piper_tts.LENGTH_SCALE[0])


def test_auto_picks_piper_for_english_and_espeak_for_the_rest(
    piper: Narrator, espeak: Narrator, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("NARRATOR", raising=False)  # the suite pins espeak for whole lessons (conftest)
    auto = default_narrator()
    assert isinstance(auto, ByLanguage)
    assert narrator_for(auto, "en-US").name == narrator_for(auto, "en-GB").name == "piper"
    assert narrator_for(auto, "es-ES").name == "espeak-ng"
    assert default_narrator("espeak").name == "espeak-ng"
    assert Settings().narrator == "auto" and Settings(narrator="piper").narrator == "piper"


# The narrate stage -------------------------------------------------------------------------------


@dataclass
class Context:
    """What NarrateStage uses of a StageContext."""

    workdir: Path
    progress_seen: list[tuple[float, str]] = field(default_factory=list)
    usage: dict[str, float] = field(default_factory=dict)

    def input_path(self, output: Any) -> Path:
        return self.workdir / output.filename

    output_path = input_path

    def progress(self, fraction: float, message: str) -> None:
        self.progress_seen.append((fraction, message))

    def add_usage(self, **usage: float) -> None:
        self.usage.update(usage)


class ToneNarrator:
    """One second of tone per scene, slowly: shows how many scenes are recorded at once."""

    name = "tone"

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on, self.running, self.most = fail_on, 0, 0
        self.lock = threading.Lock()

    def synthesize(self, text: str, out_wav: Path, *, language: str, words_per_minute: int) -> list[float]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.2)
            if text == self.fail_on:
                raise RuntimeError("engine crashed")
            t = np.arange(22050) / 22050
            audio.write_wav(out_wav, 0.3 * np.sin(2 * np.pi * 220 * t), 22050)
            return [0.0]
        finally:
            with self.lock:
                self.running -= 1


def script_of(
    *narrations: str, pauses: dict[int, float] | None = None, language: str = "en-US"
) -> LessonScript:
    pauses = pauses or {}
    return LessonScript(
        title="Volcanoes",
        grade_level="6",
        language=language,
        objectives=["Say how volcanoes form", "Say why they erupt"],
        scenes=[
            Scene(heading=f"Part {i}", narration=text, pause_after_s=pauses.get(i, 0.0))
            for i, text in enumerate(narrations)
        ],
        quiz=[
            QuizItem(
                question="What reaches the surface?",
                options=["magma", "ice", "air"],
                answer="magma",
                explanation="Magma.",
            )
        ],
        sources=[
            Source(doc_id="wiki:Volcano", title="Volcano", url="https://e.org/v", license="CC BY-SA 4.0")
        ],
        target_words=40,
        words_per_minute=130,
    )


def narrate(tmp_path: Path, narrator: Narrator, script: LessonScript) -> tuple[Context, dict[str, Any]]:
    ctx = Context(tmp_path)
    ctx.output_path(SCRIPT).write_text(script.model_dump_json())
    NarrateStage(SimpleNamespace(narrator=narrator)).run(ctx)  # type: ignore[arg-type]
    return ctx, json.loads(ctx.output_path(TIMINGS).read_text())


def test_scenes_are_recorded_two_at_once_and_the_quiz_pause_is_held(tmp_path: Path):
    tone = ToneNarrator()
    ctx, timings = narrate(tmp_path, tone, script_of("One.", "Two.", "Three.", "Four.", pauses={2: 3.0}))
    assert tone.most == 2
    assert [message for _, message in ctx.progress_seen] == [f"Recorded scene {i} of 4" for i in range(1, 5)]
    assert ctx.usage == {"tone_characters": len("One.Two.Three.Four.")}
    scenes = timings["scenes"]
    for scene in scenes:
        assert scene["speech_end_s"] - scene["start_s"] == pytest.approx(1.0)
        assert scene["sentence_starts_s"] == [0.0]
    held = [scene["end_s"] - scene["speech_end_s"] for scene in scenes]
    assert held == pytest.approx([PAUSE_S, PAUSE_S, PAUSE_S + 3.0, PAUSE_S], abs=1e-4)
    assert scenes[2]["pause_after_s"] == 3.0
    assert all(a["end_s"] == b["start_s"] for a, b in itertools.pairwise(scenes))
    assert timings["duration_s"] == pytest.approx(scenes[-1]["end_s"])
    assert audio.duration_s(ctx.output_path(NARRATION)) == pytest.approx(timings["duration_s"])
    assert timings["lufs"] == pytest.approx(-16.0, abs=1.0)


def test_a_scene_that_fails_fails_the_stage(tmp_path: Path):
    with pytest.raises(RuntimeError, match="engine crashed"):
        narrate(tmp_path, ToneNarrator(fail_on="Two."), script_of("One.", "Two.", "Three.", "Four."))


def test_usage_is_counted_against_the_engine_that_spoke(piper: Narrator, espeak: Narrator, tmp_path: Path):
    auto = default_narrator()
    english = script_of("Magma rises.", "Lava flows.")
    spanish = script_of("El magma sube.", "La lava fluye.", language="es-ES")
    (tmp_path / "en").mkdir(), (tmp_path / "es").mkdir()
    ctx_en, timings = narrate(tmp_path / "en", auto, english)
    ctx_es, _ = narrate(tmp_path / "es", auto, spanish)
    assert set(ctx_en.usage) == {"piper_characters"} and set(ctx_es.usage) == {"espeak_ng_characters"}
    assert timings["lufs"] == pytest.approx(-16.0, abs=1.0)
