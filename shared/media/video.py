"""Assemble stills + narration into an H.264/AAC MP4 with the ffmpeg that imageio-ffmpeg ships.

A still slide is one image held for its narration (concat demuxer with durations), not thousands of
composited frames: format before fps, -tune stillimage, -t <audio length>, +faststart.

FPS: the picture changes only when a bullet appears or the quiz countdown ticks, so 12 frames a second
keep every change within 1/12 s of its sentence, and encode in two thirds of the time 24 take (a 2-minute
lesson's 24 stills: 5.0 s against 7.5 s, same run). Any player plays a constant 12 fps.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from shared.errors import PermanentError


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


FPS = 12


@dataclass(frozen=True)
class Still:
    image: Path
    duration_s: float


def _concat_list(stills: list[Still], path: Path) -> None:
    lines = []
    for still in stills:
        lines += [f"file '{still.image.resolve()}'", f"duration {still.duration_s:.3f}"]
    lines.append(f"file '{stills[-1].image.resolve()}'")  # the demuxer ignores the last duration otherwise
    path.write_text("\n".join(lines) + "\n")


def encode(
    stills: list[Still], audio: Path, out: Path, *, audio_s: float, fps: int = FPS, preset: str = "ultrafast"
) -> None:
    """Write the MP4 to `out` (callers pass a temporary path and move it into place)."""
    if not stills:
        raise PermanentError("no slides to render")
    listing = out.with_suffix(".concat.txt")
    _concat_list(stills, listing)
    command = [
        ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(listing),
        "-i",
        str(audio),
        "-vf",
        f"format=yuv420p,fps={fps}",
        "-c:v",
        "libx264",
        "-preset",
        preset,
        "-tune",
        "stillimage",
        "-crf",
        "23",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-t",
        f"{audio_s:.3f}",
        "-movflags",
        "+faststart",
        str(out),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=600)
    except subprocess.CalledProcessError as exc:
        raise PermanentError(f"ffmpeg failed: {exc.stderr.decode(errors='replace')[-300:]}") from exc
    finally:
        listing.unlink(missing_ok=True)


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    has_video: bool
    has_audio: bool
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None
    pixel_format: str | None


def probe(path: Path) -> MediaInfo:
    """Stream facts from `ffmpeg -i` (imageio-ffmpeg ships no ffprobe)."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    text = result.stderr
    duration = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", text)
    video = re.search(r"Stream #.*Video: (\w+).*?, (\w+)(?:\(.*?\))?, (\d+)x(\d+)", text)
    audio = re.search(r"Stream #.*Audio: (\w+)", text)
    seconds = 0.0
    if duration:
        h, m, s = duration.groups()
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
    return MediaInfo(
        duration_s=seconds,
        has_video=video is not None,
        has_audio=audio is not None,
        video_codec=video.group(1) if video else None,
        audio_codec=audio.group(1) if audio else None,
        width=int(video.group(3)) if video else None,
        height=int(video.group(4)) if video else None,
        pixel_format=video.group(2) if video else None,
    )
