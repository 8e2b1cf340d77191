"""rendering_video: designed slides revealed in step with the narration, encoded to MP4.

Each scene becomes a few stills, one per moment that changes what is on screen: a bullet appearing or
lighting up at the start of its sentence (scene.reveal, timed by timings.json), the quiz countdown during
the scene's pause, and, where nothing else changes for MAX_HOLD_S, the progress indicator moving on. The
encode stays a concat of stills (shared.media.video), so it costs about what a bare ffmpeg encode of the
same frames costs; identical frames are drawn once.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from shared.decks.pptx_deck import lesson_deck
from shared.domain.status import Status
from shared.lesson.captions import Cue, sentences
from shared.lesson.script import LessonScript, Scene
from shared.lesson.slides import slide_for
from shared.media import slides, video
from shared.media.slides import SlideState
from worker.pipeline import Output, StageContext
from worker.stages.narrate import NARRATION, TIMINGS, cues_of, read_script
from worker.stages.services import LessonServices

VIDEO = Output("video", "lesson.mp4", "video/mp4")
THUMBNAIL = Output("thumbnail", "thumbnail.jpg", "image/jpeg")
DECK = Output(
    "deck", "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}
MAX_HOLD_S = 8.0  # no still is held longer: the progress indicator moves on instead
PROGRESS_STEPS = 20  # the indicator fills a scene's segment in twentieths (so nearby frames can be shared)
EPS = 1e-6

Timing = dict  # type: ignore[type-arg]  # one entry of timings.json "scenes"


def sentence_offsets(scene: Scene, timing: Timing) -> list[float]:
    """When each narration sentence starts, in seconds from the scene's start: the speech engine's times
    when timings.json has one per sentence, else shared in proportion to the sentences' characters."""
    parts = sentences(scene.narration) or [scene.narration]
    given = timing.get("sentence_starts_s") or []
    if len(given) == len(parts):
        return [float(t) for t in given]
    speech = float(timing["speech_end_s"]) - float(timing["start_s"])
    total = sum(len(p) for p in parts) or 1
    starts = [0, *itertools.accumulate(len(p) for p in parts)][:-1]
    return [speech * chars / total for chars in starts]


def bullet_times(scene: Scene, timing: Timing, layout: str) -> list[float]:
    """When each bullet appears (or lights up), in lesson seconds; [] when all show from the start."""
    mode = slides.reveal_mode(layout)
    n = len(scene.bullets)
    if not n or mode == "static":
        return []
    reveal = list(scene.reveal)
    offsets = sentence_offsets(scene, timing)
    if not reveal:
        if mode != "highlight":
            return []
        # A diagram or step list with no reveal given: walk the highlight through it with the narration.
        reveal = [i * len(offsets) // n for i in range(n)]
    start = float(timing["start_s"])
    return [start + offsets[min(r, len(offsets) - 1)] for r in reveal]


def scene_states(scene: Scene, timing: Timing, layout: str) -> list[tuple[float, float, SlideState]]:
    """The scene's moments as (start, end, state) in lesson seconds, covering [start_s, end_s] exactly."""
    start, end = float(timing["start_s"]), float(timing["end_s"])
    speech_end = float(timing.get("speech_end_s", end))
    mode = slides.reveal_mode(layout)
    times = bullet_times(scene, timing, layout)
    cuts = {start, end, *(t for t in times if start < t < end)}
    countdown_from: float | None = None
    total = 0
    if layout == "quiz_question" and scene.pause_after_s > 0:
        countdown_from = max(speech_end, end - scene.pause_after_s)
        total = math.ceil(end - countdown_from - EPS)
        cuts |= {countdown_from, *(end - k for k in range(1, total) if end - k > countdown_from + EPS)}
    length = max(end - start, EPS)

    def state_at(t: float) -> SlideState:
        reached = sum(1 for x in times if x <= t + EPS)
        shown = current = None
        if times:
            current = reached - 1 if reached else None
            shown = reached if mode == "appear" else None
        countdown = None
        if countdown_from is not None and t >= countdown_from - EPS:
            countdown = max(1, math.ceil(end - t - EPS))
        fraction = math.floor(PROGRESS_STEPS * (t - start) / length + EPS) / PROGRESS_STEPS
        return SlideState(shown, current, countdown, total if countdown else 0, min(1.0, fraction))

    moments = []
    for a, b in itertools.pairwise(sorted(cuts)):
        if b - a < EPS:
            continue
        parts = max(1, math.ceil((b - a) / MAX_HOLD_S - EPS))
        for p in range(parts):
            pa, pb = a + (b - a) * p / parts, a + (b - a) * (p + 1) / parts
            moments.append((pa, pb, state_at(pa)))
    return moments


def _with_cues(a: float, b: float, cues: list[Cue]) -> list[tuple[float, float, tuple[str, ...]]]:
    """[a, b) split where captions change, each piece with the cue lines showing then."""
    cuts = sorted({a, b, *(t for cue in cues for t in (cue.start_s, cue.end_s) if a < t < b)})
    pieces = []
    for x, y in itertools.pairwise(cuts):
        lines = next((cue.lines for cue in cues if cue.start_s <= x + EPS < cue.end_s), ())
        pieces.append((x, y, lines))
    return pieces


def lesson_stills(
    script: LessonScript,
    timings: list[Timing],
    folder: Path,
    size: tuple[int, int],
    *,
    burn_captions: bool = False,
    presenter_room: bool = False,
) -> tuple[list[video.Still], slides.FrameStore]:
    """Every still of the lesson with its duration (they add up to the scenes' lengths), drawn into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    store = slides.FrameStore(folder, size, captions=burn_captions, presenter_room=presenter_room)
    timed: list[tuple[float, float, Path]] = []
    for index, (scene, timing) in enumerate(zip(script.scenes, timings, strict=True)):
        slide = slide_for(script, index)
        layout = slides.resolved_layout(slide)
        cues = cues_of(scene.narration, timing) if burn_captions else []
        for a, b, state in scene_states(scene, timing, layout):
            for x, y, lines in _with_cues(a, b, cues):
                path = store.frame(slide, state, lines)
                if timed and timed[-1][2] == path and abs(timed[-1][1] - x) < EPS:
                    timed[-1] = (timed[-1][0], y, path)
                else:
                    timed.append((x, y, path))
    # Durations from rounded absolute times, so rounding never drifts the slides away from the speech.
    stills = [video.Still(path, round(b, 3) - round(a, 3)) for a, b, path in timed]
    return stills, store


def render_slides(
    script: LessonScript, folder: Path, size: tuple[int, int]
) -> list[tuple[Path, slides.SlideLayout]]:
    """Each scene's slide with everything revealed (for checks and previews): the title card first."""
    rendered = []
    for index in range(len(script.scenes)):
        path = folder / f"slide-{index:02d}.png"
        rendered.append((path, slides.render(path, slide_for(script, index), SlideState(), size)))
    return rendered


@dataclass
class RenderStage:
    services: LessonServices
    name: str = "render"
    status: Status = Status.RENDERING_VIDEO
    outputs: tuple[Output, ...] = (VIDEO, THUMBNAIL, DECK)

    def run(self, ctx: StageContext) -> None:
        script = read_script(ctx)
        timings = json.loads(ctx.input_path(TIMINGS).read_text())
        narration = ctx.input_path(NARRATION)
        size = RESOLUTIONS[ctx.request.options.get("resolution", "720p")]
        presenter_room = bool(ctx.request.options.get("presenter_room"))
        stills, store = lesson_stills(
            script,
            timings["scenes"],
            ctx.workdir / "frames",
            size,
            burn_captions=bool(ctx.request.options.get("burn_captions")),
            presenter_room=presenter_room,
        )
        ctx.progress(0.3, f"Drew {store.drawn} frames for {len(script.scenes)} slides")
        partial = ctx.workdir / "lesson.partial.mp4"
        video.encode(stills, narration, partial, audio_s=timings["duration_s"])
        partial.replace(ctx.output_path(VIDEO))
        title = slides.draw(slide_for(script, 0), SlideState(fraction=0.0), size)[0]
        title.resize((640, 360), Image.Resampling.LANCZOS).save(
            ctx.output_path(THUMBNAIL), "JPEG", quality=85
        )
        deck = lesson_deck(script, ctx.output_path(DECK), presenter_room=presenter_room)
        ctx.progress(0.95, f"Wrote the deck: {deck.pages} slides with the narration as speaker notes")
