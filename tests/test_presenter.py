"""The offline presenter: lips on the phoneme track, closed in silences, clips as long as their narration,
and a deck's batch that makes only what it must (selected slides, regenerate, rerun, a crash)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Inches

from shared.decks.pptx_source import check_file, read_deck
from shared.errors import InvalidInput
from shared.media.tts import piper_installed
from shared.media.video import ffmpeg_exe, probe
from shared.presenter.batch import Manifest, parse_selection
from shared.presenter.clip import FPS, Placement, Presenter, render_clip
from shared.presenter.deck_run import DeckJob, run_deck
from shared.presenter.portrait import load_pack, write_default_pack
from shared.presenter.renderers import OfflineRenderer
from shared.presenter.speech import speak, speak_piper
from shared.presenter.track import MOUTHS, Motion, mouth_for

IN_CI = os.environ.get("CI", "").lower() in ("1", "true")
SENTENCE = "Maps help people find their way. Bob put the big blue boat by the pier, then waved."
STILL = Motion(sway_px=0.0, sway_deg=0.0, blink_every_s=(60.0, 60.0))


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory):
    return write_default_pack(tmp_path_factory.mktemp("pack"))


def _frames(clip: Path, box: tuple[int, int, int, int]) -> np.ndarray:
    """Every decoded video frame of the clip, cropped to box (x, y, w, h), as RGB arrays."""
    x, y, w, h = box
    raw = subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-i", str(clip), "-vf", f"crop={w}:{h}:{x}:{y}",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, h, w, 3).astype(np.float32)


def _audio(clip: Path, rate: int = 22050) -> np.ndarray:
    raw = subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-i", str(clip), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def _nearest(frame: np.ndarray, references: dict[str, np.ndarray]) -> str:
    """The reference shape closest to the frame, allowing a few pixels of resampling offset."""

    def distance(reference: np.ndarray) -> float:
        return min(
            float(np.mean((np.roll(reference, (dy, dx), axis=(0, 1))[4:-4, 4:-4] - frame[4:-4, 4:-4]) ** 2))
            for dx in range(-3, 4)
            for dy in range(-3, 4)
        )

    return min(references, key=lambda shape: distance(references[shape]))


def _mouth_box_in_video(pack, placement: Placement) -> tuple[tuple[int, int, int, int], float]:
    x, y, _, h = placement.box((1280, 720), pack.size)
    scale = h / pack.size[1]
    mx, my, mw, mh = pack.mouth_box
    return (x + int(mx * scale), y + int(my * scale), int(mw * scale) + 1, int(mh * scale) + 1), scale


@pytest.mark.parametrize("voice", ["espeak", "piper"])
def test_the_lips_follow_the_phonemes_frame_by_frame_in_the_video(tmp_path: Path, pack, voice: str):
    """Read the mouth back from the encoded MP4 (nearest of the nine drawn shapes) at every frame: it is
    the shape of the phoneme sounding then, never more than one frame off. With piper the track is the
    model's own phoneme durations."""
    if voice == "piper" and not piper_installed():
        if IN_CI:
            pytest.fail("the voice extra (piper, onnx) is installed in CI")
        pytest.skip("piper is not installed")
    slide = tmp_path / "slide.png"
    Image.new("RGB", (1280, 720), (250, 250, 245)).save(slide)
    spoken = speak_piper(SENTENCE) if voice == "piper" else speak(SENTENCE)
    presenter = Presenter(pack, Placement(), STILL)
    clip = render_clip(slide, spoken, presenter, tmp_path / "clip.mp4")
    box, _ = _mouth_box_in_video(pack, presenter.placement)
    x, y, w, h = presenter.placement.box((1280, 720), pack.size)
    references = {}
    for shape in MOUTHS:  # each shape as it would appear: the presenter over the slide, cropped the same
        canvas = Image.open(slide).convert("RGBA")
        canvas.alpha_composite(pack.frame(shape, False).resize((w, h), Image.Resampling.LANCZOS), (x, y))
        crop = canvas.convert("RGB").crop((box[0], box[1], box[0] + box[2], box[1] + box[3]))
        references[shape] = np.asarray(crop, dtype=np.float32)
    seen = [_nearest(frame, references) for frame in _frames(tmp_path / "clip.mp4", box)]
    assert abs(len(seen) - clip.frames) <= 1
    starts = [p.start_s for p in spoken.phonemes]
    mismatched = []
    for index, shape in enumerate(seen[: clip.frames]):
        expected = set()
        for t in (index - 1, index, index + 1):  # one frame either way
            sounding = [
                p for p, s in zip(spoken.phonemes, starts, strict=True) if s <= max(t, 0) / FPS + 1e-9
            ]
            expected.add(mouth_for(sounding[-1].symbol, sounding[-1].alphabet) if sounding else "X")
        if shape not in expected | {"X"} or (
            shape == "X" and "X" not in expected and clip.mouths[index] != "X"
        ):
            mismatched.append((index, shape, expected))
    assert not mismatched, mismatched[:5]
    # The sentence's bilabials (M, B, P) close the lips on screen, and the shapes vary as it is spoken.
    assert "A" in seen and len(set(seen)) >= 6


def test_the_mouth_is_closed_in_every_silence_and_the_clip_lasts_as_long_as_its_speech(tmp_path: Path, pack):
    slide = tmp_path / "slide.png"
    Image.new("RGB", (1280, 720), (255, 255, 255)).save(slide)
    spoken = speak("First we look. Then, after a pause, we listen... and we learn.")
    clip = render_clip(slide, spoken, Presenter(pack), tmp_path / "clip.mp4", hold_s=0.6)
    assert probe(tmp_path / "clip.mp4").duration_s == pytest.approx(spoken.duration_s + 0.6, abs=0.1)
    samples = _audio(tmp_path / "clip.mp4")
    window = 220  # 10 ms
    level = np.sqrt(np.mean(samples[: samples.size // window * window].reshape(-1, window) ** 2, axis=1))
    silent = np.concatenate([level < 0.01, [False]])
    spans, start = [], None
    for i, quiet in enumerate(silent):
        if quiet and start is None:
            start = i
        if not quiet and start is not None:
            if i - start >= 15:  # 150 ms
                spans.append((start / 100, i / 100))
            start = None
    assert len(spans) >= 3  # between the sentences, at the pause, and the hold at the end
    for a, b in spans:
        frames = range(int(np.ceil(a * FPS)) + 1, int(b * FPS) - 1)  # a frame's margin for AAC's smear
        assert all(clip.mouths[f] in ("X", "A") for f in frames if f < len(clip.mouths)), (a, b)
    assert any(clip.eyes_closed), "the presenter blinks"


def _deck(path: Path, slides: list[tuple[str, list[str], str]], blank_at: int | None = None) -> Path:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    for index, (title, bullets, notes) in enumerate(slides, start=1):
        if index == blank_at:
            deck.slides.add_slide(deck.slide_layouts[6])
            continue
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for bullet in bullets[1:]:
            body.add_paragraph().text = bullet
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    deck.save(str(path))
    return path


SLIDES = [
    (
        "Why the Moon has phases",
        ["Half is always lit", "We see part of it"],
        "The Sun always lights half of the Moon.",
    ),
    ("New moon", ["The lit side faces away"], ""),
    ("", [], ""),
    ("Full moon", ["We see the whole lit half"], "At full moon we see all of the lit half."),
]


def _office_or_skip() -> None:
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        if IN_CI:
            pytest.fail("LibreOffice and pdftoppm are required in CI")
        pytest.skip("LibreOffice is not installed")


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("slide-*.mp4"))}


@pytest.mark.slow
def test_a_deck_run_makes_reuses_and_regenerates_only_what_it_must(tmp_path: Path, pack):
    _office_or_skip()
    deck = _deck(tmp_path / "moon.pptx", SLIDES, blank_at=3)
    out = tmp_path / "out"
    presenter = Presenter(pack)
    seen_counts: list[dict[str, int]] = []

    def job(**options) -> DeckJob:
        return DeckJob(
            deck,
            out,
            OfflineRenderer(presenter),
            on_change=lambda m: seen_counts.append(m.counts()),
            **options,
        )

    first = run_deck(job())
    assert first.counts()["done"] == 4 and (out / "deck.mp4").exists()
    assert any(c["running"] for c in seen_counts), "the counts move while clips are made"
    by_number = {e.number: e for e in first.slides}
    assert [by_number[n].narrated_from for n in (1, 2, 3, 4)] == ["notes", "slide text", "silent", "notes"]
    assert "The lit side faces away" in (out / "clips" / "slide-02.vtt").read_text()
    for entry in first.slides:  # each clip lasts its narration plus the hold after it
        assert probe(out / "clips" / entry.clip).duration_s == pytest.approx(entry.duration_s, abs=0.1)
    assert probe(out / "deck.mp4").duration_s == pytest.approx(
        2.5 + sum(e.duration_s for e in first.slides), abs=0.5
    )
    vtt = (out / "deck.vtt").read_text()
    assert "The Sun always lights half of the Moon." in vtt and "At full moon" in vtt
    before = _hashes(out / "clips")
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "clips").glob("slide-*.mp4")}

    again = run_deck(job())  # nothing changed: nothing is made
    assert again.counts()["skipped"] == 4 and _hashes(out / "clips") == before
    assert {p.name: p.stat().st_mtime_ns for p in (out / "clips").glob("slide-*.mp4")} == stamps

    redo = run_deck(job(regenerate=[2]))  # only slide 2 is made again
    assert [e.status for e in redo.slides] == ["skipped", "done", "skipped", "skipped"]
    after = {p.name: p.stat().st_mtime_ns for p in (out / "clips").glob("slide-*.mp4")}
    assert [name for name in after if after[name] != stamps[name]] == ["slide-02.mp4"]

    _deck(
        deck,
        [SLIDES[0], SLIDES[1], SLIDES[2], (SLIDES[3][0], SLIDES[3][1], "Now the notes differ.")],
        blank_at=3,
    )
    stamps = after
    picked = run_deck(job(selected=[1]))  # slide 4 changed, but only slide 1 was asked for
    assert [e.status for e in picked.slides] == ["skipped", "skipped", "skipped", "not selected"]
    assert {p.name: p.stat().st_mtime_ns for p in (out / "clips").glob("slide-*.mp4")} == stamps
    changed = run_deck(job())
    assert [e.status for e in changed.slides] == ["skipped", "skipped", "skipped", "done"]
    assert Manifest.from_json((out / "manifest.json").read_text()).counts()["total"] == 4


@pytest.mark.slow
def test_a_batch_killed_mid_run_is_finished_by_a_rerun_without_remaking_a_clip(tmp_path: Path):
    _office_or_skip()
    notes = "This slide is here to take a few seconds to narrate, so the batch can be stopped midway."
    deck = _deck(tmp_path / "long.pptx", [(f"Slide {n}", [f"Point {n}"], notes) for n in range(1, 7)])
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cli", "deck", str(deck), "--out", str(out), "--max-concurrent", "1"]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    manifest = out / "manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if manifest.exists() and '"status": "done"' in manifest.read_text():
            break
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    killed = json.loads(manifest.read_text())
    done = {e["number"] for e in killed["slides"] if e["status"] == "done"}
    assert 1 <= len(done) < 6
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "clips").glob("slide-*.mp4")}
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-500:]
    final = json.loads(manifest.read_text())
    assert final["counts"]["done"] + final["counts"]["skipped"] == 6
    for entry in final["slides"]:
        if entry["number"] in done:
            assert entry["status"] == "skipped"
            assert (out / "clips" / entry["clip"]).stat().st_mtime_ns == stamps[entry["clip"]]
    assert (out / "deck.mp4").exists()


def test_bad_decks_are_refused_with_the_reason_and_nothing_made(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("not a deck")
    (tmp_path / "locked.pptx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    with zipfile.ZipFile(tmp_path / "other.pptx", "w") as package:
        package.writestr("hello.txt", "a zip, not a presentation")
    empty = Presentation()
    empty.save(str(tmp_path / "empty.pptx"))
    big = tmp_path / "big.pptx"
    shutil.copy(tmp_path / "empty.pptx", big)
    cases = {
        "notes.txt": "not a PPTX",
        "locked.pptx": "encrypted",
        "other.pptx": "not a PPTX presentation",
        "empty.pptx": "no slides",
    }
    for name, reason in cases.items():
        with pytest.raises(InvalidInput) as caught:
            read_deck(tmp_path / name)
        assert caught.value.fields[0]["field"] == "deck" and reason in caught.value.fields[0]["reason"]
    with pytest.raises(InvalidInput, match="over the"):
        check_file(big, max_bytes=1000)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "cli", "deck", str(tmp_path / "locked.pptx"), "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert (
        result.returncode == 2
        and "encrypted" in result.stderr
        and len(result.stderr.strip().splitlines()) == 1
    )
    assert not out.exists()


def test_slide_selections_read_like_a_print_dialog():
    assert parse_selection("2,4-6", 8) == [2, 4, 5, 6]
    assert parse_selection("all", 8) is None and parse_selection(None, 8) is None
    for bad in ("0", "9", "3-1", "x", ","):
        with pytest.raises(InvalidInput):
            parse_selection(bad, 8)


def test_a_portrait_pack_is_checked_when_it_is_given(tmp_path: Path, pack):
    broken = tmp_path / "broken"
    shutil.copytree(pack.folder, broken)
    (broken / "mouth_G.png").unlink()
    with pytest.raises(InvalidInput, match=r"mouth_G\.png is missing"):
        load_pack(broken)
    Image.new("RGBA", (10, 10)).save(broken / "mouth_G.png")
    with pytest.raises(InvalidInput, match="expected"):
        load_pack(broken)
    opaque = tmp_path / "opaque"
    shutil.copytree(pack.folder, opaque)
    Image.new("RGBA", pack.size, (255, 255, 255, 255)).save(opaque / "base.png")
    with pytest.raises(InvalidInput, match="transparent"):
        load_pack(opaque)
    assert load_pack(pack.folder).mouths.keys() == set(MOUTHS)


@pytest.mark.slow
def test_a_lesson_deck_becomes_a_presenter_video_narrated_by_its_notes(tmp_path: Path, pack):
    """Seed 000's last step: the deck a lesson (or a learning path's course) wrote, presented."""
    _office_or_skip()
    from shared.decks.pptx_deck import lesson_deck
    from tests.test_slides import sample_lesson

    script = sample_lesson()
    script = script.model_copy(update={"scenes": script.scenes[:3]})
    lesson_deck(script, tmp_path / "deck.pptx")
    manifest = run_deck(
        DeckJob(tmp_path / "deck.pptx", tmp_path / "presenter", OfflineRenderer(Presenter(pack)))
    )
    assert [e.narrated_from for e in manifest.slides] == ["notes"] * 3
    assert [s.narration for s in read_deck(tmp_path / "deck.pptx")] == [s.narration for s in script.scenes]
    assert (tmp_path / "presenter" / "deck.mp4").exists()
    vtt = (tmp_path / "presenter" / "deck.vtt").read_text()
    assert script.scenes[1].narration.split(". ")[0].split()[0] in vtt
