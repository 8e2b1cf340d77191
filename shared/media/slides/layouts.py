"""The text layouts: title card, bullets, definition, steps, comparison, timeline, worked example, closing.

Every layout fits all of its bullets first (so nothing moves as they are revealed), then draws the ones the
state shows. Sizes are in 720p pixels and scale with the frame.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.media.slides.canvas import LEADING, Canvas, Fit, fit, fit_each, fit_each_or_none
from shared.media.slides.equation import fitted_equation
from shared.media.slides.model import Slide, SlideState
from shared.media.slides.theme import (
    ACCENT,
    BACKGROUND,
    DIM,
    INK,
    MUTED,
    PANEL,
    PANEL_HI,
    TEXT,
    Colour,
    font,
)

BODY_MAX, BODY_MIN = 40, 24


def header(
    c: Canvas, slide: Slide, eyebrow: str, *, right_reserve: int = 0, heading: bool = True, max_px: int = 50
) -> int:
    """Eyebrow label and heading at the top of the safe area; returns the y where the body starts."""
    y = c.eyebrow(slide.eyebrow or eyebrow, c.left, c.top)
    if heading:
        y += c.px(6)
        f = fit(
            (slide.heading,),
            c.width - right_reserve,
            c.px(140),
            c.px(max_px),
            c.px(32),
            bold=True,
            max_lines=2,
            balance=True,
            keep_min=1,
        )
        if f.lines:  # a heading too long even at the smallest size is left out rather than crashing
            c.lines(f.lines[0], c.left, y, font(f.size, True), f.line_h, TEXT, BACKGROUND, role="heading")
            y += len(f.lines[0]) * f.line_h
    return y + c.px(30)


def _spread(
    c: Canvas, f: Fit, room: int, *, max_pad_em: float = 0.3, max_gap_em: float = 1.0
) -> tuple[int, int, int]:
    """Share spare height between card padding and gaps: (extra pad per side, gap, top offset)."""
    n = f.kept
    if not n:
        return 0, f.gap, 0
    spare = max(0, room - f.height)
    if n <= 2:  # one or two cards: roomier cards, wider gaps, and the stack centred in the body
        max_pad_em, max_gap_em = max_pad_em * 3, max_gap_em * 2
    pad = min(spare // (2 * n), round(f.size * max_pad_em))
    spare -= 2 * n * pad
    gap = f.gap
    if n > 1:
        grow = min(spare // (n - 1), round(f.size * max_gap_em) - f.gap)
        grow = max(0, grow)
        gap += grow
        spare -= grow * (n - 1)
    return pad, gap, round(spare * (0.5 if n <= 2 else 0.3))


def card_list(
    c: Canvas,
    items: Sequence[tuple[int, str]],
    state: SlideState,
    box: tuple[int, int, int, int],
    *,
    max_px: int = BODY_MAX,
    min_px: int = BODY_MIN,
    marker: str = "dot",
    fill: bool = True,
) -> int:
    """Bullets as cards down the box: the current one lit with an amber edge, earlier ones quieter.

    items are (bullet index, text); marker is "dot", "check", "arrow" or "none". Returns the y below
    the last card (drawn or not).
    """
    x0, y0, x1, y1 = box
    pad_x = c.px(24)
    marker_w = {"none": 0, "dot": c.px(36)}.get(marker, round(c.px(max_px) * 1.25))
    text_w = x1 - x0 - 2 * pad_x - marker_w
    texts = tuple(t for _, t in items)
    f = fit(texts, text_w, y1 - y0, c.px(max_px), c.px(min_px), pad_em=0.4, gap_em=0.4)
    if f.dropped:  # tighter cards before any bullet is left off
        tight = fit(texts, text_w, y1 - y0, c.px(max_px), c.px(min_px), pad_em=0.2, gap_em=0.2)
        f = tight if tight.kept > f.kept else f
    c.layout.drop([i for i, _ in items[f.kept :]])
    extra_pad, gap, offset = _spread(c, f, y1 - y0) if fill else (0, f.gap, 0)
    face = font(f.size)
    y = y0 + offset
    for k, lines in enumerate(f.lines):
        index, _text = items[k]
        h = f.item_height(k) + 2 * extra_pad
        if state.visible(index):
            lit = state.current == index
            bg = PANEL_HI if lit else PANEL
            c.rect((x0, y, x1, y + h), bg, radius=c.px(14))
            if lit:
                c.draw.rounded_rectangle((x0, y, x0 + c.px(7), y + h), radius=c.px(3), fill=ACCENT)
            colour = TEXT if lit or state.current is None else MUTED
            ty = y + (h - len(lines) * f.line_h) // 2
            mx = x0 + pad_x
            first_mid = ty + f.line_h // 2
            if marker == "dot":
                r = max(4, round(f.size * 0.17))
                c.circle(mx + r, first_mid, r, ACCENT if lit or state.current is None else MUTED)
            elif marker in ("check", "arrow"):
                glyph = "✓" if marker == "check" else "→"
                c.text(mx, ty, glyph, font(f.size, True), ACCENT, bg)
            c.lines(lines, mx + marker_w, ty, face, f.line_h, colour, bg)
            c.layout.bullet_text[index] = " ".join(lines)
        y += h + gap
    return y - gap if f.kept else y0


# --- title and closing -------------------------------------------------------------------------------


def title(c: Canvas, slide: Slide, state: SlideState) -> None:
    """The opening card: the lesson's title large, what it covers, and what the learner will be able to do."""
    left, top, right, bottom = c.layout.safe_area
    width = round(c.width * 0.92)
    listed = (
        list(enumerate(slide.bullets))
        if slide.bullets
        else [(-1 - i, o) for i, o in enumerate(slide.objectives)]
    )
    sf = (
        fit((slide.subtitle,), width, c.px(80), c.px(30), c.px(24), max_lines=2, keep_min=1)
        if slide.subtitle
        else None
    )
    eyebrow_h = round(c.px(22) * LEADING) + c.px(14)
    sub_h = (sf.height + c.px(20)) if sf else 0
    # The title gives up size before the objectives give up a line.
    for title_px in (68, 60, 54, 48, 42):
        tf = fit(
            (slide.heading,),
            width,
            c.px(270),
            c.px(title_px),
            c.px(40),
            bold=True,
            max_lines=3,
            balance=True,
            keep_min=1,
        )
        used = eyebrow_h + tf.height + c.px(36) + sub_h
        room = bottom - top - used - c.px(48)
        obj_h = 0
        of: Fit | None = None
        if listed and room > c.px(120):
            of = fit(
                tuple(t for _, t in listed),
                c.width - c.px(110),
                room - c.px(80),
                c.px(30),
                c.px(24),
                gap_em=0.3,
            )
            obj_h = of.height + c.px(80) if of.kept else 0
        if not listed or (of is not None and not of.dropped):
            break
    total = used + (c.px(48) + obj_h if obj_h else 0)
    y = top + max(0, (bottom - top - total) // 2)
    y = c.eyebrow(slide.eyebrow or "Lesson", left, y) + c.px(14)
    y = c.lines(tf.lines[0], left, y, font(tf.size, True), tf.line_h, TEXT, BACKGROUND, role="heading")
    y += c.px(14)
    c.rect((left, y, left + c.px(120), y + c.px(8)), ACCENT)
    y += c.px(22)
    if sf:
        y = c.lines(sf.lines[0], left, y, font(sf.size), sf.line_h, MUTED, BACKGROUND) + c.px(20)
    if of is not None and of.kept:
        y += c.px(28)
        c.rect((left, y, right, y + obj_h), PANEL, radius=c.px(18))
        iy = c.eyebrow("In this lesson you will", left + c.px(32), y + c.px(26), ACCENT, PANEL) + c.px(12)
        face = font(of.size)
        for k, lines in enumerate(of.lines):
            index, _text = listed[k]
            c.text(left + c.px(32), iy, "→", font(of.size, True), ACCENT, PANEL)
            iy = c.lines(lines, left + c.px(80), iy, face, of.line_h, TEXT, PANEL) + of.gap
            if index >= 0:
                c.layout.bullet_text[index] = " ".join(lines)
        if of.dropped:
            c.layout.truncated = True
            c.layout.dropped.extend(i for i, _ in listed[of.kept :] if i >= 0)
            c.layout.notes.append(f"{of.dropped} objective(s) left off the title card")
    elif listed:
        c.layout.truncated = True
        c.layout.notes.append("no room for the objectives on the title card")


def closing(c: Canvas, slide: Slide, state: SlideState) -> None:
    """Review of the key ideas, and every source with its license (the attribution the licenses require)."""
    y = header(c, slide, "Recap")
    bottom = c.bottom
    sources = slide.sources
    if sources:
        items = tuple(f"{t} — {lic}. {url}" for t, url, lic in sources)
        budget = round((bottom - y) * (0.55 if slide.bullets else 1.0)) - c.px(64)
        review = tuple(slide.bullets)
        marker_w = round(c.px(34) * 1.25)
        # Smaller source lines before a review point is left off (the sources themselves never are).
        for largest in (22, 19, 16):
            sf = fit(items, c.width - c.px(56), budget, c.px(largest), c.px(16), gap_em=0.35, keep_min=1)
            room = bottom - sf.height - c.px(64) - c.px(28) - y
            text_w = c.width - 2 * c.px(24) - marker_w
            if (
                not review
                or fit(review, text_w, room, c.px(34), c.px(BODY_MIN), pad_em=0.2, gap_em=0.2).dropped == 0
            ):
                break
        panel_h = sf.height + c.px(64)
        top = bottom - panel_h
        c.rect((c.left, top, c.right, bottom), PANEL, radius=c.px(16))
        sy = c.eyebrow("Sources", c.left + c.px(28), top + c.px(18), ACCENT, PANEL) + c.px(6)
        face = font(sf.size)
        for lines in sf.lines:
            sy = c.lines(lines, c.left + c.px(28), sy, face, sf.line_h, MUTED, PANEL) + sf.gap
        if sf.dropped:
            c.layout.truncated = True
            c.layout.notes.append(f"{sf.dropped} source(s) did not fit on the closing card")
        bottom = top - c.px(28)
    if slide.bullets:
        card_list(
            c, list(enumerate(slide.bullets)), state, (c.left, y, c.right, bottom), max_px=34, marker="check"
        )


# --- teaching layouts ----------------------------------------------------------------------------------


def bullets(c: Canvas, slide: Slide, state: SlideState) -> None:
    if not slide.bullets:
        statement(c, slide)
        return
    y = header(c, slide, "Key ideas")
    # Few bullets are set large and spread over the body, so the lower half of the frame is not left empty.
    biggest = {1: 60, 2: 54, 3: 46}.get(len(slide.bullets), BODY_MAX)
    card_list(c, list(enumerate(slide.bullets)), state, (c.left, y, c.right, c.bottom), max_px=biggest)


def statement(c: Canvas, slide: Slide) -> None:
    """A scene with nothing but its heading: the heading, large, in the middle of the frame."""
    f = fit(
        (slide.heading,), c.width, c.bottom - c.top, c.px(64), c.px(36), bold=True, balance=True, keep_min=1
    )
    y = c.top + (c.bottom - c.top - f.height) // 2
    c.rect((c.left, y - c.px(40), c.left + c.px(120), y - c.px(32)), ACCENT)
    c.lines(f.lines[0], c.left, y, font(f.size, True), f.line_h, TEXT, BACKGROUND, role="heading")


def definition(c: Canvas, slide: Slide, state: SlideState) -> None:
    """The key term large, its defining phrase under it, further points below."""
    term = slide.term or slide.heading
    own_heading = bool(slide.term) and term.strip().lower() != slide.heading.strip().lower()
    y = header(c, slide, "Key term", heading=own_heading)
    room = c.bottom - y
    tf = fit(
        (term,),
        c.width,
        round(room * 0.4),
        c.px(76),
        c.px(44),
        bold=True,
        max_lines=2,
        balance=True,
        keep_min=1,
    )
    first = slide.bullets[0] if slide.bullets else ""
    rest = list(enumerate(slide.bullets))[1:]
    df = (
        fit((first,), c.width - c.px(40), round(room * 0.4), c.px(40), c.px(26), balance=True)
        if first
        else None
    )
    def_h = df.height if df and df.kept else 0
    head_h = tf.height + c.px(28) + def_h
    rest_room = room - head_h - c.px(44)
    rest_h = 0
    rf: Fit | None = None
    # One or two further points are set nearly as large as the definition, so they fill the card's lower half.
    rest_px = 38 if len(rest) <= 2 else 32
    if rest:
        rf = fit(
            tuple(t for _, t in rest),
            c.width - c.px(84),
            rest_room,
            c.px(rest_px),
            c.px(BODY_MIN),
            pad_em=0.4,
            gap_em=0.4,
        )
        rest_h = rf.height + c.px(44) if rf.kept else 0
    # Centre the whole stack in the body, a little above the middle.
    spare = max(0, room - head_h - rest_h)
    y += round(spare * (0.3 if len(rest) > 1 else 0.42))
    role = "body" if own_heading else "heading"  # the term is the slide's title when it has no other
    y = c.lines(tf.lines[0], c.left, y, font(tf.size, True), tf.line_h, ACCENT, BACKGROUND, role=role) + c.px(
        28
    )
    if df is not None:
        if df.kept and state.visible(0):
            c.rect((c.left, y, c.left + c.px(8), y + def_h), ACCENT, radius=c.px(3))
            lit = state.current in (None, 0)
            c.lines(
                df.lines[0],
                c.left + c.px(40),
                y,
                font(df.size),
                df.line_h,
                TEXT if lit else MUTED,
                BACKGROUND,
            )
            c.layout.bullet_text[0] = " ".join(df.lines[0])
        elif not df.kept:
            c.layout.drop([0])
        y += def_h
    if rest:
        y += c.px(44)
        card_list(
            c,
            rest,
            state,
            (c.left, y, c.right, y + max(rest_h - c.px(44), rest_room)),
            max_px=rest_px,
            fill=False,
        )


def steps(c: Canvas, slide: Slide, state: SlideState) -> None:
    """Numbered steps joined by a line; the step being explained lit, the ones before it done."""
    y0 = header(c, slide, "Step by step")
    items = list(enumerate(slide.bullets))
    d = c.px(54)
    text_x = c.left + d + c.px(26)
    pad_x = c.px(22)
    text_w = c.right - text_x - 2 * pad_x
    f = fit(
        tuple(t for _, t in items), text_w, c.bottom - y0, c.px(38), c.px(BODY_MIN), pad_em=0.35, gap_em=0.35
    )
    c.layout.drop([i for i, _ in items[f.kept :]])
    row_hs = [max(f.item_height(k), d + c.px(8)) for k in range(f.kept)]
    spare = max(0, c.bottom - y0 - sum(row_hs))
    n = f.kept
    gap = min(spare // max(1, n - 1), c.px(40)) if n > 1 else 0
    extra = max(0, spare - gap * (n - 1))
    pad = min(extra // (2 * max(1, n)), round(f.size * 0.3))
    row_hs = [h + 2 * pad for h in row_hs]
    y = y0 + round(max(0, c.bottom - y0 - sum(row_hs) - gap * (n - 1)) * 0.4)
    centres = []
    tops = []
    for h in row_hs:
        tops.append(y)
        centres.append(y + h // 2)
        y += h + gap
    cx = c.left + d // 2
    for k in range(n - 1):  # connectors first, under the circles
        done = state.current is not None and k < state.current
        c.draw.line(
            (cx, centres[k] + d // 2, cx, centres[k + 1] - d // 2),
            fill=ACCENT if done else DIM,
            width=c.px(4),
        )
    face = font(f.size)
    for k, lines in enumerate(f.lines):
        index = items[k][0]
        top, h, mid = tops[k], row_hs[k], centres[k]
        lit = state.current == index
        before = state.current is None or index < state.current
        number = str(k + 1)
        if lit:
            c.circle(cx, mid, d / 2, ACCENT)
            num_fg, num_bg = INK, ACCENT
        else:
            c.circle(cx, mid, d / 2, BACKGROUND, outline=ACCENT if before else DIM, width=c.px(3))
            num_fg, num_bg = (ACCENT if before else MUTED), BACKGROUND
        nf = font(c.px(26), True)
        c.text(cx - nf.getlength(number) / 2, mid - round(c.px(26) * 0.58), number, nf, num_fg, num_bg)
        bg = PANEL_HI if lit else BACKGROUND
        if lit:
            c.rect((text_x, top, c.right, top + h), PANEL_HI, radius=c.px(14))
        colour = TEXT if lit or state.current is None else MUTED
        ty = top + (h - len(lines) * f.line_h) // 2
        c.lines(lines, text_x + pad_x, ty, face, f.line_h, colour, bg)
        c.layout.bullet_text[index] = " ".join(lines)


def _fit_columns(
    groups: list[list[tuple[int, str]]], width: int, height: int, max_px: int, min_px: int
) -> tuple[list[Fit], list[int]]:
    """One font size for every column; drops the last bullets (in script order) until all fit."""
    dropped: list[int] = []
    while True:
        for size in range(max_px, min_px - 1, -max(1, round(max_px / 24))):
            fits = [
                fit(tuple(t for _, t in g), width, height, size, size, gap_em=0.6, break_words=size == min_px)
                for g in groups
            ]
            if all(f.dropped == 0 for f in fits):
                return fits, dropped
        last = max((g[-1][0] for g in groups if g), default=None)
        if last is None:
            return [fit((), width, height, min_px, min_px) for _ in groups], dropped
        dropped.insert(0, last)
        groups = [[item for item in g if item[0] != last] for g in groups]


def comparison(c: Canvas, slide: Slide, state: SlideState) -> None:
    """Two columns, each headed; bullet i goes to the column sides[i]."""
    y = header(c, slide, "Compare")
    gap = c.px(56)
    col_w = (c.width - gap) // 2
    pad = c.px(26)
    names = [*(slide.columns or ()), "", ""][:2]
    nf = fit_each(tuple(names), col_w - 2 * pad, c.px(100), c.px(34), c.px(26), bold=True, max_lines=2)
    band_h = max(len(lines) for lines in nf.lines) * nf.line_h + 2 * c.px(18)
    groups: list[list[tuple[int, str]]] = [[], []]
    for i, text in enumerate(slide.bullets):
        side = slide.sides[i] if i < len(slide.sides) else 0
        groups[1 if side else 0].append((i, text))
    body_top = y + band_h + c.px(26)
    marker_w = c.px(34)
    fits, dropped = _fit_columns(
        groups, col_w - 2 * pad - marker_w, c.bottom - body_top - c.px(24), c.px(34), c.px(BODY_MIN)
    )
    c.layout.drop(dropped)
    for col in range(2):
        x0 = c.left + col * (col_w + gap)
        x1 = x0 + col_w
        c.rect((x0, y, x1, c.bottom), PANEL, radius=c.px(18))
        c.draw.rounded_rectangle((x0, y, x1, y + band_h), radius=c.px(18), fill=ACCENT)
        c.draw.rectangle((x0, y + band_h - c.px(18), x1, y + band_h), fill=ACCENT)
        lines = nf.lines[col]
        ty = y + (band_h - len(lines) * nf.line_h) // 2
        c.lines(
            lines,
            x0 + pad,
            ty,
            font(nf.size, True),
            nf.line_h,
            INK,
            ACCENT,
            align="center",
            width=col_w - 2 * pad,
        )
        f = fits[col]
        face = font(f.size)
        # Spread the column's bullets down its card.
        spare = max(0, c.bottom - body_top - c.px(24) - f.height)
        extra = min(spare // max(1, f.kept - 1), round(f.size * 0.8)) if f.kept > 1 else 0
        iy = body_top
        for k, item_lines in enumerate(f.lines):
            index = groups[col][k][0]
            if state.visible(index):
                lit = state.current == index
                h = len(item_lines) * f.line_h
                bg = PANEL
                if lit:
                    bg = PANEL_HI
                    c.rect(
                        (x0 + c.px(10), iy - c.px(10), x1 - c.px(10), iy + h + c.px(10)),
                        PANEL_HI,
                        radius=c.px(12),
                    )
                r = max(4, round(f.size * 0.17))
                c.circle(x0 + pad + r, iy + f.line_h // 2, r, ACCENT)
                colour = TEXT if lit or state.current is None else MUTED
                c.lines(item_lines, x0 + pad + marker_w, iy, face, f.line_h, colour, bg)
                c.layout.bullet_text[index] = " ".join(item_lines)
            iy += len(item_lines) * f.line_h + f.gap + extra
    # "vs" between the column heads.
    vx = c.left + col_w + gap // 2
    vy = y + band_h // 2
    r = gap // 2 + c.px(6)
    c.circle(vx, vy, r, BACKGROUND, outline=ACCENT, width=c.px(3))
    vf = font(c.px(22), True)
    c.text(vx - vf.getlength("vs") / 2, vy - round(c.px(22) * 0.62), "vs", vf, ACCENT, BACKGROUND)


def timeline(c: Canvas, slide: Slide, state: SlideState) -> None:
    """A horizontal line of dates or eras (labels), each with its point (bullets) below it."""
    y = header(c, slide, "Timeline")
    n = max(len(slide.bullets), len(slide.labels))
    labels = [*slide.labels, *[""] * n][:n]
    col_w = c.width // n
    inner = col_w - c.px(24)
    lf = fit_each(tuple(labels), inner, c.px(90), c.px(34), c.px(24), bold=True, max_lines=2)
    label_h = max((len(lines) for lines in lf.lines), default=1) * lf.line_h
    items = list(enumerate(slide.bullets))
    text_top_gap = c.px(40)
    room = c.bottom - y - label_h - c.px(30) - text_top_gap
    found: Fit | None = None
    kept_items = items
    while kept_items and found is None:
        found = fit_each_or_none(
            tuple(t for _, t in kept_items), inner - c.px(16), room, c.px(34), c.px(BODY_MIN), balance=True
        )
        if found is None:
            kept_items = kept_items[:-1]
    c.layout.drop([i for i, _ in items[len(kept_items) :]])
    text_h = max((len(lines) for lines in found.lines), default=0) * found.line_h if found else 0
    block = label_h + c.px(30) + text_top_gap + text_h + c.px(24)
    y += round(max(0, c.bottom - y - block) * 0.5)
    line_y = y + label_h + c.px(30)
    # The line, with an arrowhead: time runs left to right.
    lw = c.px(5)
    c.draw.line((c.left, line_y, c.right - c.px(18), line_y), fill=MUTED, width=lw)
    c.draw.polygon(
        [(c.right, line_y), (c.right - c.px(22), line_y - c.px(12)), (c.right - c.px(22), line_y + c.px(12))],
        fill=MUTED,
    )
    c.record((c.left, line_y - c.px(12), c.right, line_y + c.px(12)))
    reached = state.shown if state.shown is not None else n
    for i in range(n):
        cx = c.left + col_w * i + col_w // 2
        lit = state.current == i
        done = i < reached
        label_lines = lf.lines[i] if i < len(lf.lines) else ()
        ly = line_y - c.px(30) - len(label_lines) * lf.line_h
        colour: Colour = ACCENT if lit else (TEXT if done else MUTED)
        c.lines(
            label_lines,
            cx - inner // 2,
            ly,
            font(lf.size, True),
            lf.line_h,
            colour,
            BACKGROUND,
            align="center",
            width=inner,
        )
        if lit:
            c.circle(cx, line_y, c.px(17), ACCENT, outline=TEXT, width=c.px(3))
        elif done:
            c.circle(cx, line_y, c.px(12), ACCENT)
        else:
            c.circle(cx, line_y, c.px(11), BACKGROUND, outline=MUTED, width=c.px(3))
    ty = line_y + text_top_gap
    for k, (index, _text) in enumerate(kept_items):
        if not state.visible(index):
            continue
        assert found is not None
        lines = found.lines[k]
        cx = c.left + col_w * index + col_w // 2
        lit = state.current == index
        bg = PANEL_HI if lit else PANEL
        c.rect((cx - inner // 2, ty - c.px(14), cx + inner // 2, ty + text_h + c.px(14)), bg, radius=c.px(12))
        colour = TEXT if lit or state.current is None else MUTED
        c.lines(
            lines,
            cx - inner // 2 + c.px(8),
            ty,
            font(found.size),
            found.line_h,
            colour,
            bg,
            align="center",
            width=inner - c.px(16),
        )
        c.layout.bullet_text[index] = " ".join(lines)


def equation(c: Canvas, slide: Slide, state: SlideState) -> None:
    """A worked example: the equation typeset large (matplotlib mathtext) on a panel, the working below."""
    y = header(c, slide, "Worked example")
    room = c.bottom - y
    max_h = round(room * (0.38 if slide.bullets else 0.7))
    pad = c.px(28)
    image = fitted_equation(
        slide.equation or "", c.width - 2 * pad, max_h - 2 * pad, c.px(72), c.px(30), TEXT
    )
    panel_h = (
        max_h if not slide.bullets else min(max_h, (image.height if image else c.px(60)) + 2 * pad + c.px(20))
    )
    c.rect((c.left, y, c.right, y + panel_h), PANEL, radius=c.px(18))
    if image is not None:
        x = c.left + (c.width - image.width) // 2
        iy = y + (panel_h - image.height) // 2
        c.image.paste(image, (x, iy), image)
        c.layout.graphic_boxes.append((x, iy, x + image.width, iy + image.height))
        c.layout.colour_pairs.add((TEXT, PANEL))
    else:
        c.layout.notes.append("equation could not be typeset; shown as text")
        ef = fit(
            (slide.equation or "",), c.width - 2 * pad, panel_h - 2 * pad, c.px(44), c.px(24), keep_min=1
        )
        ty = y + (panel_h - ef.height) // 2
        c.lines(
            ef.lines[0],
            c.left + pad,
            ty,
            font(ef.size),
            ef.line_h,
            TEXT,
            PANEL,
            align="center",
            width=c.width - 2 * pad,
        )
    if slide.bullets:
        top = y + panel_h + c.px(30)
        card_list(
            c,
            list(enumerate(slide.bullets)),
            state,
            (c.left, top, c.right, c.bottom),
            max_px=34,
            marker="arrow",
        )
