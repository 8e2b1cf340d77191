"""Portrait packs: a presenter drawn as layers, and the one the project draws itself.

A pack is a folder:
- `pack.json`: {"name", "size": [w, h], "mouth_box": [x, y, w, h]}
- `base.png`: the presenter with eyes open and no mouth, RGBA (transparent around them), `size`;
- `eyes_closed.png`: an RGBA layer of `size` drawn over the base for a blink;
- `mouth_A.png` … `mouth_H.png`, `mouth_X.png`: RGBA layers of the mouth box's size, pasted at it.
A pack is checked when it is made or uploaded (`load_pack`), so a job never fails later for want of a face.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from shared.errors import InvalidInput
from shared.presenter.track import MOUTHS

MIN_SIDE, MAX_SIDE = 128, 2048
SCALE = 2  # drawn at twice the size, then reduced: smooth edges


@dataclass(frozen=True)
class Pack:
    folder: Path
    name: str
    size: tuple[int, int]
    mouth_box: tuple[int, int, int, int]
    base: Image.Image
    eyes_closed: Image.Image
    mouths: dict[str, Image.Image]

    def frame(self, mouth: str, eyes_closed: bool) -> Image.Image:
        """The presenter with this mouth, eyes open or closed (RGBA, `size`)."""
        picture = self.base.copy()
        if eyes_closed:
            picture.alpha_composite(self.eyes_closed)
        x, y, _, _ = self.mouth_box
        picture.alpha_composite(self.mouths[mouth], (x, y))
        return picture


def _invalid(folder: Path, reason: str) -> InvalidInput:
    return InvalidInput([{"field": "portrait", "reason": f"pack {folder.name}: {reason}"}])


def _rgba(folder: Path, name: str, size: tuple[int, int]) -> Image.Image:
    path = folder / name
    if not path.is_file():
        raise _invalid(folder, f"{name} is missing")
    try:
        with Image.open(path) as image:
            image.load()
            picture = image.convert("RGBA") if image.mode != "RGBA" else image.copy()
    except (OSError, SyntaxError) as exc:
        raise _invalid(folder, f"{name} is not an image") from exc
    if picture.size != size:
        raise _invalid(folder, f"{name} is {picture.size[0]}x{picture.size[1]}, expected {size[0]}x{size[1]}")
    return picture


def load_pack(folder: Path) -> Pack:
    """Read and check a pack: every layer present, RGBA-able, of the declared size; the mouth box inside."""
    try:
        meta = json.loads((folder / "pack.json").read_text())
        width, height = (int(v) for v in meta["size"])
        mx, my, mw, mh = (int(v) for v in meta["mouth_box"])
    except FileNotFoundError as exc:
        raise _invalid(folder, "pack.json is missing") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid(folder, "pack.json needs size [w, h] and mouth_box [x, y, w, h]") from exc
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise _invalid(folder, f"size must be {MIN_SIDE}..{MAX_SIDE} pixels a side")
    if mw <= 0 or mh <= 0 or mx < 0 or my < 0 or mx + mw > width or my + mh > height:
        raise _invalid(folder, "mouth_box must lie inside the portrait")
    base = _rgba(folder, "base.png", (width, height))
    if base.getchannel("A").getextrema()[0] == 255:
        raise _invalid(folder, "base.png has no transparent background")
    return Pack(
        folder=folder,
        name=str(meta.get("name", folder.name)),
        size=(width, height),
        mouth_box=(mx, my, mw, mh),
        base=base,
        eyes_closed=_rgba(folder, "eyes_closed.png", (width, height)),
        mouths={shape: _rgba(folder, f"mouth_{shape}.png", (mw, mh)) for shape in MOUTHS},
    )


# The drawn presenter ("Viv"): colours and proportions at 1x on a 480x540 canvas.
SIZE = (480, 540)
SKIN, SKIN_SHADE = (233, 190, 160), (214, 165, 134)
HAIR, SHIRT, COLLAR = (58, 42, 36), (38, 84, 140), (235, 238, 242)
LIP, MOUTH_DARK, TEETH, TONGUE = (178, 92, 92), (70, 28, 36), (248, 248, 244), (205, 100, 110)
MOUTH_BOX = (190, 318, 100, 60)


def _scaled(box: tuple[float, ...]) -> list[float]:
    return [v * SCALE for v in box]


def _draw_base() -> Image.Image:
    w, h = SIZE
    image = Image.new("RGBA", (w * SCALE, h * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(_scaled((40, 440, 440, 600)), radius=110 * SCALE, fill=SHIRT)  # shoulders
    draw.rectangle(_scaled((205, 360, 275, 455)), fill=SKIN_SHADE)  # neck
    draw.polygon(_scaled((200, 440, 240, 500, 280, 440, 265, 432, 240, 470, 215, 432)), fill=COLLAR)
    draw.ellipse(_scaled((124, 72, 356, 330)), fill=HAIR)  # hair behind the head
    draw.ellipse(_scaled((128, 225, 158, 290)), fill=SKIN_SHADE)  # ears
    draw.ellipse(_scaled((322, 225, 352, 290)), fill=SKIN_SHADE)
    draw.ellipse(_scaled((140, 90, 340, 395)), fill=SKIN)  # face
    draw.chord(_scaled((136, 78, 344, 300)), 180, 360, fill=HAIR)  # hair over the forehead...
    draw.ellipse(_scaled((158, 146, 322, 360)), fill=SKIN)  # ...with a rounded hairline
    for cx in (200, 280):  # eyes open
        draw.ellipse(_scaled((cx - 20, 222, cx + 20, 250)), fill=(255, 255, 255))
        draw.ellipse(_scaled((cx - 10, 226, cx + 10, 246)), fill=(84, 62, 48))
        draw.ellipse(_scaled((cx - 5, 231, cx + 5, 241)), fill=(20, 14, 12))
        draw.ellipse(_scaled((cx + 1, 229, cx + 5, 233)), fill=(255, 255, 255))
        draw.line(_scaled((cx - 24, 208, cx, 200, cx + 24, 206)), fill=HAIR, width=6 * SCALE, joint="curve")
    draw.line(_scaled((240, 250, 232, 290, 244, 293)), fill=SKIN_SHADE, width=4 * SCALE, joint="curve")
    for cx in (178, 302):  # cheeks
        draw.ellipse(_scaled((cx - 18, 292, cx + 18, 312)), fill=(238, 172, 160))
    return image.filter(ImageFilter.GaussianBlur(0.6)).resize(SIZE, Image.Resampling.LANCZOS)


def _draw_eyes_closed() -> Image.Image:
    w, h = SIZE
    image = Image.new("RGBA", (w * SCALE, h * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for cx in (200, 280):
        draw.ellipse(_scaled((cx - 22, 218, cx + 22, 254)), fill=SKIN)  # lids cover the eye
        draw.arc(_scaled((cx - 20, 222, cx + 20, 250)), 10, 170, fill=(90, 60, 50), width=3 * SCALE)
    return image.resize(SIZE, Image.Resampling.LANCZOS)


def _draw_mouth(shape: str) -> Image.Image:
    w, h = MOUTH_BOX[2], MOUTH_BOX[3]
    image = Image.new("RGBA", (w * SCALE, h * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    cx, cy = w / 2, h / 2 - 6

    def oval(half_w: float, half_h: float, dy: float = 0.0) -> list[float]:
        return _scaled((cx - half_w, cy - half_h + dy, cx + half_w, cy + half_h + dy))

    lip = 5 * SCALE
    if shape == "X":  # at rest: a gentle smile, lips together
        draw.arc(oval(26, 10, -6), 20, 160, fill=LIP, width=lip)
    elif shape == "A":  # pressed together
        draw.line(_scaled((cx - 24, cy, cx + 24, cy)), fill=LIP, width=7 * SCALE)
    elif shape == "G":  # upper teeth on the lower lip
        draw.ellipse(oval(24, 9, 2), fill=LIP)
        draw.rectangle(_scaled((cx - 16, cy - 6, cx + 16, cy + 2)), fill=TEETH)
    else:
        half_w, half_h = {
            "B": (24, 6),
            "C": (24, 13),
            "D": (26, 20),
            "E": (19, 13),
            "F": (11, 11),
            "H": (24, 15),
        }[shape]
        draw.ellipse(oval(half_w, half_h), fill=MOUTH_DARK, outline=LIP, width=lip)
        if shape in ("B", "C", "D", "H"):  # upper teeth; B shows both rows together
            draw.chord(oval(half_w - 5, half_h - 3), 180, 360, fill=TEETH)
            if shape == "B":
                draw.chord(oval(half_w - 5, half_h - 3), 0, 180, fill=(232, 232, 226))
        if shape in ("D", "H"):
            tongue_y = 6 if shape == "D" else -2
            draw.chord(oval(half_w - 9, half_h - 6, tongue_y), 0, 180, fill=TONGUE)
    return image.resize((w, h), Image.Resampling.LANCZOS)


def write_default_pack(folder: Path) -> Pack:
    """Draw the project's own presenter into `folder` (a few hundred ms) and load it back, checked."""
    folder.mkdir(parents=True, exist_ok=True)
    _draw_base().save(folder / "base.png")
    _draw_eyes_closed().save(folder / "eyes_closed.png")
    for shape in MOUTHS:
        _draw_mouth(shape).save(folder / f"mouth_{shape}.png")
    meta = {"name": "Viv (drawn by Vividly)", "size": list(SIZE), "mouth_box": list(MOUTH_BOX)}
    (folder / "pack.json").write_text(json.dumps(meta, indent=2))
    return load_pack(folder)
