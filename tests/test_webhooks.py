"""Webhook delivery: signed, retried on 5xx, refused for private addresses unless allowed."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.domain.webhooks import UnsafeWebhook
from shared.webhook_delivery import SIGNATURE_HEADER, RetryableWebhookError, deliver, sign


class Receiver:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(statuses: list[int]) -> Receiver:
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.server.shutdown()


def test_delivery_is_signed_and_verifiable(receiver):
    hook = receiver([204])
    assert (
        deliver(
            hook.url, {"event": "lesson.completed", "request_id": "r1"}, secret="s3cret", allow_private=True
        )
        == 204
    )
    headers, body = hook.received[0]
    timestamp, digest = (part.split("=", 1)[1] for part in headers[SIGNATURE_HEADER].split(","))
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(digest, expected)
    assert json.loads(body)["request_id"] == "r1"
    assert sign(body, "s3cret", int(timestamp)) == headers[SIGNATURE_HEADER]


def test_server_errors_are_retried_then_given_up(receiver):
    flaky = receiver([503, 503, 200])
    assert deliver(flaky.url, {"n": 1}, secret="s", allow_private=True) == 200
    assert len(flaky.received) == 3
    down = receiver([500])
    with pytest.raises(RetryableWebhookError):
        deliver(down.url, {"n": 1}, secret="s", allow_private=True)
    assert len(down.received) == 4


def test_private_targets_are_refused_unless_allowed(receiver):
    hook = receiver([200])
    with pytest.raises(UnsafeWebhook):
        deliver(hook.url, {"n": 1}, secret="s", allow_private=False)
    assert hook.received == []
