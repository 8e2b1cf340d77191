"""Text-to-speech engines behind one Protocol.

Offline: espeak-ng (GPL-3.0, run as a subprocess, never linked). Production: Cloud Text-to-Speech
(shared/media/cloud_tts.py), picked with NARRATOR=cloud-tts.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Protocol

from shared.errors import PermanentError, TransientError


class Narrator(Protocol):
    name: str

    def synthesize(self, text: str, out_wav: Path, *, language: str, words_per_minute: int) -> list[float]:
        """Write 16-bit mono PCM WAV speech for `text` to `out_wav`.

        Returns when each sentence starts (seconds from the beginning), or [] if the engine cannot tell.
        """
        ...


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
        try:
            subprocess.run(
                [self.binary, "-v", voice, "-s", str(words_per_minute), "-w", str(out_wav), "--stdin"],
                input=text.encode(),
                check=True,
                capture_output=True,
                timeout=120,
            )
        except subprocess.TimeoutExpired as exc:
            raise TransientError("espeak-ng timed out") from exc
        except subprocess.CalledProcessError as exc:
            raise PermanentError(f"espeak-ng failed: {exc.stderr.decode(errors='replace')[:200]}") from exc
        return []


def default_narrator() -> Narrator:
    return EspeakNarrator()
