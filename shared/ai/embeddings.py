"""Sentence embeddings whose weights ship inside an installed package (nothing is downloaded).

WordLlama (static token embeddings, 16 MB in its wheel, MIT): 2,000 sentences in 0.05 s on one core. Its
`load()` looks for its tokenizer in a cache folder and downloads when it is missing, so the packaged files
are linked into a private cache folder and downloads are disabled.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...


class WordLlamaEmbedder:
    _lock = threading.Lock()
    _model: object | None = None

    @classmethod
    def _load(cls) -> object:
        with cls._lock:
            if cls._model is None:
                import wordllama

                package = Path(wordllama.__file__).parent
                cache = Path(tempfile.mkdtemp(prefix="wordllama-"))
                for sub in ("tokenizers", "weights"):
                    (cache / sub).mkdir()
                    for item in (package / sub).iterdir():
                        if item.suffix in (".json", ".safetensors"):
                            shutil.copy(item, cache / sub / item.name)
                cls._model = wordllama.WordLlama.load(cache_dir=cache, disable_download=True)
                shutil.rmtree(cache, ignore_errors=True)
            return cls._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        vectors = np.asarray(self._load().embed(texts), dtype=np.float32)  # type: ignore[attr-defined]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)
