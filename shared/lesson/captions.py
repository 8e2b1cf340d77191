"""Caption cues from narration timings: ≤ 2 lines × 42 characters per cue, WebVTT and SRT. Pure."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

MAX_LINE = 42
MAX_LINES = 2


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    lines: tuple[str, ...]


def _chunks(text: str) -> list[str]:
    """Split text into pieces that wrap to at most two 42-character lines, preferring sentence breaks."""
    pieces: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        words = sentence.split()
        current: list[str] = []
        for word in words:
            trial = " ".join([*current, word])
            if current and len(textwrap.wrap(trial, MAX_LINE)) > MAX_LINES:
                pieces.append(" ".join(current))
                current = [word]
            else:
                current.append(word)
        if current:
            pieces.append(" ".join(current))
    return pieces


def scene_cues(text: str, start_s: float, end_s: float) -> list[Cue]:
    """Cues covering [start_s, end_s], each timed in proportion to its share of the characters."""
    pieces = _chunks(text)
    total = sum(len(p) for p in pieces) or 1
    cues, t = [], start_s
    for index, piece in enumerate(pieces):
        end = end_s if index == len(pieces) - 1 else t + (end_s - start_s) * len(piece) / total
        cues.append(Cue(round(t, 3), round(end, 3), tuple(textwrap.wrap(piece, MAX_LINE))))
        t = end
    return cues


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_webvtt(cues: list[Cue]) -> str:
    blocks = ["WEBVTT", ""]
    for cue in cues:
        blocks += [f"{_stamp(cue.start_s, '.')} --> {_stamp(cue.end_s, '.')}", *cue.lines, ""]
    return "\n".join(blocks)


def to_srt(cues: list[Cue]) -> str:
    blocks = []
    for number, cue in enumerate(cues, start=1):
        blocks += [str(number), f"{_stamp(cue.start_s, ',')} --> {_stamp(cue.end_s, ',')}", *cue.lines, ""]
    return "\n".join(blocks)
