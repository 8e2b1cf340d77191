"""Hosted presenters, HeyGen and D-ID, behind one small interface: submit a talking-head video for a
slide's narration, poll until it is done, download it. We composite it over the slide ourselves
(shared/presenter/clip.py: overlay_video), so every presenter gives the same picture-in-picture.

- HeyGen: `POST /v2/video/generate` (one video input: the avatar, the text, a green background we key
  out), `GET /v1/video_status.get?video_id=…` (pending / waiting / processing / completed / failed).
  HeyGen bills in 30 s steps: the billed seconds are the length rounded up to 30.
- D-ID: `POST /talks` (the portrait's URL and the text), `GET /talks/{id}` (created / started / done /
  error / rejected).
A 429 is waited out (its Retry-After, else a backoff) and retried; any other error, a failed or rejected
video, or one that is not done within the timeout, fails that slide only. Keys come from the environment
(Secret Manager in the cloud) and never appear in a log line, an error or the manifest.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt

from shared.errors import PermanentError, TransientError

GREEN = "#00FF00"


class RateLimited(TransientError):
    code = "provider_rate_limited"

    def __init__(self, provider: str, retry_after_s: float) -> None:
        super().__init__(f"{provider} asked us to slow down")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class JobState:
    done: bool
    failed: bool = False
    video_url: str | None = None
    duration_s: float | None = None
    error: str | None = None


class HostedAvatar(Protocol):
    name: str
    chroma_key: str | None  # the background colour to key out, or None: the video is shown as a box

    def submit(self, text: str, callback_id: str) -> str:
        """Start a video saying `text`; its job id."""
        ...

    def status(self, job_id: str) -> JobState: ...

    def billed_s(self, duration_s: float) -> float: ...


def _wait_for(state: Any) -> float:
    error = state.outcome.exception() if state.outcome else None
    return min(60.0, error.retry_after_s) if isinstance(error, RateLimited) else 1.0


def _checked(provider: str, response: httpx.Response) -> dict[str, Any]:
    if response.status_code == 429:
        retry_after = response.headers.get("Retry-After", "")
        raise RateLimited(provider, float(retry_after) if retry_after.replace(".", "", 1).isdigit() else 2.0)
    if response.status_code >= 500:
        raise TransientError(f"{provider} answered {response.status_code}")
    if response.status_code >= 400:
        raise PermanentError(
            f"{provider} refused the request ({response.status_code}): {response.text[:200]}"
        )
    body: dict[str, Any] = response.json()
    return body


class HeyGen:
    name = "heygen"
    chroma_key: str | None = GREEN

    def __init__(
        self, api_key: str, avatar_id: str, voice_id: str, *, base_url: str = "https://api.heygen.com"
    ) -> None:
        self._client = httpx.Client(base_url=base_url, headers={"X-Api-Key": api_key}, timeout=30.0)
        self.avatar_id, self.voice_id = avatar_id, voice_id

    def submit(self, text: str, callback_id: str) -> str:
        body = {
            "video_inputs": [
                {
                    "character": {"type": "avatar", "avatar_id": self.avatar_id, "avatar_style": "normal"},
                    "voice": {"type": "text", "input_text": text, "voice_id": self.voice_id},
                    "background": {"type": "color", "value": GREEN},
                }
            ],
            "dimension": {"width": 720, "height": 720},
            "callback_id": callback_id,
        }
        answer = _checked(self.name, self._client.post("/v2/video/generate", json=body))
        if answer.get("error") or not (answer.get("data") or {}).get("video_id"):
            raise PermanentError(f"heygen did not start the video: {answer.get('error')}")
        return str(answer["data"]["video_id"])

    def status(self, job_id: str) -> JobState:
        data = _checked(self.name, self._client.get("/v1/video_status.get", params={"video_id": job_id}))
        data = data.get("data") or {}
        status = data.get("status")
        if status == "completed":
            return JobState(True, video_url=data.get("video_url"), duration_s=data.get("duration"))
        if status == "failed":
            error = data.get("error") or {}
            return JobState(True, failed=True, error=str(error.get("message") or error or "failed"))
        return JobState(False)

    def billed_s(self, duration_s: float) -> float:
        return 30.0 * math.ceil(duration_s / 30.0)


class DId:
    name = "d-id"
    chroma_key: str | None = None

    def __init__(self, api_key: str, source_url: str, *, base_url: str = "https://api.d-id.com") -> None:
        self._client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Basic {api_key}"}, timeout=30.0
        )
        self.source_url = source_url

    def submit(self, text: str, callback_id: str) -> str:
        body = {
            "source_url": self.source_url,
            "script": {"type": "text", "input": text},
            "user_data": callback_id,
        }
        return str(_checked(self.name, self._client.post("/talks", json=body))["id"])

    def status(self, job_id: str) -> JobState:
        data = _checked(self.name, self._client.get(f"/talks/{job_id}"))
        status = data.get("status")
        if status == "done":
            return JobState(True, video_url=data.get("result_url"), duration_s=data.get("duration"))
        if status in ("error", "rejected"):
            error = data.get("error") or {}
            return JobState(
                True, failed=True, error=f"{status}: {error.get('description') or error or status}"
            )
        return JobState(False)

    def billed_s(self, duration_s: float) -> float:
        return float(math.ceil(duration_s))


@dataclass(frozen=True)
class HostedVideo:
    path: Path
    job_id: str
    duration_s: float | None
    billed_s: float


def _retrying(call: Callable[[], Any]) -> Any:
    return retry(
        retry=retry_if_exception_type(TransientError),
        wait=_wait_for,
        stop=stop_after_attempt(6),
        reraise=True,
    )(call)()


def fetch_video(
    provider: HostedAvatar,
    text: str,
    out: Path,
    *,
    callback_id: str,
    timeout_s: float = 900.0,
    poll_every_s: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> HostedVideo:
    """Have the provider make the video and download it to `out` (via a temporary name)."""
    job_id = _retrying(lambda: provider.submit(text, callback_id))
    deadline = time.monotonic() + timeout_s
    while True:
        state: JobState = _retrying(lambda: provider.status(job_id))
        if state.done:
            break
        if time.monotonic() >= deadline:
            raise PermanentError(f"{provider.name} video {job_id} not done after {timeout_s:.0f} s")
        sleep(poll_every_s)
    if state.failed or not state.video_url:
        raise PermanentError(f"{provider.name} video {job_id} failed: {state.error or 'no video URL'}")
    partial = out.with_name(f".{out.name}.partial")
    try:
        with httpx.stream("GET", state.video_url, timeout=120.0, follow_redirects=True) as response:
            response.raise_for_status()
            with partial.open("wb") as handle:
                for block in response.iter_bytes():
                    handle.write(block)
        partial.replace(out)
    except httpx.HTTPError as exc:
        raise TransientError(f"could not download the {provider.name} video: {type(exc).__name__}") from exc
    finally:
        partial.unlink(missing_ok=True)
    duration = state.duration_s
    return HostedVideo(out, job_id, duration, provider.billed_s(duration or 0.0))
