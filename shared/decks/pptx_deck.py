"""A lesson as a PowerPoint deck: the very slides the video shows, with the narration as speaker notes.

One slide model renders both. Each page is the lesson slide drawn by shared.media.slides with its text
left off (panels, diagrams, equations, the progress strip), set as the page's background picture; every
text run the layout placed is then set again as a native, editable text box at the same place, in the
same face, size and colour. The layout already fitted every line with DejaVu Sans's own metrics, so the
boxes never wrap (word wrap off) and nothing can overflow where that face is installed (it ships with
LibreOffice and most Linux desktops; PowerPoint substitutes a face of similar width where it is missing).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as Deck
from pptx.shapes.autoshape import Shape
from pptx.util import Emu, Pt

from shared.lesson.script import LessonScript
from shared.lesson.slides import slide_for
from shared.media.slides import Slide, SlideState, draw, font
from shared.media.slides.canvas import SlideLayout, TextRun

FACE = "DejaVu Sans"
SIZE = (1920, 1080)  # the picture behind each page; 16:9 like the video
SLIDE_W, SLIDE_H = Emu(12_192_000), Emu(6_858_000)  # 13.333 in × 7.5 in: PowerPoint's 16:9
TITLE_ONLY = 5  # the default template's "Title Only" layout: the heading is the page's real title
# DejaVu Sans's natural line height, (ascender + descender) / em. With exact line spacing a viewer puts
# the spacing's excess over that height above each line, where Pillow's pitch puts it below: the box
# is raised by the difference, so the first line's ascender lands where the video frame has it.
NATURAL_LINE = (1901 + 483) / 2048


@dataclass(frozen=True)
class Page:
    """One page of a deck: what the slide shows and what the presenter says over it."""

    slide: Slide
    notes: str


@dataclass(frozen=True)
class DeckReport:
    pages: int
    text_boxes: int
    truncated: tuple[int, ...]  # pages whose layout had to leave something out


def _emu(px: float) -> Emu:
    return Emu(round(px * SLIDE_W / SIZE[0]))


def _points(px: float) -> Pt:
    return Pt(px * (SLIDE_W / 12_700) / SIZE[0])


def _set_text(shape: Shape, run: TextRun, width_px: float) -> None:
    """Place `run` in the shape's text frame: no insets, no wrapping, one paragraph per line."""
    raise_px = max(0.0, run.line_h - NATURAL_LINE * run.size)
    shape.left, shape.top = _emu(run.x), _emu(run.y - raise_px)
    shape.width = _emu(width_px)
    shape.height = _emu(run.line_h * len(run.lines))
    frame = shape.text_frame
    frame.word_wrap = False
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.clear()
    for index, line in enumerate(run.lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.CENTER if run.align == "center" else PP_ALIGN.LEFT
        paragraph.line_spacing = _points(run.line_h)
        paragraph.space_before = paragraph.space_after = Pt(0)
        text = paragraph.add_run()
        text.text = line
        text.font.name = FACE
        text.font.size = _points(run.size)
        text.font.bold = run.bold
        text.font.color.rgb = RGBColor(*run.colour)
        if run.tracking:
            text.font._rPr.set("spc", str(round(_points(run.tracking).pt * 100)))  # hundredths of a point


def _width(run: TextRun, right_edge: float) -> float:
    """The box's width: the widest line, with a little slack up to the safe area's right edge, so a
    viewer's own rounding never pushes the last glyph to a new line."""
    face = font(run.size, run.bold)
    widest = max(face.getlength(line) + run.tracking * len(line) for line in run.lines)
    return max(run.width, widest, min(widest * 1.04 + 2, right_edge - run.x))


def _page(deck: Deck, page: Page, *, presenter_room: bool) -> SlideLayout:
    image, layout = draw(page.slide, SlideState(), SIZE, ink=False, presenter_room=presenter_room)
    pptx_slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    picture = io.BytesIO()
    image.save(picture, format="PNG")
    background = pptx_slide.shapes.add_picture(picture, 0, 0, SLIDE_W, SLIDE_H)
    background.name = "Slide artwork"
    # The picture goes to the back of the z-order, under the title placeholder and the text boxes.
    tree = pptx_slide.shapes._spTree
    tree.remove(background._element)
    tree.insert(2, background._element)
    title = pptx_slide.shapes.title
    heading = next((r for r in layout.runs if r.role == "heading"), None)
    for run in layout.runs:
        if run is heading and title is not None:
            _set_text(title, run, _width(run, layout.safe_area[2]))
        else:
            box = pptx_slide.shapes.add_textbox(0, 0, 1, 1)
            _set_text(box, run, _width(run, layout.safe_area[2]))
    if heading is None and title is not None:
        title._element.getparent().remove(title._element)  # a slide with no heading keeps no empty title
    pptx_slide.notes_slide.notes_text_frame.text = page.notes
    return layout


def write_deck(pages: Sequence[Page], path: Path, *, title: str, presenter_room: bool = False) -> DeckReport:
    """Write the deck to `path` (through a partial file, so the final path is never half-written);
    `presenter_room`: every page leaves its right clear, as the lesson's video does."""
    if not pages:
        raise ValueError("a deck needs at least one page")
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_W, SLIDE_H
    deck.core_properties.title = title
    layouts = [_page(deck, page, presenter_room=presenter_room) for page in pages]
    partial = path.with_name(path.name + ".partial")
    deck.save(str(partial))
    partial.replace(path)
    return DeckReport(
        len(pages),
        sum(len(layout.runs) for layout in layouts),
        tuple(n for n, layout in enumerate(layouts) if layout.truncated),
    )


def lesson_deck(script: LessonScript, path: Path, *, presenter_room: bool = False) -> DeckReport:
    """The lesson's deck: one page per scene, the same slide the video shows, its narration as notes."""
    pages = [Page(slide_for(script, i), scene.narration) for i, scene in enumerate(script.scenes)]
    return write_deck(pages, path, title=script.title, presenter_room=presenter_room)
