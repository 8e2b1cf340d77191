"""Short-lived tokens for a browser's EventSource, which cannot send an Authorization header: a token names one
organisation and one object (a workflow), expires within minutes, and is signed with a key derived from the
pepper. It rides in the URL, so it may appear in proxy logs: hence read-only, one object, minutes. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from shared.auth.principal import Unauthenticated

PREFIX = "vst_"
TTL_S = 300


@dataclass(frozen=True)
class StreamGrant:
    organization_id: str
    object_id: str
    expires_at: int  # seconds since the epoch


def _key(pepper: bytes) -> bytes:
    # Derived, so the pepper itself never signs anything a client holds.
    return hmac.new(pepper, b"vividly stream tokens v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(
    pepper: bytes, organization_id: str, object_id: str, *, now: float, ttl_s: int = TTL_S
) -> tuple[str, int]:
    """(token, expires_at)."""
    expires_at = int(now) + ttl_s
    body = _b64(f"{organization_id}|{object_id}|{expires_at}".encode())
    signature = _b64(hmac.new(_key(pepper), body.encode(), hashlib.sha256).digest())
    return f"{PREFIX}{body}.{signature}", expires_at


def verify(pepper: bytes, token: str, *, now: float) -> StreamGrant:
    if not token.startswith(PREFIX) or token.count(".") != 1 or len(token) > 512:
        raise Unauthenticated("malformed stream token")
    body, signature = token[len(PREFIX) :].split(".")
    expected = _b64(hmac.new(_key(pepper), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature, expected):
        raise Unauthenticated("stream token with a bad signature")
    try:
        organization_id, object_id, expires = (
            base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("|")
        )
        expires_at = int(expires)
    except ValueError as exc:
        raise Unauthenticated("malformed stream token") from exc
    if now >= expires_at:
        raise Unauthenticated("expired stream token: ask for a new one")
    return StreamGrant(organization_id, object_id, expires_at)
