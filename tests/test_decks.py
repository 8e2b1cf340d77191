"""Decks: one page per scene, the very slide the video shows, the narration as speaker notes, native text
that never leaves the safe area or its box; LibreOffice opens them and draws what the video draws."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter
from pptx import Presentation
from pptx.util import Emu

from shared.decks.pptx_deck import SIZE, SLIDE_H, SLIDE_W, lesson_deck
from shared.decks.pptx_source import render_pages
from shared.lesson.slides import slide_for
from shared.media.slides import draw, font
from tests.conftest import IN_CI
from tests.test_slides import sample_lesson

PX = SLIDE_W / SIZE[0]  # EMU per pixel of the artwork


def _px(value: Emu | int | None) -> float:
    return float(value or 0) / PX


def _shape_text(shape) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in shape.text_frame.paragraphs]


def test_each_page_is_the_scene_with_its_narration_as_notes(tmp_path: Path):
    script = sample_lesson()
    report = lesson_deck(script, tmp_path / "deck.pptx")
    assert not list(tmp_path.glob("*.partial"))
    deck = Presentation(str(tmp_path / "deck.pptx"))
    assert (deck.slide_width, deck.slide_height) == (SLIDE_W, SLIDE_H)  # 16:9
    assert deck.core_properties.title == script.title
    assert len(deck.slides) == len(script.scenes) == report.pages
    margin = round(64 * SIZE[1] / 720)
    for index, (page, scene) in enumerate(zip(deck.slides, script.scenes, strict=True)):
        slide = slide_for(script, index)
        assert page.notes_slide.notes_text_frame.text == scene.narration  # exactly the narration
        title = page.shapes.title
        if title is not None:  # the heading is the page's real title (outline view, screen readers)
            assert " ".join(_shape_text(title)) in (slide.heading, slide.term)
        texts = [s for s in page.shapes if s.has_text_frame and s.text_frame.text.strip()]
        assert texts, f"page {index} has no native text"
        drawn = draw(slide, None, SIZE)[1]  # what the video's frame shows of this scene, fully revealed
        on_page = sorted(line for shape in texts for line in _shape_text(shape))
        assert on_page == sorted(line for run in drawn.runs for line in run.lines), index  # every word, once
        for shape in texts:
            left, top = _px(shape.left), _px(shape.top)
            right, bottom = left + _px(shape.width), top + _px(shape.height)
            assert margin - 2 <= left and right <= SIZE[0] - margin + 2, (index, shape.text_frame.text)
            assert top >= margin * 0.2 and bottom <= SIZE[1] - margin + 12, (index, shape.text_frame.text)
            frame = shape.text_frame
            assert frame.word_wrap is False  # the layout broke the lines; a viewer must not re-wrap them
            for paragraph in frame.paragraphs:
                run = paragraph.runs[0]
                px = run.font.size.pt * SIZE[0] / (SLIDE_W / 12_700)
                width = font(round(px), bool(run.font.bold)).getlength(paragraph.text)
                assert width <= _px(shape.width) + 1, (index, paragraph.text)  # no line overflows its box
        # The artwork behind the text is the slide without its text: no word is drawn twice.
        pictures = [s for s in page.shapes if s.shape_type == 13]
        assert len(pictures) == 1 and (pictures[0].width, pictures[0].height) == (SLIDE_W, SLIDE_H)


def _office() -> str | None:
    found = shutil.which("soffice") and shutil.which("pdftoppm")
    if not found and IN_CI:
        pytest.fail("LibreOffice (soffice) and poppler (pdftoppm) are required in CI")
    return shutil.which("soffice")


@pytest.mark.slow
def test_libreoffice_opens_the_deck_and_draws_the_video_slides(tmp_path: Path):
    soffice = _office()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    script = sample_lesson()
    lesson_deck(script, tmp_path / "deck.pptx")
    pages = render_pages(tmp_path / "deck.pptx", tmp_path / "pages", SIZE)  # what `vividly deck` draws
    assert len(pages) == len(script.scenes)
    for index, page in enumerate(pages):
        slide = slide_for(script, index)
        seen = _soft(Image.open(page).crop((0, 0, *SIZE)))
        frame = _soft(draw(slide, None, SIZE)[0])
        bare = _soft(draw(slide, None, SIZE, ink=False)[0])
        # LibreOffice's text lands on the video's text: what is left over is a small part of what the
        # text itself contributes (a missing or misplaced line would leave all of it).
        off = np.abs(seen - frame).mean()
        assert off < 0.35 * np.abs(seen - bare).mean(), f"page {index} differs from its video frame"


def _soft(image: Image.Image) -> np.ndarray:
    """Grey and blurred: sub-pixel differences between two text renderers fade, missing words do not."""
    return np.asarray(image.convert("L").filter(ImageFilter.GaussianBlur(4))).astype(float)
