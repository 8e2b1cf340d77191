"""The canvas every layout draws on, and fitting text into boxes.

Fitting never cuts a phrase: it shrinks the font step by step down to a floor, and if the items still do
not fit it drops whole trailing items (the caller marks the slide truncated). A single word wider than
its box is broken across lines with every character kept: no ellipsis, nothing lost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from shared.media.slides.theme import ACCENT, BACKGROUND, DIM, Colour, font

Box = tuple[int, int, int, int]
LEADING = 1.25


@dataclass(frozen=True)
class TextRun:
    """One block of text as the slide drew it, so a deck can lay it out again as native, editable text.

    x, y: the pen position of the first line (its ascender at y), in pixels; line_h: the pitch between
    lines; width: the box centred lines are centred in (0 when left-aligned); tracking: extra pixels
    after each letter (the eyebrow label); role: "heading" for the slide's title, else "body".
    """

    lines: tuple[str, ...]
    x: float
    y: float
    size: int
    bold: bool
    colour: Colour
    line_h: int
    align: str = "left"
    width: float = 0.0
    tracking: float = 0.0
    role: str = "body"


@dataclass
class SlideLayout:
    """What a slide drew, so tests can check it: boxes, colours, and which bullets made it."""

    size: tuple[int, int]
    safe_area: Box
    text_boxes: list[Box] = field(default_factory=list)
    # Parallel to text_boxes: (font px, text colour, the colour behind it).
    text_styles: list[tuple[int, Colour, Colour]] = field(default_factory=list)
    graphic_boxes: list[Box] = field(default_factory=list)
    # True when something the script asked for is not on the slide (whole trailing bullets dropped).
    truncated: bool = False
    dropped: list[int] = field(default_factory=list)
    # bullet index -> the text drawn for it (its lines joined), for "nothing was cut" checks.
    bullet_text: dict[int, str] = field(default_factory=dict)
    colour_pairs: set[tuple[Colour, Colour]] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    # Polylines drawn as arrows (diagrams), so tests can check they keep clear of the labels.
    paths: list[list[tuple[float, float]]] = field(default_factory=list)
    runs: list[TextRun] = field(default_factory=list)

    def overflows(self) -> bool:
        left, top, right, bottom = self.safe_area
        return any(
            b[0] < left or b[1] < top or b[2] > right or b[3] > bottom
            for b in [*self.text_boxes, *self.graphic_boxes]
        )

    def content_box(self) -> Box | None:
        boxes = [*self.text_boxes, *self.graphic_boxes]
        if not boxes:
            return None
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def drop(self, indices: Sequence[int]) -> None:
        if indices:
            self.truncated = True
            self.dropped.extend(i for i in indices if i not in self.dropped)


def _break_word(word: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """A word wider than the box, in pieces that fit (every character kept)."""
    pieces = []
    while len(word) > 1 and face.getlength(word) > width:
        low, high = 1, len(word) - 1
        while low < high:  # the longest prefix that fits
            mid = (low + high + 1) // 2
            if face.getlength(word[:mid]) <= width:
                low = mid
            else:
                high = mid - 1
        pieces.append(word[:low])
        word = word[low:]
    return [*pieces, word]


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if face.getlength(trial) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        *full, current = _break_word(word, face, width)
        lines += full
    if current:
        lines.append(current)
    return tuple(lines)


def balanced_wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> tuple[str, ...]:
    """The same number of lines as a greedy wrap, but as even as they go (no lone last word)."""
    greedy = wrap(text, face, width)
    if len(greedy) < 2:
        return greedy
    low, high = width * 0.4, width
    best = greedy
    for _ in range(8):
        mid = (low + high) / 2
        trial = wrap(text, face, mid)
        # Narrower must not mean breaking a word the greedy wrap kept whole.
        if len(trial) <= len(greedy) and " ".join(trial) == " ".join(greedy):
            best, high = trial, mid
        else:
            low = mid
    return best


@dataclass(frozen=True)
class Fit:
    """Items wrapped at one font size; `lines` has one entry per item kept (the first len(lines))."""

    size: int
    line_h: int
    pad: int
    gap: int
    lines: tuple[tuple[str, ...], ...]
    dropped: int

    def item_height(self, index: int) -> int:
        return len(self.lines[index]) * self.line_h + 2 * self.pad

    @property
    def height(self) -> int:
        return sum(self.item_height(i) for i in range(len(self.lines))) + self.gap * max(
            0, len(self.lines) - 1
        )

    @property
    def kept(self) -> int:
        return len(self.lines)


@lru_cache(maxsize=4096)
def fit(
    items: tuple[str, ...],
    width: int,
    height: int,
    max_px: int,
    min_px: int,
    *,
    bold: bool = False,
    pad_em: float = 0.0,
    gap_em: float = 0.35,
    max_lines: int = 0,
    balance: bool = False,
    keep_min: int = 0,
    break_words: bool = True,
) -> Fit:
    """The largest font size in [min_px, max_px] at which all items fit in width × height.

    If none does, whole trailing items are dropped (never fewer than keep_min are kept: those then
    overflow the height and the caller must give them room).
    """
    max_px = max(max_px, min_px)
    step = max(1, round(max_px / 24))
    sizes = [*range(max_px, min_px, -step), min_px]
    for keep in range(len(items), max(keep_min, 1) - 1, -1):
        for size in sizes:
            face = font(size, bold)
            line_h = round(size * LEADING)
            pad, gap = round(size * pad_em), round(size * gap_em)
            wrapper = balanced_wrap if balance else wrap
            lines = tuple(wrapper(item, face, width) for item in items[:keep])
            candidate = Fit(size, line_h, pad, gap, lines, len(items) - keep)
            if max_lines and any(len(item) > max_lines for item in lines):
                continue
            # Breaking a word is the last resort: only at the smallest size, and only where allowed.
            if (size != min_px or not break_words) and any(
                " ".join(wrapped).split() != item.split() for wrapped, item in zip(lines, items, strict=False)
            ):
                continue
            if candidate.height <= height or (size == min_px and keep == keep_min):
                return candidate
    return Fit(min_px, round(min_px * LEADING), 0, 0, (), len(items))


@lru_cache(maxsize=1024)
def fit_each_or_none(
    items: tuple[str, ...],
    width: int,
    height: int,
    max_px: int,
    min_px: int,
    *,
    bold: bool = False,
    max_lines: int = 0,
    balance: bool = False,
) -> Fit | None:
    """Items side by side (column heads, diagram nodes, timeline cards, quiz options): the largest common
    size at which each one fits width × height on its own; None if even min_px does not do."""
    max_px = max(max_px, min_px)
    step = max(1, round(max_px / 24))
    for size in [*range(max_px, min_px, -step), min_px]:
        each = [
            fit(
                (item,),
                width,
                height,
                size,
                size,
                bold=bold,
                max_lines=max_lines,
                balance=balance,
                break_words=size == min_px,
            )
            for item in items
        ]
        if all(f.kept == 1 for f in each):
            return Fit(size, round(size * LEADING), 0, 0, tuple(f.lines[0] for f in each), 0)
    return None


def fit_each(
    items: tuple[str, ...],
    width: int,
    height: int,
    max_px: int,
    min_px: int,
    *,
    bold: bool = False,
    max_lines: int = 0,
    balance: bool = False,
) -> Fit:
    """fit_each_or_none for items that must all show: at min_px they wrap as they must, whatever the height."""
    found = fit_each_or_none(
        items, width, height, max_px, min_px, bold=bold, max_lines=max_lines, balance=balance
    )
    if found is not None:
        return found
    face = font(min_px, bold)
    return Fit(min_px, round(min_px * LEADING), 0, 0, tuple(wrap(item, face, width) for item in items), 0)


class Canvas:
    """A blank slide in the theme, with its safe area (64 px margins at 720p, scaled).

    ink=False lays everything out and records it but leaves text off the image: a deck's background,
    on which the same text is set again as native text boxes.
    """

    def __init__(
        self,
        size: tuple[int, int],
        *,
        reserve_bottom_px: int = 0,
        reserve_right_px: int = 0,
        ink: bool = True,
    ) -> None:
        self.image = Image.new("RGB", size, BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        self.ink = ink
        w, h = size
        self.scale = h / 720
        margin = self.px(64)
        self.layout = SlideLayout(
            size, (margin, margin, w - margin - reserve_right_px, h - margin - reserve_bottom_px)
        )

    def px(self, value: float) -> int:
        return round(value * self.scale)

    @property
    def left(self) -> int:
        return self.layout.safe_area[0]

    @property
    def top(self) -> int:
        return self.layout.safe_area[1]

    @property
    def right(self) -> int:
        return self.layout.safe_area[2]

    @property
    def bottom(self) -> int:
        return self.layout.safe_area[3]

    @property
    def width(self) -> int:
        return self.right - self.left

    def text(
        self,
        x: float,
        y: float,
        s: str,
        face: ImageFont.FreeTypeFont,
        fg: Colour,
        bg: Colour,
        *,
        run: bool = True,
    ) -> Box:
        """Draw one line with its ascender at y; records its ink box, its colour pair and (run=True) a
        text run of its own."""
        ink = self.draw.textbbox((x, y), s, font=face, anchor="la")
        x += max(0, math.ceil(x - ink[0]))  # some glyphs' ink starts left of the pen position
        box = tuple(int(v) for v in self.draw.textbbox((x, y), s, font=face, anchor="la"))
        if self.ink:
            self.draw.text((x, y), s, font=face, fill=fg, anchor="la")
        self.layout.text_boxes.append(box)  # type: ignore[arg-type]
        self.layout.text_styles.append((int(face.size), fg, bg))
        self.layout.colour_pairs.add((fg, bg))
        if run:
            self._run((s,), x, y, face, round(face.size * LEADING), fg)
        return box  # type: ignore[return-value]

    def _run(
        self,
        lines: tuple[str, ...],
        x: float,
        y: float,
        face: ImageFont.FreeTypeFont,
        line_h: int,
        fg: Colour,
        **kw: Any,
    ) -> None:
        bold = "Bold" in (face.getname()[1] or "")
        self.layout.runs.append(TextRun(lines, x, y, int(face.size), bold, fg, line_h, **kw))

    def lines(
        self,
        lines: Sequence[str],
        x: float,
        y: float,
        face: ImageFont.FreeTypeFont,
        line_h: int,
        fg: Colour,
        bg: Colour,
        *,
        align: str = "left",
        width: float = 0,
        role: str = "body",
    ) -> int:
        top = y
        for line in lines:
            lx = x
            if align == "center":
                lx = x + (width - face.getlength(line)) / 2
            self.text(lx, y, line, face, fg, bg, run=False)
            y += line_h
        if lines:
            self._run(tuple(lines), x, top, face, line_h, fg, align=align, width=width, role=role)
        return int(y)

    def record(self, box: Box) -> None:
        self.layout.graphic_boxes.append(tuple(int(v) for v in box))  # type: ignore[arg-type]

    def rect(
        self,
        box: Box,
        fill: Colour | None,
        *,
        radius: int = 0,
        outline: Colour | None = None,
        width: int = 0,
    ) -> None:
        self.draw.rounded_rectangle(box, radius=radius, fill=fill, outline=outline, width=width)
        self.record(box)

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        fill: Colour | None,
        outline: Colour | None = None,
        width: int = 0,
    ) -> None:
        box = (round(cx - r), round(cy - r), round(cx + r), round(cy + r))
        self.draw.ellipse(box, fill=fill, outline=outline, width=width)
        self.record(box)

    def smooth(
        self,
        box: Box,
        paint: Callable[[ImageDraw.ImageDraw, Callable[[float, float], tuple[float, float]], int], None],
        colour: Colour,
    ) -> None:
        """Antialiased shapes: `paint` draws on a 4× mask over box (through the given point mapping and
        scale), which is shrunk and used to lay `colour` on the slide. Pillow's own lines are aliased."""
        k = 4
        x0, y0, x1, y1 = (int(v) for v in box)
        if x1 <= x0 or y1 <= y0:
            return
        mask = Image.new("L", ((x1 - x0) * k, (y1 - y0) * k), 0)
        paint(ImageDraw.Draw(mask), lambda x, y: ((x - x0) * k, (y - y0) * k), k)
        self.image.paste(colour, (x0, y0, x1, y1), mask.resize((x1 - x0, y1 - y0), Image.Resampling.BOX))

    def eyebrow(self, text: str, x: int, y: int, colour: Colour = ACCENT, bg: Colour = BACKGROUND) -> int:
        """A small letter-spaced capitals label above a heading; returns the y below it."""
        size = self.px(22)
        face = font(size, True)
        track = self.px(2.5)
        cx = float(x)
        boxes = []
        for ch in text.upper():
            if not ch.isspace():
                boxes.append(self.draw.textbbox((cx, y), ch, font=face, anchor="la"))
                if self.ink:
                    self.draw.text((cx, y), ch, font=face, fill=colour, anchor="la")
            cx += face.getlength(ch) + track
        if text.strip():
            self._run((text.upper(),), x, y, face, round(size * LEADING), colour, tracking=track)
        if boxes:
            box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            self.layout.text_boxes.append(tuple(int(v) for v in box))  # type: ignore[arg-type]
            self.layout.text_styles.append((size, colour, bg))
            self.layout.colour_pairs.add((colour, bg))
        return y + round(size * LEADING)

    def progress(self, position: tuple[int, int] | None, fraction: float) -> None:
        """Scene n of N as thin segments in the top margin: done ones amber, the current one filling."""
        if not position:
            return
        index, total = position
        y0 = self.px(26)
        y1 = y0 + max(2, self.px(6))
        gap = self.px(6)
        span = self.right - self.left
        seg = (span - gap * (total - 1)) / max(1, total)
        for i in range(total):
            x0 = self.left + i * (seg + gap)
            x1 = x0 + seg
            self.draw.rectangle((round(x0), y0, round(x1), y1), fill=DIM)
            done = 1.0 if i < index else (fraction if i == index else 0.0)
            if done > 0:
                self.draw.rectangle((round(x0), y0, round(x0 + seg * min(1.0, done)), y1), fill=ACCENT)
