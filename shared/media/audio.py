"""PCM WAV helpers and loudness normalisation (ITU-R BS.1770, as pyloudnorm measures it) to -16 LUFS.

The narration is normalised as a stream of chunks, never held whole: one pass measures its integrated
loudness (LoudnessMeter: BS.1770's K-weighting as pyloudnorm builds it, carried from chunk to chunk,
mean squares kept per 100 ms, gated at the end), the last applies the gain, limits peaks (PeakLimiter)
and writes the WAV as it goes. Memory stays a few chunks whatever the lesson's length.

Only numpy: scipy.signal (which pyloudnorm imports) would add about 50 MB to every worker for two biquads
and two running filters. The tests check the figures against pyloudnorm itself.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

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


def _biquad(b: tuple[float, float, float], a: tuple[float, float, float], x: np.ndarray) -> np.ndarray:
    y, x1, x2, y1, y2 = np.empty_like(x), 0.0, 0.0, 0.0, 0.0
    for n, xn in enumerate(x.tolist()):
        yn = b[0] * xn + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        x1, x2, y1, y2 = xn, x1, yn, y1
        y[n] = yn
    return y


@lru_cache(maxsize=4)
def k_weighting(rate: int) -> np.ndarray:
    """Impulse response of BS.1770's K-weighting at `rate`: pyloudnorm's two RBJ-cookbook biquads, a
    +4 dB shelf at 1.5 kHz and a 38 Hz high pass (Q 0.5). Half a second of it leaves out less than
    1e-12 of the response (the high pass, the slower of the two, has decayed by e^-60 by then)."""
    w_shelf, w_pass = 2 * math.pi * 1500.0 / rate, 2 * math.pi * 38.0 / rate
    big_a, alpha = 10 ** (4.0 / 40), math.sin(w_shelf) / (2 / math.sqrt(2))
    c, root = math.cos(w_shelf), 2 * math.sqrt(big_a) * alpha
    shelf_b = (
        big_a * ((big_a + 1) + (big_a - 1) * c + root),
        -2 * big_a * ((big_a - 1) + (big_a + 1) * c),
        big_a * ((big_a + 1) + (big_a - 1) * c - root),
    )
    shelf_a = (
        (big_a + 1) - (big_a - 1) * c + root,
        2 * ((big_a - 1) - (big_a + 1) * c),
        (big_a + 1) - (big_a - 1) * c - root,
    )
    alpha, c = math.sin(w_pass) / (2 * 0.5), math.cos(w_pass)
    pass_b, pass_a = ((1 + c) / 2, -(1 + c), (1 + c) / 2), (1 + alpha, -2 * c, 1 - alpha)
    response = np.zeros(1 << math.ceil(math.log2(rate / 2)))
    response[0] = 1.0
    for b, a in ((shelf_b, shelf_a), (pass_b, pass_a)):
        response = _biquad((b[0] / a[0], b[1] / a[0], b[2] / a[0]), (1.0, a[1] / a[0], a[2] / a[0]), response)
    return response


class LoudnessMeter:
    """Integrated loudness (BS.1770-4, mono) of a signal fed in chunks of any size.

    Same filters and gating as pyloudnorm.Meter: 400 ms blocks overlapping by 75 %, built here from
    the filtered signal's energy per 100 ms hop; a last hop shorter than 100 ms is left out.
    """

    ABSOLUTE_GATE = -70.0
    RELATIVE_GATE = -10.0

    def __init__(self, rate: int) -> None:
        self._response = k_weighting(rate)
        self._tail = np.zeros(self._response.size - 1)  # what earlier chunks still add to the next ones
        self.hop = round(rate * 0.1)  # 400 ms blocks, 75 % overlap
        self._energies: list[np.ndarray] = []
        self._partial = np.zeros(0)

    def _filtered(self, samples: np.ndarray) -> np.ndarray:
        """The K-weighted signal, by FFT convolution with the response, overlap-added across chunks."""
        x = np.asarray(samples, dtype=np.float64)
        size = x.size + self._response.size - 1
        n = 1 << math.ceil(math.log2(size))
        full = np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(self._response, n), n)[:size]
        full[: self._tail.size] += self._tail
        self._tail = full[x.size :]
        return full[: x.size]

    def add(self, samples: np.ndarray) -> None:
        for start in range(0, len(samples), CHUNK_FRAMES):  # bounded FFTs whatever the caller hands in
            x = self._filtered(samples[start : start + CHUNK_FRAMES])
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
            gain = _running_mean(_running_min(needed, self.width), self.width)
            out = out * np.minimum(gain[self.context : end], 1.0)
        self._buffer = buffer[end - self.context :]
        return out

    def flush(self) -> np.ndarray:
        return self.process(np.zeros(self.context, dtype=np.float32))


def _running_min(x: np.ndarray, width: int) -> np.ndarray:
    """Minimum over the centred odd `width` around each sample, edges repeated (van Herk / Gil-Werman:
    prefix and suffix minima of width-long blocks, so the cost does not grow with the width)."""
    half = width // 2
    padded = np.pad(x, (half, half + (-(x.size + 2 * half)) % width), mode="edge").reshape(-1, width)
    prefix = np.minimum.accumulate(padded, axis=1).ravel()
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[: x.size], prefix[width - 1 : width - 1 + x.size])


def _running_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Mean over the centred odd `width` around each sample, edges repeated."""
    half = width // 2
    sums = np.concatenate([[0.0], np.cumsum(np.pad(x, half, mode="edge"), dtype=np.float64)])
    return ((sums[width:] - sums[:-width]) / width).astype(x.dtype)


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
