"""PCM WAV helpers and loudness normalisation (ITU-R BS.1770, as pyloudnorm measures it) to -16 LUFS.

The narration is normalised as a stream of chunks, never held whole: one pass measures its integrated
loudness (LoudnessMeter: pyloudnorm's K-weighting filters with their state carried from chunk to chunk,
mean squares kept per 100 ms, gated at the end), the last applies the gain, limits peaks (PeakLimiter)
and writes the WAV as it goes. Memory stays a few chunks whatever the lesson's length.
"""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy import ndimage, signal

TARGET_LUFS = -16.0
PEAK_CEILING = 0.97
CHUNK_FRAMES = 1 << 16


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono float32 samples in [-1, 1] and the sample rate."""
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM")
        rate = handle.getframerate()
        channels = handle.getnchannels()
        data = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def iter_wav(path: Path, frames: int = CHUNK_FRAMES) -> Iterator[np.ndarray]:
    """The samples of a 16-bit WAV as mono float32 chunks of at most `frames`."""
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM")
        channels = handle.getnchannels()
        while block := handle.readframes(frames):
            data = np.frombuffer(block, dtype="<i2").astype(np.float32) / 32768.0
            yield data.reshape(-1, channels).mean(axis=1) if channels > 1 else data


def wav_info(path: Path) -> tuple[int, int]:
    """(frames, sample rate)."""
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes(), handle.getframerate()


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(to_pcm16(samples))


def loudness(samples: np.ndarray, rate: int) -> float:
    """pyloudnorm on the whole array (float64 copies of it: for checks, not for whole lessons)."""
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


class LoudnessMeter:
    """Integrated loudness (BS.1770-4, mono) of a signal fed in chunks of any size.

    Same filters and gating as pyloudnorm.Meter: 400 ms blocks overlapping by 75 %, built here from
    the filtered signal's energy per 100 ms hop; a last hop shorter than 100 ms is left out.
    """

    ABSOLUTE_GATE = -70.0
    RELATIVE_GATE = -10.0

    def __init__(self, rate: int) -> None:
        reference = pyloudnorm.Meter(rate)  # K-weighting: high shelf, then high pass
        self._stages = [(f.passband_gain, f.b, f.a) for f in reference._filters.values()]
        self._states = [np.zeros(max(len(a), len(b)) - 1) for _, b, a in self._stages]
        self.hop = round(rate * reference.block_size * (1 - reference.overlap))
        self._energies: list[np.ndarray] = []
        self._partial = np.zeros(0)

    def add(self, samples: np.ndarray) -> None:
        x = np.asarray(samples, dtype=np.float64)
        for index, (gain, b, a) in enumerate(self._stages):
            y, self._states[index] = signal.lfilter(b, a, x, zi=self._states[index])
            x = gain * y
        squares = np.concatenate([self._partial, x * x])
        whole = squares.size // self.hop * self.hop
        self._energies.append(squares[:whole].reshape(-1, self.hop).sum(axis=1))
        self._partial = squares[whole:]

    def integrated(self) -> float:
        hops = np.concatenate(self._energies) if self._energies else np.zeros(0)
        if hops.size < 4:
            return float("-inf")
        blocks = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * self.hop)
        with np.errstate(divide="ignore"):
            levels = -0.691 + 10.0 * np.log10(blocks)
            above = blocks[levels >= self.ABSOLUTE_GATE]
            if not above.size:
                return float("-inf")
            relative = -0.691 + 10.0 * np.log10(above.mean()) + self.RELATIVE_GATE
            gated = blocks[(levels > relative) & (levels > self.ABSOLUTE_GATE)]
            return float(-0.691 + 10.0 * np.log10(gated.mean())) if gated.size else float("-inf")


class PeakLimiter:
    """Keeps |samples| ≤ ceiling by turning the gain down around peaks only, chunk by chunk.

    The gain each sample needs (ceiling / |x|, at most 1) is taken as the minimum over ±hold and then
    averaged over ±hold: a smooth dip that starts `hold` before a peak, is never above what any sample
    under it needs, and leaves everything else untouched. Works on a stream, 2 × hold behind its input.
    """

    def __init__(self, rate: int, ceiling: float = PEAK_CEILING, hold_s: float = 0.01) -> None:
        self.ceiling = ceiling
        self.width = 2 * max(1, round(hold_s * rate)) + 1
        self.context = self.width - 1  # samples needed on each side of the one being limited
        # Silence before the start; after it, the last `context` samples already given out.
        self._buffer = np.zeros(self.context, dtype=np.float32)

    def process(self, samples: np.ndarray) -> np.ndarray:
        buffer = np.concatenate([self._buffer, np.asarray(samples, dtype=np.float32)])
        end = buffer.size - self.context
        if end <= self.context:
            self._buffer = buffer
            return np.zeros(0, dtype=np.float32)
        out = buffer[self.context : end]
        if float(np.max(np.abs(buffer))) > self.ceiling:
            needed = np.minimum(1.0, self.ceiling / np.maximum(np.abs(buffer), 1e-12)).astype(np.float32)
            lowest = ndimage.minimum_filter1d(needed, self.width, mode="nearest")
            gain = ndimage.uniform_filter1d(lowest, self.width, mode="nearest")
            out = out * np.minimum(gain[self.context : end], 1.0)
        self._buffer = buffer[end - self.context :]
        return out

    def flush(self) -> np.ndarray:
        return self.process(np.zeros(self.context, dtype=np.float32))


@dataclass(frozen=True)
class Normalised:
    frames: int
    rate: int
    lufs: float  # measured on what was written

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate


def _limited(chunks: Iterable[np.ndarray], gain: float, rate: int) -> Iterator[np.ndarray]:
    limiter = PeakLimiter(rate)
    for chunk in chunks:
        yield limiter.process(np.asarray(chunk, dtype=np.float32) * np.float32(gain))
    yield limiter.flush()


def normalise_to_wav(
    chunks: Callable[[], Iterable[np.ndarray]], rate: int, out_wav: Path, target_lufs: float = TARGET_LUFS
) -> Normalised:
    """Write the signal that `chunks()` yields to `out_wav` at the target loudness, peaks limited.

    `chunks()` is called two or three times: to measure; when the gain pushes peaks over the ceiling,
    again to measure what the limiter takes off (the gain is raised by as much, up to 2 dB); to write.
    """
    meter, peak = LoudnessMeter(rate), 0.0
    for chunk in chunks():
        meter.add(chunk)
        peak = max(peak, float(np.max(np.abs(chunk))) if len(chunk) else 0.0)
    measured = meter.integrated()
    if not np.isfinite(measured):  # silence: nothing to normalise
        measured = target_lufs
    gain = 10.0 ** ((target_lufs - measured) / 20.0)
    if peak * gain > PEAK_CEILING:
        limited = LoudnessMeter(rate)
        for block in _limited(chunks(), gain, rate):
            limited.add(block)
        lost = target_lufs - limited.integrated()
        if np.isfinite(lost):
            gain *= 10.0 ** (min(max(lost, 0.0), 2.0) / 20.0)
    written, frames = LoudnessMeter(rate), 0
    with wave.open(str(out_wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        for block in _limited(chunks(), gain, rate):
            handle.writeframes(to_pcm16(block))
            written.add(block)
            frames += block.size
    return Normalised(frames=frames, rate=rate, lufs=written.integrated())


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()
