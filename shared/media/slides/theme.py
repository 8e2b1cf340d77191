"""The slide theme: colours (every text/background pair meets WCAG AA, 4.5:1), fonts and sizes.

DejaVu Sans is the one face: it has the arrows, ≈, ✓ and Greek a science lesson needs (NotoSans lacks
→ and ≈), and Pillow has no font fallback, so a glyph missing from it would draw as a box.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

Colour = tuple[int, int, int]

BACKGROUND: Colour = (11, 31, 58)  # deep navy
PANEL: Colour = (22, 50, 88)  # cards
PANEL_HI: Colour = (34, 70, 120)  # the card the narration is on
DIM: Colour = (52, 78, 116)  # tracks, rings and connectors not yet reached (graphics, never text behind)
TEXT: Colour = (255, 255, 255)
MUTED: Colour = (200, 214, 235)
ACCENT: Colour = (255, 196, 61)  # amber
INK: Colour = BACKGROUND  # text on amber


def _luminance(rgb: Colour) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Colour, b: Colour) -> float:
    """WCAG 2 contrast ratio between two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@lru_cache(maxsize=256)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: apt-get install fonts-dejavu-core")
    return ImageFont.truetype(str(path), size)
