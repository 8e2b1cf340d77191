"""What the presenter does at every video frame: mouth shape, eyes, head sway (pure, no I/O).

Mouth shapes are Rhubarb Lip Sync's nine (Preston Blair's set): A closed (M, B, P), B teeth together (most
consonants, "ee"), C open ("eh", "a" in bat), D wide open ("a" in father), E rounded ("er", "aw"),
F puckered ("oo", "oh", W), G teeth on lip (F, V), H tongue up (L), X at rest (silence).

A frame shows the shape of the phoneme sounding at the frame's start, so the lips are never more than one
frame from the phoneme track; a pause in the track, or a stretch of silent audio of MIN_SILENCE_S or
more, shows X (mouth closed).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shared.presenter.speech import Phoneme

MOUTHS = ("A", "B", "C", "D", "E", "F", "G", "H", "X")
MIN_SILENCE_S = 0.15
SILENCE_LEVEL = 0.01  # RMS (of full scale) under which a 10 ms window counts as silent

_EXACT = {
    **dict.fromkeys(("p", "b", "m"), "A"),
    **dict.fromkeys(("f", "v"), "G"),
    **dict.fromkeys(("l", "L", "@L"), "H"),
    **dict.fromkeys(("w", "u:", "U", "U@", "oU", "oU#", "o@"), "F"),
    **dict.fromkeys(("r", "R", "3:", "3", "O:", "O", "O@", "OI", "Q", "0"), "E"),
    **dict.fromkeys(("A:", "A@", "aI", "aI@", "aU", "aU@", "aa"), "D"),
    **dict.fromkeys(("a", "a#", "E", "e", "e@", "eI", "V", "@", "@2", "@5", "a2"), "C"),
    **dict.fromkeys(("i", "i:", "I", "I#", "I2", "i@", "j"), "B"),
}


# piper's IPA, by the same rules (diphthongs by their first, more open, part).
_IPA = {
    **dict.fromkeys("pbm", "A"),
    **dict.fromkeys("fv", "G"),
    **dict.fromkeys("lɫ", "H"),
    **dict.fromkeys("wuʊoʍ", "F"),
    **dict.fromkeys("ɹɾɚɝɜɔɒr", "E"),
    **dict.fromkeys("ɑaɐ", "D"),
    **dict.fromkeys("æɛeʌə", "C"),
    **dict.fromkeys("iɪjy", "B"),
}


def mouth_for(symbol: str, alphabet: str = "espeak") -> str:
    """The mouth shape for one phoneme (espeak's mnemonic or IPA); consonants not listed show B, pauses
    and punctuation X."""
    if alphabet == "ipa":
        return _IPA.get(symbol, "X" if not symbol.strip() or not symbol.isalpha() else "B")
    if not symbol or symbol.startswith(("_", "|")):
        return "X"
    if symbol in _EXACT:
        return _EXACT[symbol]
    stripped = symbol.rstrip("0123456789#;")
    return _EXACT.get(stripped, "B")


def silent_spans(samples: np.ndarray, rate: int, min_s: float = MIN_SILENCE_S) -> list[tuple[float, float]]:
    """(start, end) in seconds of every stretch of at least `min_s` whose 10 ms windows are all silent."""
    window = max(1, rate // 100)
    count = samples.size // window
    if not count:
        return []
    blocks = samples[: count * window].astype(np.float32).reshape(count, window) / 32768.0
    quiet = np.sqrt(np.mean(blocks * blocks, axis=1)) < SILENCE_LEVEL
    spans, start = [], None
    for index, silent in enumerate([*quiet.tolist(), False]):
        if silent and start is None:
            start = index
        elif not silent and start is not None:
            if (index - start) * window / rate >= min_s:
                spans.append((start * window / rate, index * window / rate))
            start = None
    return spans


def mouth_track(
    phonemes: Sequence[Phoneme],
    duration_s: float,
    fps: int,
    silences: Sequence[tuple[float, float]] = (),
) -> list[str]:
    """The mouth shape of every frame of a clip `duration_s` long."""
    frames = math.ceil(duration_s * fps - 1e-9)
    starts = [p.start_s for p in phonemes]
    track = []
    position = 0
    for frame in range(frames):
        t = frame / fps
        while position < len(starts) and starts[position] <= t + 1e-9:
            position += 1
        shape = mouth_for(phonemes[position - 1].symbol, phonemes[position - 1].alphabet) if position else "X"
        if any(a - 1e-9 <= t < b for a, b in silences):
            shape = "X"
        track.append(shape)
    return track


@dataclass(frozen=True)
class Motion:
    """How the presenter moves when not speaking: blinks and a slight sway, all configurable."""

    blink_every_s: tuple[float, float] = (3.0, 5.0)
    blink_s: float = 0.15
    sway_px: float = 3.0  # at the presenter's drawn size
    sway_deg: float = 1.2
    seed: int = 0


def blinks(duration_s: float, fps: int, motion: Motion) -> list[bool]:
    """Eyes closed at each frame? A blink every blink_every_s (drawn at random in that range)."""
    frames = math.ceil(duration_s * fps - 1e-9)
    closed = [False] * frames
    rng = random.Random(motion.seed)
    t = rng.uniform(*motion.blink_every_s) / 2  # the first one comes sooner
    while t < duration_s:
        first, last = round(t * fps), round((t + motion.blink_s) * fps)
        for frame in range(first, min(frames, max(last, first + 1))):
            closed[frame] = True
        t += rng.uniform(*motion.blink_every_s)
    return closed


def sway(frame: int, fps: int, motion: Motion) -> tuple[float, float, float]:
    """(dx, dy, degrees) of the head at a frame: two slow sines that never line up."""
    t = frame / fps
    return (
        motion.sway_px * math.sin(2 * math.pi * t / 5.3),
        0.5 * motion.sway_px * math.sin(2 * math.pi * t / 3.7 + 1.0),
        motion.sway_deg * math.sin(2 * math.pi * t / 6.1 + 0.4),
    )
