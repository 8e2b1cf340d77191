"""Slides with Pillow: designed layouts (definition card, numbered steps, cycle diagram, comparison,
timeline, typeset equation, quiz with countdown and answer), a progress indicator, and burned-in captions.

A Slide is what a scene shows; a SlideState is one moment of it (which bullets are out, which is lit, the
countdown). `draw` returns the frame and a SlideLayout recording every box and colour pair, so tests prove
nothing leaves the safe area, every text meets WCAG AA contrast, and no bullet is cut (a bullet that cannot
fit is dropped whole and the layout marked truncated).
"""

from shared.media.slides.canvas import Box, SlideLayout
from shared.media.slides.equation import render_equation
from shared.media.slides.frames import (
    PRESENTER_ROOM,
    FrameStore,
    caption_reserve_px,
    draw,
    overlay_caption,
    render,
    render_bullets,
    render_sources,
    render_title,
    resolved_layout,
    with_caption,
)
from shared.media.slides.model import REVEAL_MODES, RevealMode, Slide, SlideState, reveal_mode
from shared.media.slides.quiz import answer_index
from shared.media.slides.theme import (
    ACCENT,
    BACKGROUND,
    DIM,
    INK,
    MUTED,
    PANEL,
    PANEL_HI,
    TEXT,
    contrast_ratio,
    font,
)

__all__ = [
    "ACCENT",
    "BACKGROUND",
    "DIM",
    "INK",
    "MUTED",
    "PANEL",
    "PANEL_HI",
    "PRESENTER_ROOM",
    "REVEAL_MODES",
    "TEXT",
    "Box",
    "FrameStore",
    "RevealMode",
    "Slide",
    "SlideLayout",
    "SlideState",
    "answer_index",
    "caption_reserve_px",
    "contrast_ratio",
    "draw",
    "font",
    "overlay_caption",
    "render",
    "render_bullets",
    "render_equation",
    "render_sources",
    "render_title",
    "resolved_layout",
    "reveal_mode",
    "with_caption",
]
