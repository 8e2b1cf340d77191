"""Cloud Text-to-Speech as the narrator: SSML with a mark per sentence, LINEAR16, timepoints.

Uses the v1beta1 API because only it returns SSML mark timepoints. Transient API errors (429, 503,
deadline) become TransientError so the message is retried; bad input becomes PermanentError.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from google.api_core import exceptions as gexc
from google.cloud import texttospeech_v1beta1 as tts  # type: ignore[attr-defined]

from shared.errors import PermanentError, TransientError
from shared.lesson.captions import sentences
from shared.resilience import TEXT_TO_SPEECH, call_with_resilience

# Default Cloud TTS speaking rate is about 150 words per minute; speaking_rate scales it.
BASE_WPM = 150.0
# Locales Cloud TTS has voices for; another region of the same language is spoken by its default locale.
LOCALES = frozenset(
    [
        "en-US",
        "en-GB",
        "en-AU",
        "en-IN",
        "es-ES",
        "es-US",
        "fr-FR",
        "fr-CA",
        "de-DE",
        "it-IT",
        "pt-BR",
        "pt-PT",
        "nl-NL",
        "nl-BE",
    ]
)
DEFAULT_LOCALES = {
    "en": "en-US",
    "es": "es-US",
    "fr": "fr-FR",
    "de": "de-DE",
    "it": "it-IT",
    "pt": "pt-BR",
    "nl": "nl-NL",
}
# The voice we chose per locale; a locale without one gets the service's default voice for it.
VOICES = {
    "en-US": "en-US-Neural2-F",
    "en-GB": "en-GB-Neural2-A",
    "es-ES": "es-ES-Neural2-A",
    "es-US": "es-US-Neural2-A",
    "fr-FR": "fr-FR-Neural2-A",
    "it-IT": "it-IT-Neural2-A",
    "pt-BR": "pt-BR-Neural2-A",
}


def voice_for(language: str) -> tuple[str, str]:
    """(locale, voice name) to speak `language` (a BCP-47 tag): 'es-MX' -> ('es-US', 'es-US-Neural2-A')."""
    primary = language.split("-", 1)[0].lower()
    locale = language if language in LOCALES else DEFAULT_LOCALES.get(primary, language)
    return locale, VOICES.get(locale, "")


def to_ssml(text: str) -> tuple[str, list[str]]:
    """SSML with `<mark name="sN"/>` before each sentence, so timepoints can time captions."""
    parts = sentences(text)
    marks = [f"s{i}" for i in range(len(parts))]
    body = " ".join(f'<mark name="{m}"/>{escape(s)}' for m, s in zip(marks, parts, strict=True))
    return f"<speak>{body}</speak>", marks


class CloudTtsNarrator:
    name = "cloud-tts"

    def __init__(self, client: tts.TextToSpeechClient | None = None, *, timeout_s: float = 60.0) -> None:
        self.client = client or tts.TextToSpeechClient()
        self.timeout_s = timeout_s

    def synthesize(self, text: str, out_wav: Path, *, language: str, words_per_minute: int) -> list[float]:
        ssml, marks = to_ssml(text)
        locale, voice = voice_for(language)
        request = tts.SynthesizeSpeechRequest(
            input=tts.SynthesisInput(ssml=ssml),
            voice=tts.VoiceSelectionParams(language_code=locale, name=voice),
            audio_config=tts.AudioConfig(
                audio_encoding=tts.AudioEncoding.LINEAR16,
                speaking_rate=round(words_per_minute / BASE_WPM, 2),
                sample_rate_hertz=24000,
            ),
            enable_time_pointing=[tts.SynthesizeSpeechRequest.TimepointType.SSML_MARK],
        )
        response = call_with_resilience(TEXT_TO_SPEECH, lambda: self._call(request))
        audio = bytes(response.audio_content)
        if not audio.startswith(b"RIFF"):
            raise PermanentError("text-to-speech returned audio that is not WAV", code="tts_malformed")
        out_wav.write_bytes(audio)
        times = {tp.mark_name: tp.time_seconds for tp in response.timepoints}
        # Sentence start times for exact caption timing; [] unless every mark came back.
        return [times[m] for m in marks] if all(m in times for m in marks) else []

    def _call(self, request: tts.SynthesizeSpeechRequest) -> tts.SynthesizeSpeechResponse:
        try:
            # No library-level retry: ours (tenacity, transient errors only) sits behind the circuit breaker.
            return self.client.synthesize_speech(request=request, timeout=self.timeout_s, retry=None)
        except (
            gexc.TooManyRequests,
            gexc.ServiceUnavailable,
            gexc.DeadlineExceeded,
            gexc.InternalServerError,
        ) as exc:
            raise TransientError(f"text-to-speech unavailable: {exc.__class__.__name__}") from exc
        except gexc.GoogleAPICallError as exc:
            raise PermanentError(
                f"text-to-speech refused the request: {exc.message}", code="tts_rejected"
            ) from exc
        except (OSError, TimeoutError) as exc:  # the REST transport's connection and read timeouts
            raise TransientError(f"text-to-speech unreachable: {exc.__class__.__name__}") from exc
