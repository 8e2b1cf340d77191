"""Webhook delivery: HMAC-SHA256 signed, retried with backoff, refused for unsafe addresses.

Each attempt resolves the host once, checks every address (shared.domain.webhooks), and connects to the
checked address itself, with the URL's host kept for the Host header and for TLS (SNI and the certificate
check), so a resolver that answers differently the second time (DNS rebinding) is never asked again. An
attempt has a total deadline, however slowly the receiver answers; a redirect is a failed delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from shared.domain.webhooks import IP, resolve_and_check
from shared.errors import PermanentError, TransientError

SIGNATURE_HEADER = "X-Vividly-Signature"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """`t=<unix>,v1=<hex hmac of "<t>.<body>">`: receivers recompute it and reject stale timestamps."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class RetryableWebhookError(TransientError):
    """The receiver did not answer in time, or answered 5xx/429: worth another try."""

    code = "webhook_unavailable"


class WebhookRefused(PermanentError):
    """The receiver answered in a way that retrying will not change (a redirect, a 4xx)."""

    code = "webhook_refused"


def pinned_url(url: str, address: IP) -> str:
    """The URL with its host replaced by the checked address."""
    parts = urlsplit(url)
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _post_once(url: str, address: IP, body: bytes, headers: dict[str, str], timeout_s: float) -> int:
    parts = urlsplit(url)
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    expired = threading.Event()
    with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:

        def give_up() -> None:
            expired.set()
            client.close()  # interrupts a read in progress: a receiver dripping bytes cannot hold us

        timer = threading.Timer(timeout_s, give_up)
        timer.start()
        try:
            request = client.build_request(
                "POST",
                pinned_url(url, address),
                content=body,
                headers={**headers, "Host": host_header},
                extensions=extensions,
            )
            response = client.send(request, stream=True)
            for _chunk in response.iter_raw():
                pass
            response.close()
        except httpx.HTTPError as exc:
            if expired.is_set():
                raise RetryableWebhookError(f"no answer within {timeout_s:g} s") from exc
            raise
        finally:
            timer.cancel()
    return response.status_code


@retry(
    retry=retry_if_exception_type((RetryableWebhookError, httpx.TransportError)),
    stop=stop_after_attempt(4),
    wait=wait_exponential_jitter(initial=0.5, max=8),
    reraise=True,
)
def deliver(
    url: str, payload: dict[str, Any], *, secret: str, allow_loopback: bool, timeout_s: float = 10.0
) -> int:
    address = resolve_and_check(url, allow_loopback=allow_loopback)[0]
    body = json.dumps(payload, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret, int(time.time()))}
    started = time.monotonic()
    status = _post_once(url, address, body, headers, timeout_s)
    if time.monotonic() - started > timeout_s:
        raise RetryableWebhookError(f"no answer within {timeout_s:g} s")
    if status == 429 or status >= 500:
        raise RetryableWebhookError(f"webhook answered {status}")
    if 300 <= status < 400:
        raise WebhookRefused(f"webhook answered a redirect ({status}); redirects are not followed")
    if status >= 400:
        raise WebhookRefused(f"webhook answered {status}")
    return status
