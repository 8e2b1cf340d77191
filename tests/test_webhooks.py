"""Webhook delivery against real HTTP receivers: signed, retried on 5xx, never redirected, cut off at its
deadline, connected to the address that was checked; and the address guard on every form of address."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from urllib.parse import urlsplit

import pytest

from shared.domain.webhooks import UnsafeWebhook, check_webhook_url
from shared.webhook_delivery import (
    SIGNATURE_HEADER,
    RetryableWebhookError,
    WebhookRefused,
    _post_once,
    deliver,
    sign,
)


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
            hook.url, {"event": "lesson.completed", "request_id": "r1"}, secret="s3cret", allow_loopback=True
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
    assert deliver(flaky.url, {"n": 1}, secret="s", allow_loopback=True) == 200
    assert len(flaky.received) == 3
    down = receiver([500])
    with pytest.raises(RetryableWebhookError):
        deliver(down.url, {"n": 1}, secret="s", allow_loopback=True)
    assert len(down.received) == 4


def test_private_targets_are_refused_unless_allowed(receiver):
    hook = receiver([200])
    with pytest.raises(UnsafeWebhook):
        deliver(hook.url, {"n": 1}, secret="s", allow_loopback=False)
    assert hook.received == []


def test_a_redirect_is_a_failed_delivery_and_not_followed(receiver):
    moved = receiver([302])
    with pytest.raises(WebhookRefused):
        deliver(moved.url, {"n": 1}, secret="s", allow_loopback=True)
    assert len(moved.received) == 1  # not retried: another try would be answered the same


def test_the_checked_address_is_the_one_connected_to(receiver, monkeypatch: pytest.MonkeyPatch):
    # DNS rebinding: the name resolves to the receiver when checked, to a private address afterwards.
    # The only stand-in here is the resolver (no DNS server runs in the tests); the HTTP is real.
    hook = receiver([204])
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])
    asked: list[str] = []

    def rebinding(host, *args, **kwargs):
        if host != "hooks.test":
            return real(host, *args, **kwargs)
        asked.append(host)
        address = next(answers, "10.0.0.7")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = urlsplit(hook.url).port
    url = f"http://hooks.test:{port}/hook"
    assert deliver(url, {"n": 1}, secret="s", allow_loopback=True) == 204
    assert asked == ["hooks.test"]  # resolved once; httpx was given the address, not the name
    headers, _ = hook.received[0]
    assert headers["Host"] == f"hooks.test:{port}"


def test_a_receiver_that_drips_bytes_is_cut_off_at_the_deadline():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def drip() -> None:
        connection, _ = server.accept()
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n")
        for _ in range(30):
            time.sleep(0.5)
            try:
                connection.sendall(b"x")
            except OSError:
                return

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(RetryableWebhookError, match="no answer within"):
        _post_once(f"http://127.0.0.1:{server.getsockname()[1]}/", ip_address("127.0.0.1"), b"{}", {}, 1.5)
    assert time.monotonic() - started < 2.5
    server.close()


@pytest.mark.parametrize(
    "url",
    [
        "https://100.64.0.1/",  # shared address space (RFC 6598)
        "https://100.100.100.200/",  # a cloud metadata alias in that space
        "https://[2002:a9fe:a9fe::]/",  # 6to4 wrapping 169.254.169.254
        "https://[::ffff:169.254.169.254]/",  # IPv4-mapped
        "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo, client 192.0.2.45 (documentation)
        "https://192.0.2.1/",  # documentation range
        "https://[fd00::1]/",  # unique local
    ],
)
def test_every_form_of_a_non_public_address_is_refused(url: str):
    with pytest.raises(UnsafeWebhook):
        check_webhook_url(url)
    with pytest.raises(UnsafeWebhook):
        check_webhook_url(url, allow_loopback=True)  # the development setting opens loopback only


def test_the_development_setting_opens_loopback_and_nothing_else():
    assert check_webhook_url("http://127.0.0.1:8080/hook", allow_loopback=True)
    assert check_webhook_url("http://localhost:8080/hook", allow_loopback=True)
    for url in ("http://10.0.0.5/hook", "http://169.254.169.254/", "https://metadata.google.internal/"):
        with pytest.raises(UnsafeWebhook):
            check_webhook_url(url, allow_loopback=True)
    assert check_webhook_url("https://8.8.8.8/hook") and check_webhook_url("https://[2001:4860:4860::8888]/")
