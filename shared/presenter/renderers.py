"""What makes one slide's clip: the offline presenter, or a hosted one composited the same way.

Both take a slide's narration and page and write the clip; both also make a silent clip of a page (a slide
with no words, the deck's title card). `key` is everything the clip depends on besides the slide, so the
batch can tell when a clip is still good.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from shared.errors import PermanentError
from shared.media.video import Still, encode, probe
from shared.presenter.clip import Presenter, overlay_video, render_clip, write_narration
from shared.presenter.hosted import HostedAvatar, fetch_video
from shared.presenter.speech import speak, speak_piper

SIZE = (1280, 720)
HOLD_S = 0.6  # after the last word, before the next slide


@dataclass(frozen=True)
class Rendered:
    duration_s: float
    speech_s: float  # the narration's part of the clip
    sentence_starts_s: list[float] = field(default_factory=list)
    job_id: str | None = None  # the provider's, for a hosted presenter
    billed_s: float = 0.0


class SlideRenderer(Protocol):
    name: str

    def key(self) -> dict[str, Any]: ...

    def speak_slide(self, narration: str, page: Path, out: Path, callback_id: str) -> Rendered: ...

    def hold(self, page: Path, out: Path, seconds: float) -> Rendered: ...


def _pack_hash(presenter: Presenter) -> str:
    digest = hashlib.sha256()
    for path in sorted(presenter.pack.folder.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@dataclass
class OfflineRenderer:
    presenter: Presenter
    language: str = "en"
    words_per_minute: int = 150
    voice: str = "espeak"  # or "piper" (English): its lips follow the model's own phoneme durations
    name: str = "offline"

    def __post_init__(self) -> None:
        if self.voice not in ("espeak", "piper"):
            raise ValueError(f"the offline presenter speaks with espeak or piper, not {self.voice}")
        if self.voice == "piper" and self.language.split("-")[0] != "en":
            raise ValueError(f"the piper voice speaks English, not {self.language}")

    def key(self) -> dict[str, Any]:
        return {
            "renderer": self.name,
            "voice": self.voice,
            "language": self.language,
            "words_per_minute": self.words_per_minute,
            "pack": _pack_hash(self.presenter),
            "placement": asdict(self.presenter.placement),
            "motion": asdict(self.presenter.motion),
        }

    def speak_slide(self, narration: str, page: Path, out: Path, callback_id: str) -> Rendered:
        spoken = (
            speak_piper(narration, words_per_minute=self.words_per_minute)
            if self.voice == "piper"
            else speak(narration, language=self.language, words_per_minute=self.words_per_minute)
        )
        clip = render_clip(page, spoken, self.presenter, out, size=SIZE, hold_s=HOLD_S)
        return Rendered(clip.duration_s, spoken.duration_s, spoken.sentence_starts_s)

    def hold(self, page: Path, out: Path, seconds: float) -> Rendered:
        clip = render_clip(page, speak(""), self.presenter, out, size=SIZE, hold_s=seconds)
        return Rendered(clip.duration_s, 0.0)


@dataclass
class HostedRenderer:
    provider: HostedAvatar
    placement: Any  # shared.presenter.clip.Placement
    identity: dict[str, str]  # avatar / voice / portrait ids: part of the key, never the API key
    timeout_s: float = 900.0
    poll_every_s: float = 5.0

    @property
    def name(self) -> str:
        return self.provider.name

    def key(self) -> dict[str, Any]:
        return {"renderer": self.name, **self.identity, "placement": asdict(self.placement)}

    def speak_slide(self, narration: str, page: Path, out: Path, callback_id: str) -> Rendered:
        video = fetch_video(
            self.provider,
            narration,
            out.with_suffix(".provider.mp4"),
            callback_id=callback_id,
            timeout_s=self.timeout_s,
            poll_every_s=self.poll_every_s,
        )
        try:
            duration = overlay_video(
                page, video.path, out, self.placement, self.provider.chroma_key, size=SIZE
            )
        finally:
            video.path.unlink(missing_ok=True)
        return Rendered(duration, video.duration_s or duration, job_id=video.job_id, billed_s=video.billed_s)

    def hold(self, page: Path, out: Path, seconds: float) -> Rendered:
        narration = out.with_suffix(".silence.wav")
        duration = write_narration(speak(""), narration, seconds)
        partial = out.with_name(f".{out.name}.partial.mp4")
        try:
            encode([Still(page, duration)], narration, partial, audio_s=duration, fps=25)
            partial.replace(out)
        finally:
            narration.unlink(missing_ok=True)
            partial.unlink(missing_ok=True)
        if not out.exists():
            raise PermanentError("the silent clip was not written")
        return Rendered(probe(out).duration_s, 0.0)
