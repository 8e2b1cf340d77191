"""Slides with Pillow: a clean high-contrast theme, text wrapped and shrunk to fit, never overflowing.

render_* functions return the boxes their text occupies, so tests can prove nothing leaves the safe area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BACKGROUND = (11, 31, 58)  # deep navy
TEXT = (255, 255, 255)
MUTED = (200, 214, 235)
ACCENT = (255, 196, 61)

Box = tuple[int, int, int, int]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio between two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: apt-get install fonts-dejavu-core")
    return ImageFont.truetype(str(path), size)


@dataclass
class SlideLayout:
    size: tuple[int, int]
    safe_area: Box
    text_boxes: list[Box] = field(default_factory=list)
    truncated: bool = False

    def overflows(self) -> bool:
        left, top, right, bottom = self.safe_area
        return any(b[0] < left or b[1] < top or b[2] > right or b[3] > bottom for b in self.text_boxes)


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=face) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        # A single word wider than the box is cut with an ellipsis rather than overflowing.
        while draw.textlength(word, font=face) > width and len(word) > 1:
            word = word[:-2] + "…"
        current = word
    if current:
        lines.append(current)
    return lines


class _Canvas:
    def __init__(self, size: tuple[int, int]) -> None:
        self.image = Image.new("RGB", size, BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        w, h = size
        self.scale = h / 720
        margin = int(64 * self.scale)
        self.layout = SlideLayout(size, (margin, margin, w - margin, h - margin))

    def px(self, value: float) -> int:
        return int(value * self.scale)

    def block(
        self,
        items: list[str],
        top: int,
        bottom: int,
        *,
        size: int,
        min_size: int,
        bold: bool = False,
        colour: tuple[int, int, int] = TEXT,
        bullet: bool = False,
        gap: float = 0.35,
    ) -> int:
        """Draw items (wrapped) between top and bottom, shrinking the font until they fit. Returns the end y."""
        left, _, right, _ = self.layout.safe_area
        indent = self.px(40) if bullet else 0
        for candidate in range(self.px(size), self.px(min_size) - 1, -2):
            face = font(candidate, bold)
            line_h = int(candidate * 1.25)
            wrapped = [_wrap(self.draw, item, face, right - left - indent) for item in items]
            height = sum(len(w) * line_h for w in wrapped) + int(candidate * gap) * (len(items) - 1)
            if top + height <= bottom:
                break
        else:
            # Still too tall at the smallest size: keep the lines that fit and mark the slide truncated.
            self.layout.truncated = True
            budget = (bottom - top) // line_h
            kept: list[list[str]] = []
            for lines in wrapped:
                if budget <= 0:
                    break
                kept.append(lines[:budget])
                budget -= len(lines) + 1
            wrapped = kept
        y = top
        for lines in wrapped:
            if bullet:
                r = max(3, candidate // 6)
                cy = y + line_h // 2
                self.draw.ellipse((left, cy - r, left + 2 * r, cy + r), fill=ACCENT)
            for line in lines:
                x = left + indent
                ink_left = int(self.draw.textbbox((x, y), line, font=face)[0])
                x += max(0, left - ink_left)  # some glyphs' ink starts left of the pen position
                x0, y0, x1, y1 = self.draw.textbbox((x, y), line, font=face)
                self.draw.text((x, y), line, font=face, fill=colour)
                self.layout.text_boxes.append((int(x0), int(y0), int(x1), int(y1)))
                y += line_h
            y += int(candidate * gap)
        return y

    def accent_bar(self, y: int) -> None:
        left, _, _, _ = self.layout.safe_area
        self.draw.rectangle((left, y, left + self.px(120), y + self.px(8)), fill=ACCENT)

    def save(self, path: Path) -> SlideLayout:
        self.image.save(path, format="PNG", compress_level=1)
        return self.layout


def render_title(path: Path, title: str, subtitle: str, size: tuple[int, int]) -> SlideLayout:
    canvas = _Canvas(size)
    _, top, _, bottom = canvas.layout.safe_area
    middle = (top + bottom) // 2
    end = canvas.block([title], top + canvas.px(140), middle + canvas.px(60), size=72, min_size=40, bold=True)
    canvas.accent_bar(end + canvas.px(10))
    canvas.block([subtitle], end + canvas.px(50), bottom, size=34, min_size=24, colour=MUTED)
    return canvas.save(path)


def render_bullets(path: Path, heading: str, bullets: list[str], size: tuple[int, int]) -> SlideLayout:
    canvas = _Canvas(size)
    _, top, _, bottom = canvas.layout.safe_area
    end = canvas.block([heading], top, top + canvas.px(150), size=54, min_size=34, bold=True)
    canvas.accent_bar(end)
    canvas.block(bullets or [heading], end + canvas.px(40), bottom, size=38, min_size=24, bullet=True)
    return canvas.save(path)


def render_sources(path: Path, sources: list[tuple[str, str, str]], size: tuple[int, int]) -> SlideLayout:
    """The closing card: every source with its license and URL (attribution the licenses require)."""
    canvas = _Canvas(size)
    _, top, _, bottom = canvas.layout.safe_area
    end = canvas.block(["Sources"], top, top + canvas.px(110), size=54, min_size=34, bold=True)
    canvas.accent_bar(end)
    items = [f"{title} — {license}. {url}" for title, url, license in sources]
    canvas.block(items, end + canvas.px(36), bottom, size=28, min_size=16, colour=MUTED, gap=0.5)
    return canvas.save(path)


def overlay_caption(slide: Path, lines: tuple[str, ...], out: Path) -> None:
    """Burn one caption cue onto a copy of a slide: white text on a dark band along the bottom."""
    with Image.open(slide) as base:
        image = base.convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    width, height = image.size
    scale = height / 720
    face = font(int(30 * scale))
    line_h = int(30 * scale * 1.3)
    pad = int(14 * scale)
    band_top = height - int(20 * scale) - 2 * pad - line_h * len(lines)
    draw.rectangle((0, band_top, width, height - int(20 * scale)), fill=(0, 0, 0, 215))
    for index, line in enumerate(lines):
        x = (width - draw.textlength(line, font=face)) / 2
        draw.text((x, band_top + pad + index * line_h), line, font=face, fill=TEXT)
    image.save(out, format="PNG", compress_level=1)
