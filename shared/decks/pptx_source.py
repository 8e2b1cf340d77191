"""A PPTX someone hands us: its slides' words and narration, checked first, and its pages as pictures.

Each slide's speaker notes are its narration. A slide without notes is narrated from its own title and
text (and says so); a slide with no words at all is held silently. Pages are drawn by LibreOffice
headless (PDF), then poppler's pdftoppm (PNG), the way an office suite would show them.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pptx import Presentation
from pptx.exc import PackageNotFoundError

from shared.errors import InvalidInput, PermanentError

MAX_DECK_BYTES = 100 * 1024 * 1024
MAX_SLIDES = 300
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted OOXML file is an OLE container, not a zip
SILENT_HOLD_S = 4.0


@dataclass(frozen=True)
class SourceSlide:
    number: int  # 1-based, as the deck shows it
    title: str
    text: list[str]  # the slide's own lines, title first
    notes: str
    narration: str  # what is said: the notes, else the title and text, else nothing
    narrated_from: str  # "notes" | "slide text" | "silent"


def _invalid(reason: str) -> InvalidInput:
    return InvalidInput([{"field": "deck", "reason": reason}])


def check_file(path: Path, max_bytes: int = MAX_DECK_BYTES) -> None:
    """Refuse what is not a readable PPTX before anything is made from it."""
    if not path.is_file():
        raise _invalid(f"{path} does not exist")
    size = path.stat().st_size
    if size > max_bytes:
        raise _invalid(f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == OLE_MAGIC:
        raise _invalid("the deck is encrypted or in the old .ppt format: save it as an unprotected .pptx")
    if not zipfile.is_zipfile(path):
        raise _invalid("not a PPTX file (a .pptx is a zip package)")


def _lines(shape: object) -> list[str]:
    frame = getattr(shape, "text_frame", None) if getattr(shape, "has_text_frame", False) else None
    if frame is None:
        return []
    return [" ".join(p.text.split()) for p in frame.paragraphs if p.text.strip()]


def _sentence(line: str) -> str:
    return line if line.endswith((".", "!", "?", ":")) else f"{line}."


def read_deck(path: Path, max_bytes: int = MAX_DECK_BYTES) -> list[SourceSlide]:
    """Every slide's words and narration, in order; InvalidInput (field "deck") for a bad file."""
    check_file(path, max_bytes)
    try:
        deck = Presentation(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _invalid(f"not a PPTX presentation ({type(exc).__name__})") from exc
    slides = list(deck.slides)
    if not slides:
        raise _invalid("the deck has no slides")
    if len(slides) > MAX_SLIDES:
        raise _invalid(f"{len(slides)} slides is over the limit of {MAX_SLIDES}")
    read = []
    for number, slide in enumerate(slides, start=1):
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text.split()) if title_shape is not None else ""
        text = [title] if title else []
        for shape in slide.shapes:
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            text += _lines(shape)
        notes = ""
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = " ".join(slide.notes_slide.notes_text_frame.text.split())
        if notes:
            narration, source = notes, "notes"
        elif text:
            narration, source = " ".join(_sentence(line) for line in text), "slide text"
        else:
            narration, source = "", "silent"
        read.append(SourceSlide(number, title, text, notes, narration, source))
    return read


def render_pages(path: Path, folder: Path, size: tuple[int, int] = (1280, 720)) -> list[Path]:
    """Each slide as a PNG fitted into `size` (page-01.png …), drawn by LibreOffice and pdftoppm."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        raise PermanentError(
            "drawing a PPTX needs LibreOffice Impress and poppler-utils: "
            "./scripts/install-system-packages.sh test",
            code="office_unavailable",
        )
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / ".office-profile"  # a private profile: runs side by side never share one
    try:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile.resolve()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = folder / f"{path.stem}.pdf"
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-scale-to-x",
                str(size[0]),
                "-scale-to-y",
                "-1",
                str(pdf),
                str(folder / "page"),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except subprocess.CalledProcessError as exc:
        raise PermanentError(
            f"could not draw the deck: {exc.stderr.decode(errors='replace')[-300:]}"
        ) from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    pdf.unlink(missing_ok=True)
    for page in pages:
        _fit(page, size)
    return pages


def _fit(page: Path, size: tuple[int, int]) -> None:
    """Make the page exactly `size`, letterboxed in white: a 4:3 deck, or a page a pixel too tall, would
    otherwise reach the encoder at a size it refuses (yuv420p needs even sides)."""
    with Image.open(page) as image:
        if image.size == size:
            return
        picture = image.convert("RGB")
    picture.thumbnail(size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", size, (255, 255, 255))
    canvas.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    canvas.save(page)
