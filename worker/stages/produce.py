"""synthesizing_audio and rendering_video: narration, captions, slides and the MP4."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from shared.domain.status import Status
from shared.lesson.captions import Cue, scene_cues, to_srt, to_webvtt
from shared.lesson.script import LessonScript
from shared.media import audio, slides, video
from worker.pipeline import Output, StageContext
from worker.stages.services import LessonServices
from worker.stages.understand import SCRIPT

NARRATION = Output("narration", "narration.wav", "audio/wav")
TIMINGS = Output("timings", "timings.json", "application/json")
CAPTIONS_VTT = Output("captions_vtt", "captions.vtt", "text/vtt")
CAPTIONS_SRT = Output("captions_srt", "captions.srt", "application/x-subrip")
VIDEO = Output("video", "lesson.mp4", "video/mp4")
THUMBNAIL = Output("thumbnail", "thumbnail.jpg", "image/jpeg")
PAUSE_S = 0.5
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}


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


def render_slides(
    script: LessonScript, folder: Path, size: tuple[int, int]
) -> list[tuple[Path, slides.SlideLayout]]:
    """One slide per scene: the title card first, the sources card last."""
    rendered = []
    for index, scene in enumerate(script.scenes):
        path = folder / f"slide-{index:02d}.png"
        if scene.visual.layout == "title":
            layout = slides.render_title(
                path,
                script.title,
                f"Grade {script.grade_level} · {len(script.scenes) - 2} ideas · quiz at the end",
                size,
            )
        elif scene.visual.layout == "closing":
            layout = slides.render_sources(path, [(s.title, s.url, s.license) for s in script.sources], size)
        else:
            layout = slides.render_bullets(path, scene.heading, scene.bullets, size)
        rendered.append((path, layout))
    return rendered


def captioned_stills(
    script: LessonScript, rendered: list[tuple[Path, slides.SlideLayout]], timings: list[dict], folder: Path
) -> list[video.Still]:
    """Burned-in captions: one frame per cue (the slide plus its caption), each held for the cue's time.

    The bundled ffmpeg has no subtitles filter, and a few dozen stills keep the cost of composition small.
    """
    stills: list[video.Still] = []
    for index, ((slide, _layout), scene, timing) in enumerate(
        zip(rendered, script.scenes, timings, strict=True)
    ):
        for number, cue in enumerate(cues_of(scene.narration, timing)):
            frame = folder / f"slide-{index:02d}-cue-{number:03d}.png"
            slides.overlay_caption(slide, cue.lines, frame)
            stills.append(video.Still(frame, cue.end_s - cue.start_s))
        stills.append(video.Still(slide, timing["end_s"] - timing["speech_end_s"]))
    return stills


@dataclass
class RenderStage:
    services: LessonServices
    name: str = "render"
    status: Status = Status.RENDERING_VIDEO
    outputs: tuple[Output, ...] = (VIDEO, THUMBNAIL)

    def run(self, ctx: StageContext) -> None:
        script = read_script(ctx)
        timings = json.loads(ctx.input_path(TIMINGS).read_text())
        narration = ctx.input_path(NARRATION)
        size = RESOLUTIONS[ctx.request.options.get("resolution", "720p")]
        rendered = render_slides(script, ctx.workdir, size)
        ctx.progress(0.3, f"Drew {len(rendered)} slides")
        if ctx.request.options.get("burn_captions"):
            stills = captioned_stills(script, rendered, timings["scenes"], ctx.workdir)
        else:
            stills = [
                video.Still(path, t["end_s"] - t["start_s"])
                for (path, _layout), t in zip(rendered, timings["scenes"], strict=True)
            ]
        partial = ctx.workdir / "lesson.partial.mp4"
        video.encode(stills, narration, partial, audio_s=timings["duration_s"])
        partial.replace(ctx.output_path(VIDEO))
        with Image.open(rendered[0][0]) as title:
            title.convert("RGB").resize((640, 360)).save(ctx.output_path(THUMBNAIL), "JPEG", quality=85)
