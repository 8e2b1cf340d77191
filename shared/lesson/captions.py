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


SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """The sentences of a narration; TTS marks and caption timing split the same way."""
    return [s for s in SENTENCE_BREAK.split(text.strip()) if s]


def _chunks(text: str) -> list[str]:
    """Split text into pieces that wrap to at most two 42-character lines, preferring sentence breaks."""
    pieces: list[str] = []
    for sentence in sentences(text):
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


def scene_cues(
    text: str, start_s: float, end_s: float, sentence_starts_s: list[float] | None = None
) -> list[Cue]:
    """Cues covering [start_s, end_s].

    With the speech engine's sentence start times (offsets from start_s, one per sentence), each sentence
    is timed exactly and only split proportionally within itself; without them, cues share the scene's
    time in proportion to their characters.
    """
    parts = sentences(text)
    if sentence_starts_s and len(sentence_starts_s) == len(parts) > 1:
        bounds = [start_s, *(start_s + t for t in sentence_starts_s[1:]), end_s]
        return [cue for i, part in enumerate(parts) for cue in _proportional(part, bounds[i], bounds[i + 1])]
    return _proportional(text, start_s, end_s)


def _proportional(text: str, start_s: float, end_s: float) -> list[Cue]:
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
