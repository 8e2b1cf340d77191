"""The quiz in the video: the question with its options as lettered cards, a countdown, the answer."""

from __future__ import annotations

import math
import re

from shared.media.slides.canvas import Box, Canvas, Fit, fit, fit_each, fit_each_or_none
from shared.media.slides.layouts import BODY_MIN, header
from shared.media.slides.model import Slide, SlideState
from shared.media.slides.theme import ACCENT, BACKGROUND, DIM, INK, MUTED, PANEL, TEXT, font

LETTERS = "ABCDEF"
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _grid(n: int) -> tuple[int, int]:
    return (1, n) if n <= 3 else (2, math.ceil(n / 2))


def answer_index(slide: Slide) -> int | None:
    """The option equal to the slide's term (the answer), exactly or ignoring case."""
    if slide.term is None:
        return None
    for match in (lambda o: o == slide.term, lambda o: o.casefold() == (slide.term or "").casefold()):
        for i, option in enumerate(slide.bullets):
            if match(option):
                return i
    return None


def _cell_widths(c: Canvas, width: int, cols: int, reveal: bool) -> tuple[int, int]:
    """A card's width and the width its text gets (after the letter badge, and the tick in the answer)."""
    cell_w = (width - c.px(22) * (cols - 1)) // cols
    return cell_w, cell_w - 2 * c.px(20) - c.px(50) - c.px(20) - (c.px(40) if reveal else 0)


def grid_need(c: Canvas, options: tuple[str, ...], width: int, *, reveal: bool) -> int:
    """The least height the options grid needs (every option wrapped at the smallest size)."""
    if not options:
        return 0
    cols, rows = _grid(len(options))
    _cell_w, text_w = _cell_widths(c, width, cols, reveal)
    f = fit_each(options, text_w, 10**6, c.px(BODY_MIN), c.px(BODY_MIN), bold=reveal)
    cell_h = max(len(lines) for lines in f.lines) * f.line_h + 2 * c.px(12)
    return rows * cell_h + c.px(22) * (rows - 1)


def options_grid(
    c: Canvas, slide: Slide, state: SlideState, box: Box, *, answer: int | None = None, reveal: bool = False
) -> None:
    """Options as lettered cards: one column for three, two columns for four or more."""
    options = list(slide.bullets)
    n = len(options)
    if not n:
        return
    x0, y0, x1, y1 = box
    cols, rows = _grid(n)
    gap = c.px(22)
    cell_w, text_w = _cell_widths(c, x1 - x0, cols, reveal)
    cell_h = min((y1 - y0 - gap * (rows - 1)) // rows, c.px(150))
    pad = c.px(20)
    d = c.px(50)
    # In the answer the right option is bold: fit them all as bold so it never outgrows its card.
    best = fit_each_or_none(
        tuple(options), text_w, cell_h - 2 * c.px(12), c.px(34), c.px(BODY_MIN), bold=reveal, balance=True
    )
    if best is None:  # options are never dropped: wrap them at the smallest size and let the cards grow
        best = fit_each(tuple(options), text_w, 10**6, c.px(BODY_MIN), c.px(BODY_MIN), bold=reveal)
        cell_h = max(cell_h, max(len(lines) for lines in best.lines) * best.line_h + 2 * c.px(12))
        c.layout.notes.append("quiz options needed more room than the grid had")
    grid_h = rows * cell_h + gap * (rows - 1)
    gy = y0 + max(0, (y1 - y0 - grid_h) // 2)
    for i in range(n):
        if not state.visible(i):
            continue
        col, row = (0, i) if cols == 1 else (i % 2, i // 2)
        cx0 = x0 + col * (cell_w + gap)
        cy0 = gy + row * (cell_h + gap)
        card = (cx0, cy0, cx0 + cell_w, cy0 + cell_h)
        right = reveal and i == answer
        wrong = reveal and i != answer
        lit = not reveal and state.current == i
        fill = ACCENT if right else PANEL
        if lit:
            c.rect(card, PANEL, radius=c.px(16), outline=ACCENT, width=c.px(3))
        else:
            c.rect(card, fill, radius=c.px(16))
        mid = cy0 + cell_h // 2
        bx = cx0 + pad + d // 2
        if right:
            c.circle(bx, mid, d / 2, INK)
            letter_fg, letter_bg = ACCENT, INK
        elif wrong:
            c.circle(bx, mid, d / 2, DIM)
            letter_fg, letter_bg = MUTED, DIM
        else:
            c.circle(bx, mid, d / 2, ACCENT)
            letter_fg, letter_bg = INK, ACCENT
        lf = font(c.px(26), True)
        letter = LETTERS[i]
        c.text(bx - lf.getlength(letter) / 2, mid - round(c.px(26) * 0.6), letter, lf, letter_fg, letter_bg)
        f = best
        lines = f.lines[i]
        fg = INK if right else (MUTED if wrong else TEXT)
        ty = mid - len(lines) * f.line_h // 2
        c.lines(lines, cx0 + pad + d + c.px(20), ty, font(f.size, right), f.line_h, fg, fill)
        c.layout.bullet_text[i] = " ".join(lines)
        if right:
            tick = font(c.px(34), True)
            c.text(
                cx0 + cell_w - pad - tick.getlength("✓"), mid - round(c.px(34) * 0.6), "✓", tick, INK, ACCENT
            )


def _badge(c: Canvas, cx: float, cy: float, d: int, state: SlideState) -> None:
    """A ring at the top right: "?" while the question is read, then the seconds left, the ring emptying."""
    r = d / 2
    ring = c.px(9)
    c.circle(cx, cy, r, BACKGROUND, outline=DIM, width=ring)
    if state.countdown is not None:
        total = max(state.countdown_total, state.countdown, 1)
        sweep = 360 * state.countdown / total
        box = (round(cx - r), round(cy - r), round(cx + r), round(cy + r))
        c.draw.arc(box, -90, -90 + sweep, fill=ACCENT, width=ring)
        face = font(c.px(54), True)
        label = str(state.countdown)
        c.text(cx - face.getlength(label) / 2, cy - round(c.px(54) * 0.6), label, face, TEXT, BACKGROUND)
    else:
        face = font(c.px(54), True)
        c.text(cx - face.getlength("?") / 2, cy - round(c.px(54) * 0.6), "?", face, ACCENT, BACKGROUND)


def quiz_question(c: Canvas, slide: Slide, state: SlideState) -> None:
    d = c.px(116)
    y = header(c, slide, "Quiz", right_reserve=d + c.px(32), max_px=46)
    _badge(c, c.right - d / 2, c.top + d / 2, d, state)
    y = max(y, c.top + d + c.px(24))
    options_grid(c, slide, state, (c.left, y, c.right, c.bottom))


def _fit_explanation(c: Canvas, text: str, width: int, height: int) -> tuple[Fit, bool]:
    """The explanation at the largest size that fits; whole trailing sentences dropped if it cannot."""
    parts = [p for p in SENTENCE.split(text.strip()) if p]
    for keep in range(len(parts), 0, -1):
        f = fit((" ".join(parts[:keep]),), width, height, c.px(32), c.px(BODY_MIN))
        if f.kept:
            return f, keep < len(parts)
    return fit(("",), width, height, c.px(BODY_MIN), c.px(BODY_MIN)), bool(parts)


def quiz_answer(c: Canvas, slide: Slide, state: SlideState) -> None:
    y = header(c, slide, "Answer", max_px=46)
    answer = answer_index(slide)
    if answer is None and slide.bullets:
        c.layout.notes.append("the answer (term) is not one of the options")
    bottom = c.bottom
    if slide.explanation:
        pad = c.px(28)
        inner = c.width - 2 * pad - c.px(12)
        # The explanation gets what the options leave, at most about two fifths of the body.
        leave = bottom - y - grid_need(c, slide.bullets, c.width, reveal=True) - c.px(26)
        budget = min(round((bottom - y) * 0.42), leave) - c.px(78)
        f, cut = _fit_explanation(c, slide.explanation, inner, budget)
        if cut:
            c.layout.truncated = True
            c.layout.notes.append("the explanation's last sentences did not fit")
        panel_h = f.height + c.px(70) + 2 * c.px(4)
        top = bottom - panel_h
        c.rect((c.left, top, c.right, bottom), PANEL, radius=c.px(16))
        c.draw.rounded_rectangle((c.left, top, c.left + c.px(8), bottom), radius=c.px(3), fill=ACCENT)
        ty = c.eyebrow("Why", c.left + pad + c.px(12), top + c.px(20), ACCENT, PANEL) + c.px(8)
        if f.kept:
            c.lines(f.lines[0], c.left + pad + c.px(12), ty, font(f.size), f.line_h, TEXT, PANEL)
        bottom = top - c.px(26)
    options_grid(c, slide, SlideState(), (c.left, y, c.right, bottom), answer=answer, reveal=True)
