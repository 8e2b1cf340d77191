"""From a Slide and a moment of it to pixels: the layout dispatcher, burned-in captions, and a frame store
that draws each distinct frame once (keyed by its content) and saves it as a PNG for the encoder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from shared.media.slides import diagrams, layouts, quiz
from shared.media.slides.canvas import Canvas, SlideLayout
from shared.media.slides.model import Slide, SlideState
from shared.media.slides.theme import TEXT, font

Painter = Callable[[Canvas, Slide, SlideState], None]
PAINTERS: dict[str, Painter] = {
    "title": layouts.title,
    "bullets": layouts.bullets,
    "definition": layouts.definition,
    "steps": layouts.steps,
    "cycle": diagrams.cycle,
    "comparison": layouts.comparison,
    "timeline": layouts.timeline,
    "equation": layouts.equation,
    "quiz_question": quiz.quiz_question,
    "quiz_answer": quiz.quiz_answer,
    "closing": layouts.closing,
}

CAPTION_PX, CAPTION_PAD_PX, CAPTION_FLOOR_PX, CAPTION_LINES = 30, 14, 20, 2


# The share of the frame's width, on the right, that a lesson made for a presenter leaves empty: the
# presenter's default place (shared.presenter.clip.Placement: bottom-right, 0.42 of the height) with the drawn
# portrait is about 0.23 of a 16:9 frame's width, and its margin; a test checks that it fits.
PRESENTER_ROOM = 0.25


def resolved_layout(slide: Slide) -> str:
    """The slide's layout, or the nearest one its data allows (a timeline needs labels, a comparison sides...)."""
    layout = slide.layout if slide.layout in PAINTERS else "bullets"
    if layout == "timeline" and not slide.labels:
        return "steps"
    if layout == "cycle" and len(slide.labels) < 2:
        return "steps"
    if layout == "comparison" and not slide.sides:
        return "bullets"
    if layout == "equation" and not slide.equation:
        return "bullets"
    if layout == "steps" and not slide.bullets:
        return "bullets"
    return layout


def _caption_metrics(height: int) -> tuple[int, int, int, int]:
    scale = height / 720
    line_h = int(CAPTION_PX * scale * 1.3)
    pad = int(CAPTION_PAD_PX * scale)
    floor = int(CAPTION_FLOOR_PX * scale)
    return line_h, pad, floor, int(CAPTION_PX * scale)


def caption_reserve_px(height: int) -> int:
    """How far a slide's safe area must rise so a two-line caption band never covers its content."""
    line_h, pad, floor, _ = _caption_metrics(height)
    band_top = height - floor - 2 * pad - line_h * CAPTION_LINES
    margin = round(64 * height / 720)
    return max(0, (height - margin) - (band_top - round(16 * height / 720)))


def presenter_reserve_px(width: int) -> int:
    """How much the safe area's right edge moves in so the right PRESENTER_ROOM of the frame stays clear."""
    return round(width * PRESENTER_ROOM) - round(64 * width / 1280)


def draw(
    slide: Slide,
    state: SlideState | None = None,
    size: tuple[int, int] = (1280, 720),
    *,
    captions: bool = False,
    presenter_room: bool = False,
    ink: bool = True,
) -> tuple[Image.Image, SlideLayout]:
    """The slide at one moment. captions=True keeps the bottom clear for a burned-in caption band;
    presenter_room=True keeps the right of the frame clear for a presenter composited there later;
    ink=False leaves the text off the image (it is still laid out: layout.runs)."""
    state = state or SlideState()
    canvas = Canvas(
        size,
        reserve_bottom_px=caption_reserve_px(size[1]) if captions else 0,
        reserve_right_px=presenter_reserve_px(size[0]) if presenter_room else 0,
        ink=ink,
    )
    PAINTERS[resolved_layout(slide)](canvas, slide, state)
    canvas.progress(slide.position, state.fraction)
    return canvas.image, canvas.layout


def render(
    path: Path, slide: Slide, state: SlideState | None = None, size: tuple[int, int] = (1280, 720)
) -> SlideLayout:
    image, layout = draw(slide, state, size)
    image.save(path, format="PNG", compress_level=1)
    return layout


def with_caption(image: Image.Image, lines: tuple[str, ...]) -> Image.Image:
    """A copy of the frame with one caption cue burned in: white text on a dark band along the bottom."""
    out = image.convert("RGB")
    draw_ = ImageDraw.Draw(out, "RGBA")
    width, height = out.size
    line_h, pad, floor, size = _caption_metrics(height)
    face = font(size)
    band_top = height - floor - 2 * pad - line_h * len(lines)
    draw_.rectangle((0, band_top, width, height - floor), fill=(0, 0, 0, 215))
    for index, line in enumerate(lines):
        x = (width - draw_.textlength(line, font=face)) / 2
        draw_.text((x, band_top + pad + index * line_h), line, font=face, fill=TEXT)
    return out


def overlay_caption(slide: Path, lines: tuple[str, ...], out: Path) -> None:
    """Burn one caption cue onto a copy of a slide PNG."""
    with Image.open(slide) as base:
        image = with_caption(base, lines)
    image.save(out, format="PNG", compress_level=1)


class FrameStore:
    """Draws each distinct frame once, saved as `frame-<digest>.png` in folder; a repeat is a lookup."""

    def __init__(
        self, folder: Path, size: tuple[int, int], *, captions: bool = False, presenter_room: bool = False
    ) -> None:
        self.folder = folder
        self.size = size
        self.captions = captions
        self.presenter_room = presenter_room
        self.layouts: dict[Path, SlideLayout] = {}
        # What each frame shows: the slide, its moment, the caption burned in.
        self.contents: dict[Path, tuple[Slide, SlideState, tuple[str, ...]]] = {}
        self._paths: dict[tuple[object, ...], Path] = {}
        self._bases: dict[tuple[Slide, SlideState], tuple[Image.Image, SlideLayout]] = {}
        self.drawn = 0
        self.reused = 0

    def frame(self, slide: Slide, state: SlideState, caption: tuple[str, ...] = ()) -> Path:
        key = (slide, state, caption, self.size, self.captions, self.presenter_room)
        path = self._paths.get(key)
        if path is not None:
            self.reused += 1
            return path
        base = self._bases.get((slide, state))
        if base is None:
            base = draw(slide, state, self.size, captions=self.captions, presenter_room=self.presenter_room)
            if len(self._bases) > 8:
                self._bases.clear()
            self._bases[(slide, state)] = base
        image, layout = base
        if caption:
            image = with_caption(image, caption)
        digest = hashlib.sha1(repr(key).encode()).hexdigest()[:20]
        path = self.folder / f"frame-{digest}.png"
        image.save(path, format="PNG", compress_level=1)
        self.drawn += 1
        self._paths[key] = path
        self.layouts[path] = layout
        self.contents[path] = (slide, state, caption)
        return path


# The first slide API, kept for callers that draw one card directly.


def render_title(path: Path, title: str, subtitle: str, size: tuple[int, int]) -> SlideLayout:
    return render(path, Slide("title", title, subtitle=subtitle), None, size)


def render_bullets(path: Path, heading: str, bullets: list[str], size: tuple[int, int]) -> SlideLayout:
    return render(path, Slide("bullets", heading, tuple(bullets)), None, size)


def render_sources(path: Path, sources: list[tuple[str, str, str]], size: tuple[int, int]) -> SlideLayout:
    """The closing card with nothing but the sources (title, url, license)."""
    return render(path, Slide("closing", "Sources", sources=tuple(sources)), None, size)
