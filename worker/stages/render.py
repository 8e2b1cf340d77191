"""rendering_video: slides drawn from the script, timed by the narration, encoded to MP4."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from shared.domain.status import Status
from shared.lesson.script import LessonScript
from shared.media import slides, video
from worker.pipeline import Output, StageContext
from worker.stages.narrate import NARRATION, TIMINGS, cues_of, read_script
from worker.stages.services import LessonServices

VIDEO = Output("video", "lesson.mp4", "video/mp4")
THUMBNAIL = Output("thumbnail", "thumbnail.jpg", "image/jpeg")
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}


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
