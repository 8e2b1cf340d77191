"""Equations typeset with matplotlib's mathtext (Agg rasteriser, no display, no LaTeX install).

mathtext draws with DejaVu Sans (its default fontset), so equations match the slide's text.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from shared.media.slides.theme import Colour


@lru_cache(maxsize=1)
def _parser():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("agg")


@lru_cache(maxsize=128)
def render_equation(tex: str, size_px: int, colour: Colour) -> Image.Image | None:
    """The equation (mathtext without the $ signs) as an RGBA image, text `size_px` high; None if invalid."""
    from matplotlib.font_manager import FontProperties

    source = tex.strip()
    if not source:
        return None
    if not (source.startswith("$") and source.endswith("$")):
        source = f"${source}$"
    try:
        parsed = _parser().parse(source, dpi=72, prop=FontProperties(size=size_px, family="DejaVu Sans"))
    except ValueError:
        return None
    alpha = np.asarray(parsed.image, dtype=np.uint8)
    if alpha.size == 0 or not alpha.any():
        return None
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = alpha
    image = Image.fromarray(rgba, "RGBA")
    box = image.getbbox()
    return image.crop(box) if box else None


def fitted_equation(
    tex: str, max_w: int, max_h: int, max_px: int, min_px: int, colour: Colour
) -> Image.Image | None:
    """The equation at the largest size (≤ max_px) that fits max_w × max_h, re-typeset rather than scaled."""
    size = max_px
    for _ in range(4):
        image = render_equation(tex, size, colour)
        if image is None:
            return None
        ratio = min(max_w / image.width, max_h / image.height)
        if ratio >= 1:
            return image
        if size == min_px:
            # Even the smallest typeset size is too big: scale that image down, keeping its proportions.
            shape = (max(1, int(image.width * ratio)), max(1, int(image.height * ratio)))
            return image.resize(shape, Image.Resampling.LANCZOS)
        size = max(min_px, int(size * ratio * 0.98))
    return render_equation(tex, size, colour)
