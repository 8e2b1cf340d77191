"""One narrated slide with the presenter in a corner, as an MP4, in a single ffmpeg pass.

The slide is one looped still; the presenter is a stream of raw RGBA frames piped to ffmpeg (each drawn
from the pack's layers for that frame's mouth and eyes, then swayed), laid over the slide by ffmpeg's
overlay filter while it encodes. No frame touches the disk.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from shared.errors import PermanentError
from shared.media import audio
from shared.media.video import ffmpeg_exe, probe
from shared.presenter.portrait import Pack
from shared.presenter.speech import Spoken
from shared.presenter.track import Motion, blinks, mouth_track, silent_spans, sway

FPS = 25
CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")


@dataclass(frozen=True)
class Placement:
    corner: str = "bottom-right"
    height: float = 0.42  # of the video's height
    margin: float = 0.03  # of the video's height

    def __post_init__(self) -> None:
        if self.corner not in CORNERS:
            raise ValueError(f"corner must be one of {', '.join(CORNERS)}")
        if not 0.1 <= self.height <= 1.0:
            raise ValueError("height must be 0.1..1.0 of the video")

    def box(self, video: tuple[int, int], portrait: tuple[int, int]) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the presenter in the video; w and h even (yuv420p)."""
        vw, vh = video
        h = int(vh * self.height) // 2 * 2
        w = int(h * portrait[0] / portrait[1]) // 2 * 2
        m = int(vh * self.margin)
        x = vw - w - m if self.corner.endswith("right") else m
        # At the bottom the shoulders run off the edge, so the sway never lifts them into view.
        y = vh - h + h // 25 if self.corner.startswith("bottom") else m
        return x // 2 * 2, y // 2 * 2, w, h  # even: overlay places yuv420 chroma at half resolution


@dataclass(frozen=True)
class Presenter:
    pack: Pack
    placement: Placement = field(default_factory=Placement)
    motion: Motion = field(default_factory=Motion)


@dataclass(frozen=True)
class Clip:
    duration_s: float
    frames: int
    mouths: list[str]  # per frame
    eyes_closed: list[bool]


def _layers(pack: Pack, size: tuple[int, int]) -> dict[tuple[str, bool], Image.Image]:
    """Every mouth × eyes picture, scaled once to the size shown."""
    return {
        (mouth, closed): pack.frame(mouth, closed).resize(size, Image.Resampling.LANCZOS)
        for mouth in pack.mouths
        for closed in (False, True)
    }


def _slide_background(size: tuple[int, int]) -> str:
    """ffmpeg filter: input 0 (the looped slide) fitted to `size` on white, as [bg]."""
    w, h = size
    return (
        f"[0:v]scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:white[bg];"
    )


def _encode(duration_s: float, partial: Path, audio: tuple[str, ...] = ()) -> list[str]:
    """The clip encoding every presenter shares, so a deck's clips join without re-encoding."""
    return [
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-c:a", "aac", "-b:a", "128k", *audio,
        "-t", f"{duration_s:.3f}", "-movflags", "+faststart", str(partial),
    ]  # fmt: skip


def write_narration(spoken: Spoken, path: Path, hold_s: float) -> float:
    """The speech at -16 LUFS with `hold_s` of silence after it; its length in seconds."""
    raw = path.with_suffix(".raw.wav")
    with wave.open(str(raw), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(spoken.rate)
        handle.writeframes(spoken.samples.tobytes())
        handle.writeframes(np.zeros(round(hold_s * spoken.rate), dtype="<i2").tobytes())
    try:
        return audio.normalise_to_wav(lambda: audio.iter_wav(raw), spoken.rate, path).duration_s
    finally:
        raw.unlink(missing_ok=True)


def render_clip(
    slide: Path,
    spoken: Spoken,
    presenter: Presenter,
    out: Path,
    *,
    size: tuple[int, int] = (1280, 720),
    hold_s: float = 0.6,
) -> Clip:
    """Write the clip to `out` (via a temporary file beside it): the slide for as long as the speech
    plus `hold_s`, the presenter speaking in its corner."""
    narration = out.with_suffix(".narration.wav")
    duration = write_narration(spoken, narration, hold_s)
    mouths = mouth_track(
        spoken.phonemes,
        duration,
        FPS,
        [*silent_spans(spoken.samples, spoken.rate), (spoken.duration_s, duration + 1)],
    )
    closed = blinks(duration, FPS, presenter.motion)
    x, y, w, h = presenter.placement.box(size, presenter.pack.size)
    layers = _layers(presenter.pack, (w, h))
    scale = h / presenter.pack.size[1]
    partial = out.with_name(f".{out.name}.partial.mp4")
    command = [
        ffmpeg_exe(), "-y", "-loglevel", "error",
        "-loop", "1", "-framerate", str(FPS), "-i", str(slide),
        "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{w}x{h}", "-framerate", str(FPS), "-i", "pipe:0",
        "-i", str(narration),
        "-filter_complex",
        f"{_slide_background(size)}[bg][1:v]overlay={x}:{y}:eof_action=endall,format=yuv420p[v]",
        "-map", "[v]", "-map", "2:a",
        *_encode(duration, partial),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None
    try:
        for index, (mouth, shut) in enumerate(zip(mouths, closed, strict=True)):
            dx, dy, degrees = sway(index, FPS, presenter.motion)
            picture = layers[(mouth, shut)].rotate(
                degrees,
                resample=Image.Resampling.BILINEAR,
                center=(w / 2, h),  # the head turns about the shoulders
                translate=(dx * scale, dy * scale),  # type: ignore[arg-type]  # sub-pixel: an affine map
            )
            process.stdin.write(picture.tobytes())
        process.stdin.close()
        error = process.stderr.read() if process.stderr else b""
        if process.wait(timeout=600) != 0:
            raise PermanentError(f"ffmpeg failed: {error.decode(errors='replace')[-300:]}")
        partial.replace(out)
    except BrokenPipeError as exc:
        process.wait(timeout=60)
        raise PermanentError("ffmpeg stopped reading the presenter frames") from exc
    finally:
        if process.poll() is None:
            process.kill()
        partial.unlink(missing_ok=True)
        narration.unlink(missing_ok=True)
    return Clip(duration_s=duration, frames=len(mouths), mouths=mouths, eyes_closed=closed)


def overlay_video(
    slide: Path,
    presenter_video: Path,
    out: Path,
    placement: Placement,
    chroma_key: str | None,
    *,
    size: tuple[int, int] = (1280, 720),
) -> float:
    """A hosted presenter's video over the slide, in the same corner and encoding as the offline one (its
    background keyed out when it has a flat one); the clip's length in seconds."""
    info = probe(presenter_video)
    if not info.has_video or not info.width or not info.height:
        raise PermanentError("the presenter video has no picture")
    x, y, w, h = placement.box(size, (info.width, info.height))
    keyed = f"chromakey={chroma_key.replace('#', '0x')}:0.18:0.06," if chroma_key else ""
    partial = out.with_name(f".{out.name}.partial.mp4")
    command = [
        ffmpeg_exe(), "-y", "-loglevel", "error",
        "-loop", "1", "-framerate", str(FPS), "-i", str(slide),
        "-i", str(presenter_video),
        "-filter_complex",
        f"{_slide_background(size)}[1:v]fps={FPS},{keyed}scale={w}:{h}[p];"
        f"[bg][p]overlay={x}:{y}:eof_action=endall,format=yuv420p[v]",
        "-map", "[v]", "-map", "1:a?",
        *_encode(info.duration_s, partial, ("-ar", "22050", "-ac", "1")),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=600)
        partial.replace(out)
    except subprocess.CalledProcessError as exc:
        raise PermanentError(f"ffmpeg failed: {exc.stderr.decode(errors='replace')[-300:]}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return probe(out).duration_s
