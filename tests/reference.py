"""Reference measurements by the libraries our own code is checked against (dev extras only)."""

from __future__ import annotations

import numpy as np
import pyloudnorm


def loudness(samples: np.ndarray, rate: int) -> float:
    """pyloudnorm's integrated loudness of the whole array (BS.1770-4)."""
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))
