"""Run a deck's batch: read and draw the deck, then make each planned slide's clip, `max_concurrent` at once.

Everything lands in one output folder:
- `clips/slide-NN.mp4` and `clips/slide-NN.vtt`, one per slide (written to a temporary name, then moved);
- `manifest.json`: per slide its status, clip, duration, provider, cost and key, with the counts; rewritten
  (atomically) at every change, so a rerun after a crash knows what is done;
- `deck.mp4`, `deck.vtt`, `deck.srt`: a short title card and every clip in the deck's order, once every
  slide has a clip.
A slide that fails is marked failed with its reason; the others go on.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from shared.decks.pptx_source import SILENT_HOLD_S, SourceSlide, read_deck, render_pages
from shared.errors import PermanentError
from shared.lesson.captions import scene_cues, to_srt, to_webvtt
from shared.media.video import ffmpeg_exe, probe
from shared.presenter.batch import Manifest, clip_key, plan
from shared.presenter.renderers import SIZE, SlideRenderer

TITLE_CARD_S = 2.5
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@dataclass
class DeckJob:
    deck: Path
    out: Path
    renderer: SlideRenderer
    max_concurrent: int = 2
    selected: list[int] | None = None
    regenerate: list[int] | None = None
    on_change: Callable[[Manifest], None] = field(default=lambda _manifest: None)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Recorder:
    """The manifest, changed under a lock and written whole (temp file, then rename) after each change."""

    def __init__(self, manifest: Manifest, path: Path, on_change: Callable[[Manifest], None]) -> None:
        self.manifest, self.path, self.on_change = manifest, path, on_change
        self._lock = threading.Lock()
        self.save()

    def update(self, number: int, **changes: object) -> None:
        with self._lock:
            entry = next(e for e in self.manifest.slides if e.number == number)
            for name, value in changes.items():
                setattr(entry, name, value)
            self.save()

    def save(self) -> None:
        partial = self.path.with_suffix(".partial")
        partial.write_text(self.manifest.to_json())
        partial.replace(self.path)
        self.on_change(self.manifest)


def _render_slide(job: DeckJob, slide: SourceSlide, page: Path, entry_key: str, recorder: _Recorder) -> None:
    recorder.update(slide.number, status="running", error=None)
    clips = job.out / "clips"
    name = f"slide-{slide.number:02d}.mp4"
    try:
        if slide.narrated_from == "silent":
            made = job.renderer.hold(page, clips / name, SILENT_HOLD_S)
        else:
            callback = f"{job.deck.stem}-{slide.number}-{entry_key[:12]}"
            made = job.renderer.speak_slide(slide.narration, page, clips / name, callback)
        cues = (
            scene_cues(slide.narration, 0.0, made.speech_s, made.sentence_starts_s) if slide.narration else []
        )
        (clips / f"slide-{slide.number:02d}.vtt").write_text(to_webvtt(cues))
    except Exception as exc:  # one slide's failure is that slide's, not the batch's
        recorder.update(slide.number, status="failed", error=f"{type(exc).__name__}: {exc}"[:300])
        return
    recorder.update(
        slide.number,
        status="done",
        clip=name,
        duration_s=round(made.duration_s, 3),
        speech_s=round(made.speech_s, 3),
        sentence_starts_s=made.sentence_starts_s,
        provider=job.renderer.name,
        job_id=made.job_id,
        billed_s=made.billed_s,
    )


def _title_card(title: str, slides: int, path: Path) -> None:
    image = Image.new("RGB", SIZE, (24, 54, 96))
    draw = ImageDraw.Draw(image)
    big, small = ImageFont.truetype(FONT, 60), ImageFont.truetype(FONT.replace("-Bold", ""), 32)
    words, lines = title.split(), [""]
    for word in words:  # wrap within 80 % of the width
        trial = f"{lines[-1]} {word}".strip()
        if draw.textlength(trial, font=big) > SIZE[0] * 0.8 and lines[-1]:
            lines.append(word)
        else:
            lines[-1] = trial
    y = SIZE[1] * 0.36 - 40 * len(lines)
    for line in lines[:3]:
        draw.text((SIZE[0] * 0.1, y), line, font=big, fill=(255, 255, 255))
        y += 76
    draw.text((SIZE[0] * 0.1, y + 24), f"{slides} slides", font=small, fill=(190, 210, 235))
    image.save(path)


def _combine(job: DeckJob, slides: list[SourceSlide], manifest: Manifest) -> None:
    """deck.mp4 with its captions: the title card, then every clip in order."""
    clips = job.out / "clips"
    card_png, card = clips / "title.png", clips / "title.mp4"
    title = next((s.title for s in slides if s.title), job.deck.stem.replace("_", " "))
    _title_card(title, len(slides), card_png)
    job.renderer.hold(card_png, card, TITLE_CARD_S)
    listing = job.out / ".deck.concat.txt"
    files = [card] + [clips / entry.clip for entry in manifest.slides if entry.clip]
    listing.write_text("".join(f"file '{f.resolve()}'\n" for f in files))
    partial = job.out / ".deck.partial.mp4"
    try:
        subprocess.run(
            [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
             "-c", "copy", "-movflags", "+faststart", str(partial)],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        partial.replace(job.out / "deck.mp4")
    finally:
        listing.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    cues, offset = [], probe(card).duration_s
    for slide, entry in zip(slides, manifest.slides, strict=True):
        assert entry.clip is not None and entry.speech_s is not None
        if slide.narration:
            cues += scene_cues(slide.narration, offset, offset + entry.speech_s, entry.sentence_starts_s)
        offset += probe(clips / entry.clip).duration_s
    (job.out / "deck.vtt").write_text(to_webvtt(cues))
    (job.out / "deck.srt").write_text(to_srt(cues))


def run_deck(job: DeckJob) -> Manifest:
    """Make the clips the plan asks for and, when every slide has one, the whole deck's video."""
    slides = read_deck(job.deck)
    job.out.mkdir(parents=True, exist_ok=True)
    (job.out / "clips").mkdir(exist_ok=True)
    pages = render_pages(job.deck, job.out / "pages", SIZE)
    if len(pages) != len(slides):
        raise PermanentError(f"LibreOffice drew {len(pages)} pages for {len(slides)} slides")
    keyed = [
        (
            s.number,
            s.title,
            s.narrated_from,
            clip_key(narration=s.narration, page=_file_hash(page), size=SIZE, **job.renderer.key()),
        )
        for s, page in zip(slides, pages, strict=True)
    ]
    manifest_path = job.out / "manifest.json"
    previous = Manifest.from_json(manifest_path.read_text()) if manifest_path.exists() else None
    existing = {p.name for p in (job.out / "clips").glob("slide-*.mp4")}
    manifest = plan(
        keyed, previous, existing, selected=job.selected, regenerate=job.regenerate, deck=job.deck.name
    )
    recorder = _Recorder(manifest, manifest_path, job.on_change)
    queued = [
        (s, p, e.key) for s, p, e in zip(slides, pages, manifest.slides, strict=True) if e.status == "queued"
    ]
    with ThreadPoolExecutor(max(1, job.max_concurrent), thread_name_prefix="slide") as pool:
        for future in [pool.submit(_render_slide, job, s, p, e, recorder) for s, p, e in queued]:
            future.result()
    complete = all(entry.clip and entry.status in ("done", "skipped") for entry in manifest.slides)
    if complete and (queued or not (job.out / "deck.mp4").exists()):
        _combine(job, slides, manifest)
    return manifest
