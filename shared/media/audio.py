"""PCM WAV helpers and loudness normalisation (ITU-R BS.1770 via pyloudnorm) to -16 LUFS."""

from __future__ import annotations

import warnings
import wave
from pathlib import Path

import numpy as np
import pyloudnorm

TARGET_LUFS = -16.0
PEAK_CEILING = 0.97


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


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())


def loudness(samples: np.ndarray, rate: int) -> float:
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


def normalise(samples: np.ndarray, rate: int, target_lufs: float = TARGET_LUFS) -> np.ndarray:
    """Gain to the target loudness; a soft limiter keeps peaks under the ceiling without clipping."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # it warns of clipping, which the limiter below handles
        gained = pyloudnorm.normalize.loudness(
            samples.astype(np.float64), loudness(samples, rate), target_lufs
        )
    peak = float(np.max(np.abs(gained))) if gained.size else 0.0
    if peak > PEAK_CEILING:
        # tanh limiting keeps loudness close to target where plain scaling would drop it several dB.
        gained = np.tanh(gained / PEAK_CEILING * 1.0) * PEAK_CEILING
    return gained.astype(np.float32)


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()
