"""Webhook delivery: HMAC-SHA256 signed, retried with backoff, refused for unsafe addresses."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from shared.domain.webhooks import resolve_and_check

SIGNATURE_HEADER = "X-Vividly-Signature"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """`t=<unix>,v1=<hex hmac of "<t>.<body>">`: receivers recompute it and reject stale timestamps."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class RetryableWebhookError(Exception):
    pass


@retry(
    retry=retry_if_exception_type((RetryableWebhookError, httpx.TransportError)),
    stop=stop_after_attempt(4),
    wait=wait_exponential_jitter(initial=0.5, max=8),
    reraise=True,
)
def deliver(
    url: str, payload: dict[str, Any], *, secret: str, allow_private: bool, timeout_s: float = 10.0
) -> int:
    resolve_and_check(url, allow_private=allow_private)
    body = json.dumps(payload, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret, int(time.time()))}
    response = httpx.post(url, content=body, headers=headers, timeout=timeout_s, follow_redirects=False)
    if response.status_code == 429 or response.status_code >= 500:
        raise RetryableWebhookError(f"webhook answered {response.status_code}")
    return response.status_code
