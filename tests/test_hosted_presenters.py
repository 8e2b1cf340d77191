"""HeyGen and D-ID adapters against a local server that answers as each provider documents: success, a 429
then success, a failed or rejected video, one that never finishes; the key sent only as the header."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from shared.errors import PermanentError
from shared.media.video import ffmpeg_exe, probe
from shared.presenter.clip import Placement
from shared.presenter.hosted import DId, HeyGen, fetch_video
from shared.presenter.renderers import HostedRenderer

HEYGEN_KEY, DID_KEY = "hg-secret-123", "did-secret-456"


@dataclass
class Provider:
    """What the fake provider does, and what it was sent."""

    scenario: str = "ok"
    video: bytes = b""
    base: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    polls: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(
            self, status: int, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
        ) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            provider.headers.append(dict(self.headers))
            provider.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            if provider.scenario == "busy" and len(provider.posts) == 1:
                return self._send(429, {"error": "rate limited"}, {"Retry-After": "0.2"})
            if self.path == "/v2/video/generate":
                if self.headers.get("X-Api-Key") != HEYGEN_KEY:
                    return self._send(401, {"error": "unauthorized"})
                return self._send(200, {"error": None, "data": {"video_id": "vid-1"}})
            if self.path == "/talks":
                if self.headers.get("Authorization") != f"Basic {DID_KEY}":
                    return self._send(401, {"message": "unauthorized"})
                return self._send(201, {"id": "tlk_1", "status": "created"})
            return self._send(404, {"error": "no such path"})

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/files/avatar.mp4":
                return self._send(200, provider.video, {"Content-Type": "video/mp4"})
            provider.polls += 1
            ready = provider.polls >= 3 and provider.scenario != "never"
            if url.path == "/v1/video_status.get":
                assert parse_qs(url.query)["video_id"] == ["vid-1"]
                if provider.scenario == "fail" and ready:
                    return self._send(
                        200,
                        {"code": 100, "data": {"status": "failed", "error": {"message": "avatar not found"}}},
                    )
                status = "completed" if ready else "processing"
                data = {"status": status, "video_url": f"{provider.base}/files/avatar.mp4", "duration": 3.0}
                return self._send(200, {"code": 100, "data": data if ready else {"status": status}})
            if url.path == "/talks/tlk_1":
                if provider.scenario == "rejected" and ready:
                    return self._send(
                        200, {"id": "tlk_1", "status": "rejected", "error": {"description": "face not found"}}
                    )
                if ready:
                    return self._send(
                        200,
                        {
                            "id": "tlk_1",
                            "status": "done",
                            "result_url": f"{provider.base}/files/avatar.mp4",
                            "duration": 3.0,
                        },
                    )
                return self._send(200, {"id": "tlk_1", "status": "started"})
            return self._send(404, {"error": "no such path"})

    return Handler


@pytest.fixture(scope="module")
def avatar_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A talking head as a provider would send it: a red face on flat green, a tone for the voice, 3 s."""
    path = tmp_path_factory.mktemp("avatar") / "avatar.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0x00FF00:s=360x360:d=3:r=25",
         "-f", "lavfi", "-i", "sine=frequency=330:duration=3:sample_rate=44100",
         "-vf", "drawbox=x=120:y=80:w=120:h=200:color=red:t=fill", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture
def provider(avatar_mp4: bytes) -> Iterator[Provider]:
    state = Provider(video=avatar_mp4)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()


def _slide(tmp_path: Path) -> Path:
    path = tmp_path / "slide.png"
    Image.new("RGB", (1280, 720), (255, 255, 255)).save(path)
    return path


def _heygen(provider: Provider) -> HeyGen:
    return HeyGen(HEYGEN_KEY, "avatar-7", "voice-3", base_url=provider.base)


def _did(provider: Provider) -> DId:
    return DId(DID_KEY, "https://example.org/portrait.png", base_url=provider.base)


def test_heygen_after_a_429_makes_the_clip_with_its_green_keyed_out(tmp_path: Path, provider: Provider):
    provider.scenario = "busy"
    renderer = HostedRenderer(
        _heygen(provider), Placement(), {"avatar": "avatar-7", "voice": "voice-3"}, poll_every_s=0.01
    )
    made = renderer.speak_slide(
        "Plants make food from light.", _slide(tmp_path), tmp_path / "clip.mp4", "deck-1-abc"
    )
    assert len(provider.posts) == 2  # the 429 was waited out and the call made again
    sent = provider.posts[-1]
    assert sent["video_inputs"][0]["voice"]["input_text"] == "Plants make food from light."
    assert (
        sent["video_inputs"][0]["character"]["avatar_id"] == "avatar-7"
        and sent["callback_id"] == "deck-1-abc"
    )
    assert made.job_id == "vid-1" and made.billed_s == 30.0  # HeyGen bills in 30 s steps
    info = probe(tmp_path / "clip.mp4")
    assert info.duration_s == pytest.approx(3.0, abs=0.2) and (info.width, info.height) == (1280, 720)
    frame = subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-ss", "1", "-i", str(tmp_path / "clip.mp4"), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    picture = np.frombuffer(frame, dtype=np.uint8).reshape(720, 1280, 3).astype(int)
    x, y, w, h = Placement().box((1280, 720), (360, 360))
    corner = picture[y + 5 : y + 30, x + 5 : x + 30]  # the avatar's background: keyed out, the slide shows
    assert corner.mean(axis=(0, 1)).tolist() == pytest.approx([255, 255, 255], abs=25)
    face = picture[y + h // 2, x + w // 2]
    assert face[0] > 180 and face[1] < 90  # the red "face" is there
    assert not list(tmp_path.glob(".*partial*")) and not list(tmp_path.glob("*.provider.mp4"))
    assert all(HEYGEN_KEY not in json.dumps(body) for body in provider.posts)


def test_a_failed_heygen_video_fails_the_slide_with_the_providers_reason(tmp_path: Path, provider: Provider):
    provider.scenario = "fail"
    with pytest.raises(PermanentError, match="avatar not found") as caught:
        fetch_video(_heygen(provider), "Hello.", tmp_path / "v.mp4", callback_id="c", poll_every_s=0.01)
    assert HEYGEN_KEY not in str(caught.value) and not (tmp_path / "v.mp4").exists()


def test_a_video_that_never_finishes_times_out(tmp_path: Path, provider: Provider):
    provider.scenario = "never"
    with pytest.raises(PermanentError, match="not done after"):
        fetch_video(
            _heygen(provider), "Hello.", tmp_path / "v.mp4", callback_id="c", timeout_s=0.3, poll_every_s=0.05
        )
    assert provider.polls >= 3 and not (tmp_path / "v.mp4").exists()


def test_d_id_makes_the_clip_and_a_rejected_talk_fails_it(tmp_path: Path, provider: Provider):
    renderer = HostedRenderer(_did(provider), Placement(), {"source": "portrait.png"}, poll_every_s=0.01)
    made = renderer.speak_slide("The Moon has phases.", _slide(tmp_path), tmp_path / "clip.mp4", "deck-2-def")
    assert provider.posts[0]["script"] == {"type": "text", "input": "The Moon has phases."}
    assert provider.posts[0]["source_url"] == "https://example.org/portrait.png"
    assert made.job_id == "tlk_1" and probe(tmp_path / "clip.mp4").has_audio
    provider.scenario, provider.polls = "rejected", 0
    with pytest.raises(PermanentError, match="rejected: face not found"):
        fetch_video(_did(provider), "Hi.", tmp_path / "r.mp4", callback_id="c", poll_every_s=0.01)


def test_a_wrong_key_is_refused_without_echoing_it(tmp_path: Path, provider: Provider):
    with pytest.raises(PermanentError, match="refused the request \\(401\\)") as caught:
        fetch_video(
            HeyGen("wrong-key", "a", "v", base_url=provider.base), "Hi.", tmp_path / "v.mp4", callback_id="c"
        )
    assert "wrong-key" not in str(caught.value)


@pytest.mark.slow
def test_a_deck_through_heygen_records_each_slides_job_and_joins_the_clips(
    tmp_path: Path, provider: Provider
):
    from tests.test_presenter import SLIDES, _deck, _office_or_skip

    _office_or_skip()
    from shared.presenter.deck_run import DeckJob, run_deck

    deck = _deck(tmp_path / "moon.pptx", SLIDES, blank_at=3)
    renderer = HostedRenderer(
        _heygen(provider), Placement(), {"avatar": "avatar-7", "voice": "voice-3"}, poll_every_s=0.01
    )
    manifest = run_deck(DeckJob(deck, tmp_path / "out", renderer))
    assert [e.status for e in manifest.slides] == ["done"] * 4
    spoken = [e for e in manifest.slides if e.narrated_from != "silent"]
    assert all(e.provider == "heygen" and e.job_id == "vid-1" and e.billed_s == 30.0 for e in spoken)
    assert len(provider.posts) == 3  # the silent slide is held without asking the provider
    info = probe(tmp_path / "out" / "deck.mp4")
    assert info.duration_s == pytest.approx(2.5 + sum(e.duration_s for e in manifest.slides), abs=0.6)
    saved = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert HEYGEN_KEY not in json.dumps(saved)
