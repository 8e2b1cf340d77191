"""synthesizing_audio: the narration, its timings and the captions.

Scenes are recorded in parallel, each to its own WAV; then they are joined, with PAUSE_S of silence
after each (plus the scene's pause_after_s: the quiz countdown), normalised to -16 LUFS and written
as one WAV in a stream, so memory does not grow with the lesson's length.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shared.domain.status import Status
from shared.errors import PermanentError
from shared.lesson.captions import Cue, scene_cues, to_srt, to_webvtt
from shared.lesson.script import LessonScript
from shared.media import audio
from shared.media.tts import Narrator, narrator_for
from worker.pipeline import Output, StageContext
from worker.stages.services import LessonServices
from worker.stages.understand import SCRIPT

NARRATION = Output("narration", "narration.wav", "audio/wav")
TIMINGS = Output("timings", "timings.json", "application/json")
CAPTIONS_VTT = Output("captions_vtt", "captions.vtt", "text/vtt")
CAPTIONS_SRT = Output("captions_srt", "captions.srt", "application/x-subrip")
PAUSE_S = 0.5
# Scenes recorded at once: piper's onnxruntime releases the GIL and each run gets cores / 2 threads
# (shared/media/piper_tts.py), so two use both cores of the worker; espeak-ng runs as processes.
SCENES_AT_ONCE = 2


THINK_CUE = ("[Pause: think about your answer]",)


def cues_of(narration: str, timing: dict) -> list[Cue]:  # type: ignore[type-arg]
    cues = scene_cues(narration, timing["start_s"], timing["speech_end_s"], timing.get("sentence_starts_s"))
    if timing.get("pause_after_s"):
        # The quiz countdown is silent on purpose; a viewer reading captions is told why.
        cues.append(Cue(timing["speech_end_s"], timing["speech_end_s"] + timing["pause_after_s"], THINK_CUE))
    return cues


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
        narrator = narrator_for(self.services.narrator, script.language)
        scenes = script.scenes
        wavs = [ctx.workdir / f"scene-{index:02d}.wav" for index in range(len(scenes))]
        sentence_starts = self._record(ctx, narrator, script, wavs)
        ctx.add_usage(
            **{f"{narrator.name.replace('-', '_')}_characters": sum(len(s.narration) for s in scenes)}
        )

        timings, pieces, rates, cursor = [], [], set(), 0
        for index, (scene, wav) in enumerate(zip(scenes, wavs, strict=True)):
            frames, rate = audio.wav_info(wav)
            rates.add(rate)
            held = round((PAUSE_S + scene.pause_after_s) * rate)
            timings.append(
                {
                    "scene": index,
                    "start_s": cursor / rate,
                    "speech_end_s": (cursor + frames) / rate,
                    "end_s": (cursor + frames + held) / rate,
                    "pause_after_s": scene.pause_after_s,
                    "sentence_starts_s": sentence_starts[index],
                }
            )
            pieces.append((wav, held))
            cursor += frames + held
        if len(rates) != 1:
            raise PermanentError(f"scene recordings differ in sample rate: {sorted(rates)}")

        def chunks() -> Iterator[np.ndarray]:
            for wav, held in pieces:
                yield from audio.iter_wav(wav)
                yield np.zeros(held, dtype=np.float32)

        mixed = audio.normalise_to_wav(chunks, rates.pop(), ctx.output_path(NARRATION))
        cues = [
            cue
            for scene, timing in zip(script.scenes, timings, strict=True)
            for cue in cues_of(scene.narration, timing)
        ]
        ctx.output_path(CAPTIONS_VTT).write_text(to_webvtt(cues))
        ctx.output_path(CAPTIONS_SRT).write_text(to_srt(cues))
        ctx.output_path(TIMINGS).write_text(
            json.dumps({"scenes": timings, "duration_s": mixed.duration_s, "lufs": mixed.lufs})
        )

    @staticmethod
    def _record(
        ctx: StageContext, narrator: Narrator, script: LessonScript, wavs: list[Path]
    ) -> list[list[float]]:
        """Every scene to its WAV, SCENES_AT_ONCE at a time; each scene's sentence starts."""
        total = len(script.scenes)
        starts: list[list[float]] = [[] for _ in range(total)]
        with ThreadPoolExecutor(SCENES_AT_ONCE, thread_name_prefix="narrate") as pool:
            futures = {
                pool.submit(
                    narrator.synthesize,
                    scene.narration,
                    wav,
                    language=script.language,
                    words_per_minute=script.words_per_minute,
                ): index
                for index, (scene, wav) in enumerate(zip(script.scenes, wavs, strict=True))
            }
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    starts[futures[future]] = future.result()
                    ctx.progress(done / total, f"Recorded scene {done} of {total}")
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return starts
