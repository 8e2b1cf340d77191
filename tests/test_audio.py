"""Loudness normalisation in a stream: the same figure as pyloudnorm, no clipping, bounded memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from shared.media import audio
from tests import reference

RATE = 22050


def speechlike(index: int, seconds: float = 1.0) -> np.ndarray:
    """Second `index` of a made-up talk: noisy voiced bursts ~4 a second, a pause every fifth second."""
    rng = np.random.default_rng(index)
    t = np.arange(round(seconds * RATE)) / RATE + index * seconds
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 2
    level = 0.0 if index % 5 == 4 else 0.05 + 0.25 * rng.random()
    voiced = np.sin(2 * np.pi * (140 + 20 * rng.random()) * t) + 0.5 * np.sin(2 * np.pi * 1200 * t)
    return (level * syllables * (voiced + 0.3 * rng.standard_normal(t.size))).astype(np.float32)


def talk(seconds: int) -> np.ndarray:
    return np.concatenate([speechlike(i) for i in range(seconds)])


def test_streamed_loudness_matches_pyloudnorm_on_a_long_signal():
    signal = talk(180)
    meter = audio.LoudnessMeter(RATE)
    for start in range(0, signal.size, 12_345):  # chunks that do not line up with the 100 ms hops
        meter.add(signal[start : start + 12_345])
    assert meter.integrated() == pytest.approx(reference.loudness(signal, RATE), abs=0.2)


def test_silence_has_no_loudness():
    meter = audio.LoudnessMeter(RATE)
    meter.add(np.zeros(RATE * 2, dtype=np.float32))
    assert meter.integrated() == float("-inf")


def test_normalised_narration_is_at_target_and_never_clips(tmp_path: Path):
    quiet = talk(60) * 0.2  # needs about +20 dB: its peaks must be limited
    out = tmp_path / "n.wav"
    result = audio.normalise_to_wav(lambda: np.array_split(quiet, 37), RATE, out)
    written, rate = audio.read_wav(out)
    assert rate == RATE and written.size == quiet.size == result.frames
    assert reference.loudness(written, RATE) == pytest.approx(-16.0, abs=0.5)
    assert result.lufs == pytest.approx(reference.loudness(written, RATE), abs=0.2)
    assert float(np.max(np.abs(written))) <= audio.PEAK_CEILING + 1 / 32767


def test_the_limiter_touches_only_the_peaks():
    t = np.arange(RATE * 2) / RATE
    signal = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    signal[RATE] = 2.5  # one spike in the middle
    limiter = audio.PeakLimiter(RATE)
    sizes = [1, 100, 4_000, 7_777]
    pieces, start = [], 0
    while start < signal.size:
        size = sizes[len(pieces) % len(sizes)]
        pieces.append(limiter.process(signal[start : start + size]))
        start += size
    out = np.concatenate([*pieces, limiter.flush()])
    assert out.size == signal.size
    assert float(np.max(np.abs(out))) <= audio.PEAK_CEILING + 1e-6
    reach = 2 * limiter.context
    untouched = np.r_[0 : RATE - reach, RATE + reach : signal.size]
    np.testing.assert_array_equal(out[untouched], signal[untouched])


def test_a_ten_minute_narration_is_normalised_in_bounded_memory(tmp_path: Path):
    seconds = 600

    def chunks() -> Iterator[np.ndarray]:
        return (speechlike(i) for i in range(seconds))

    whole_float64 = seconds * RATE * 8  # what holding the narration as one float64 array costs: 106 MB
    tracemalloc.start()
    try:
        result = audio.normalise_to_wav(chunks, RATE, tmp_path / "long.wav")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.duration_s == pytest.approx(seconds)
    assert result.lufs == pytest.approx(-16.0, abs=0.5)
    assert peak < whole_float64 / 20, f"peak {peak / 1e6:.1f} MB"
