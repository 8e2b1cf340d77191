"""synthesizing_audio: the narration, its timings and the captions."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from shared.domain.status import Status
from shared.lesson.captions import Cue, scene_cues, to_srt, to_webvtt
from shared.lesson.script import LessonScript
from shared.media import audio
from worker.pipeline import Output, StageContext
from worker.stages.services import LessonServices
from worker.stages.understand import SCRIPT

NARRATION = Output("narration", "narration.wav", "audio/wav")
TIMINGS = Output("timings", "timings.json", "application/json")
CAPTIONS_VTT = Output("captions_vtt", "captions.vtt", "text/vtt")
CAPTIONS_SRT = Output("captions_srt", "captions.srt", "application/x-subrip")
PAUSE_S = 0.5


def cues_of(narration: str, timing: dict) -> list[Cue]:  # type: ignore[type-arg]
    return scene_cues(narration, timing["start_s"], timing["speech_end_s"], timing.get("sentence_starts_s"))


def read_script(ctx: StageContext) -> LessonScript:
    return LessonScript.model_validate_json(ctx.input_path(SCRIPT).read_text())


@dataclass
class NarrateStage:
    services: LessonServices
    name: str = "narrate"
    status: Status = Status.SYNTHESIZING_AUDIO
    outputs: tuple[Output, ...] = (NARRATION, TIMINGS, CAPTIONS_VTT, CAPTIONS_SRT)

    def run(self, ctx: StageContext) -> None:
        script = read_script(ctx)
        pieces: list[np.ndarray] = []
        timings = []
        rate = 0
        cursor = 0.0
        for index, scene in enumerate(script.scenes):
            wav = ctx.workdir / f"scene-{index:02d}.wav"
            sentence_starts = self.services.narrator.synthesize(
                scene.narration, wav, language=script.language, words_per_minute=script.words_per_minute
            )
            samples, rate = audio.read_wav(wav)
            spoken_s = len(samples) / rate
            pieces += [samples, audio.silence(PAUSE_S, rate)]
            timings.append(
                {
                    "scene": index,
                    "start_s": cursor,
                    "speech_end_s": cursor + spoken_s,
                    "end_s": cursor + spoken_s + PAUSE_S,
                    "sentence_starts_s": sentence_starts,
                }
            )
            cursor += spoken_s + PAUSE_S
            ctx.progress(
                (index + 1) / len(script.scenes), f"Recorded scene {index + 1} of {len(script.scenes)}"
            )
        characters = sum(len(scene.narration) for scene in script.scenes)
        engine = self.services.narrator.name.replace("-", "_")
        ctx.add_usage(**{f"{engine}_characters": characters})
        mixed = audio.normalise(np.concatenate(pieces), rate)
        audio.write_wav(ctx.output_path(NARRATION), mixed, rate)
        cues = [
            cue
            for scene, timing in zip(script.scenes, timings, strict=True)
            for cue in cues_of(scene.narration, timing)
        ]
        ctx.output_path(CAPTIONS_VTT).write_text(to_webvtt(cues))
        ctx.output_path(CAPTIONS_SRT).write_text(to_srt(cues))
        ctx.output_path(TIMINGS).write_text(
            json.dumps(
                {"scenes": timings, "duration_s": len(mixed) / rate, "lufs": audio.loudness(mixed, rate)}
            )
        )
