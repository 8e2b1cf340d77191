"""Diagrams: the cycle (labelled nodes round an ellipse, arrows between them, the current node lit)."""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import ImageDraw

from shared.media.slides.canvas import Box, Canvas, fit, fit_each, fit_each_or_none
from shared.media.slides.layouts import BODY_MIN, header, steps
from shared.media.slides.model import Slide, SlideState
from shared.media.slides.theme import ACCENT, DIM, INK, MUTED, PANEL, TEXT, Colour, font


def _inside(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _arrow(c: Canvas, points: list[tuple[float, float]], colour: Colour) -> None:
    """An antialiased curved arrow along points, its head at the last one."""
    if len(points) < 4:
        return
    width = c.px(4)
    head = c.px(17)
    tip = points[-1]
    back = points[-4]
    angle = math.atan2(tip[1] - back[1], tip[0] - back[0])
    base = (tip[0] - head * math.cos(angle), tip[1] - head * math.sin(angle))
    # The shaft stops at the head's base so its end does not poke through the point.
    shaft = [p for p in points if math.dist(p, tip) >= head * 0.8] or points[:2]
    left = (base[0] + head * 0.55 * math.sin(angle), base[1] - head * 0.55 * math.cos(angle))
    right = (base[0] - head * 0.55 * math.sin(angle), base[1] + head * 0.55 * math.cos(angle))
    xs = [p[0] for p in points] + [left[0], right[0]]
    ys = [p[1] for p in points] + [left[1], right[1]]
    box = (
        math.floor(min(xs)) - width,
        math.floor(min(ys)) - width,
        math.ceil(max(xs)) + width,
        math.ceil(max(ys)) + width,
    )

    def paint(d: ImageDraw.ImageDraw, at: Callable[[float, float], tuple[float, float]], k: int) -> None:
        d.line([at(*p) for p in [*shaft, base]], fill=255, width=width * k, joint="curve")
        d.polygon([at(*tip), at(*left), at(*right)], fill=255)

    c.smooth(box, paint, colour)
    c.record(box)
    c.layout.paths.append([*shaft, base, tip])


def cycle(c: Canvas, slide: Slide, state: SlideState) -> None:
    """Nodes (labels) round an ellipse with arrows from each to the next; beside it, what the lit node means."""
    labels = list(slide.labels)
    if len(labels) < 2:
        steps(c, slide, state)
        return
    y = header(c, slide, "Cycle")
    n = len(labels)
    has_card = bool(slide.bullets)
    gap = c.px(36)
    region_w = round(c.width * (0.58 if n <= 4 else 0.64)) if has_card else c.width
    region: Box = (c.left, y, c.left + region_w, c.bottom)
    pad_x, pad_y = c.px(16), c.px(12)
    # Nodes as wide as the longest label needs at a comfortable size, within reason.
    widest = max(font(c.px(28), True).getlength(label) for label in labels)
    node_w = round(min(max(widest + 2 * pad_x + c.px(4), c.px(170)), region_w * (0.4 if n <= 4 else 0.26)))
    # ...but never so narrow that a word must break across lines.
    longest_word = max(
        font(c.px(BODY_MIN), True).getlength(w) for label in labels for w in label.split() or [""]
    )
    node_w = max(node_w, round(longest_word + 2 * pad_x + c.px(4)))
    lf = fit_each(
        tuple(labels), node_w - 2 * pad_x, c.px(90), c.px(28), c.px(BODY_MIN), bold=True, max_lines=2
    )
    lines_max = max(len(lines) for lines in lf.lines)
    node_h = lines_max * lf.line_h + 2 * pad_y
    cx = (region[0] + region[2]) / 2
    cy = (region[1] + region[3]) / 2
    rx = (region[2] - region[0] - node_w) / 2
    ry = (region[3] - region[1] - node_h) / 2
    # The first node at the top; an even ring of six or more sits flat (two nodes on top) to keep them apart.
    start = -math.pi / 2 + (math.pi / n if n >= 6 and n % 2 == 0 else 0)
    angles = [start + 2 * math.pi * i / n for i in range(n)]
    centres = [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]
    rects = [(x - node_w / 2, yy - node_h / 2, x + node_w / 2, yy + node_h / 2) for x, yy in centres]
    clear = c.px(12)
    padded = [(r[0] - clear, r[1] - clear, r[2] + clear, r[3] + clear) for r in rects]
    current = state.current if state.current is not None and state.current < n else None
    for i in range(n):
        j = (i + 1) % n
        a0, a1 = angles[i], angles[i] + 2 * math.pi / n
        samples = [a0 + (a1 - a0) * s / 120 for s in range(121)]
        points = [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in samples]
        points = [p for p in points if not _inside(*p, padded[i]) and not _inside(*p, padded[j])]
        into_current = current is not None and j == current
        _arrow(c, points, ACCENT if into_current else MUTED)
    face = font(lf.size, True)
    for i, (rect, lines) in enumerate(zip(rects, lf.lines, strict=True)):
        box = tuple(round(v) for v in rect)
        lit = current == i
        if lit:
            c.rect(box, ACCENT, radius=c.px(18))  # type: ignore[arg-type]
        else:
            c.rect(box, PANEL, radius=c.px(18), outline=DIM, width=c.px(2))  # type: ignore[arg-type]
        fg, bg = (INK, ACCENT) if lit else (TEXT, PANEL)
        ty = rect[1] + (node_h - len(lines) * lf.line_h) / 2
        c.lines(lines, rect[0] + pad_x, ty, face, lf.line_h, fg, bg, align="center", width=node_w - 2 * pad_x)
    if has_card:
        _explain(c, slide, state, (c.left + region_w + gap, y, c.right, c.bottom), current)


def _explain(c: Canvas, slide: Slide, state: SlideState, box: Box, current: int | None) -> None:
    """The card beside the cycle: the lit node's name and its explanation (bullets[i] explains labels[i]).

    One card size and one font size for every node, so nothing jumps as the highlight moves round.
    """
    x0, y0, x1, y1 = box
    pad = c.px(30)
    inner_w = x1 - x0 - 2 * pad
    labels = slide.labels
    n = len(labels)
    texts = tuple(slide.bullets)
    eyebrow_h = round(c.px(22) * 1.25) + c.px(10)
    names = [
        fit((name,), inner_w, c.px(100), c.px(36), c.px(28), bold=True, max_lines=2, keep_min=1)
        for name in labels
    ]
    name_h = max(f.height for f in names) + c.px(10) + c.px(6) + c.px(26)
    room = y1 - y0 - 2 * pad - eyebrow_h - name_h
    found = None
    while texts and found is None:
        found = fit_each_or_none(texts, inner_w, room, c.px(34), c.px(BODY_MIN))
        if found is None:  # an explanation too long for the card: drop it and those after it, whole
            c.layout.drop([len(texts) - 1])
            texts = texts[:-1]
    size = found.size if found else c.px(BODY_MIN)
    line_h = found.line_h if found else round(size * 1.25)
    text_lines = list(found.lines) if found else []
    text_h = max((len(lines) * line_h for lines in text_lines), default=0)
    card_h = min(y1 - y0, 2 * pad + eyebrow_h + name_h + max(text_h, round(size * 1.25) * 3))
    top = y0 + (y1 - y0 - card_h) // 2
    c.rect((x0, top, x1, top + card_h), PANEL, radius=c.px(18))
    y = top + pad
    if current is None:
        y = c.eyebrow(f"{n} stages", x0 + pad, y, ACCENT, PANEL) + c.px(14)
        flow = " → ".join([*labels, labels[0]])
        f = fit((flow,), inner_w, top + card_h - y - pad, c.px(32), c.px(BODY_MIN), keep_min=1)
        c.lines(f.lines[0], x0 + pad, y, font(f.size), f.line_h, TEXT, PANEL)
        return
    y = c.eyebrow(f"Stage {current + 1} of {n}", x0 + pad, y, ACCENT, PANEL) + c.px(10)
    nf = names[current]
    y = c.lines(nf.lines[0], x0 + pad, y, font(nf.size, True), nf.line_h, TEXT, PANEL) + c.px(10)
    c.rect((x0 + pad, y, x0 + pad + c.px(80), y + c.px(6)), ACCENT)
    y += c.px(26)
    if current < len(text_lines):
        c.lines(text_lines[current], x0 + pad, y, font(size), line_h, TEXT, PANEL)
        c.layout.bullet_text[current] = " ".join(text_lines[current])
