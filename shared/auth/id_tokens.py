"""Identity Platform / Firebase ID tokens for people, verified with google-auth against cached certificates.

google-auth's `verify_firebase_token` skips the audience check when audience is None and fetches the
certificates on every call; so the audience here is required, the certificates are kept as long as their
Cache-Control allows, and the issuer is checked against the audience's project.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from google.auth import exceptions as google_exceptions
from google.auth import jwt

from shared.auth.principal import Unauthenticated

FIREBASE_CERTS_URL = (
    "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
)
FIREBASE_ISSUER = "https://securetoken.google.com/"
MAX_AGE = re.compile(r"max-age=(\d+)")
DEFAULT_CERTS_TTL_S = 3600.0


@dataclass(frozen=True)
class Identity:
    """Who a verified token says the person is: the token's subject, and its Identity Platform tenant."""

    user_id: str
    tenant: str | None
    email: str | None


@dataclass
class CertificateCache:
    """The signing certificates by key id, fetched again only when their Cache-Control max-age has passed
    (or a token names a key id not seen yet, as happens right after Google rotates keys)."""

    url: str
    fetch: Callable[[str], httpx.Response] = field(default=lambda url: httpx.get(url, timeout=10))
    clock: Callable[[], float] = time.monotonic
    _certs: dict[str, str] = field(default_factory=dict)
    _expires: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def certificates(self, key_id: str | None) -> dict[str, str]:
        with self._lock:
            if self.clock() >= self._expires or (key_id is not None and key_id not in self._certs):
                self._refresh()
            return dict(self._certs)

    def _refresh(self) -> None:
        try:
            response = self.fetch(self.url)
            response.raise_for_status()
            certs = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            if self._certs:  # keep verifying with what we had; try again on the next call
                return
            raise Unauthenticated("the sign-in certificates could not be fetched") from exc
        match = MAX_AGE.search(response.headers.get("Cache-Control", ""))
        self._certs = {str(k): str(v) for k, v in certs.items()}
        self._expires = self.clock() + (float(match.group(1)) if match else DEFAULT_CERTS_TTL_S)


@dataclass
class IdTokenVerifier:
    audience: str  # the Firebase / Identity Platform project id: always checked
    certificates: CertificateCache
    issuer_prefix: str  # the issuer is this followed by the audience
    clock_skew_s: int

    def verify(self, token: str) -> Identity:
        """The identity in a valid token; Unauthenticated for a bad signature, another audience or issuer,
        an expired token (beyond the skew allowance) or one without a subject."""
        try:
            header = jwt.decode_header(token)
        except (ValueError, google_exceptions.GoogleAuthError) as exc:
            raise Unauthenticated("malformed ID token") from exc
        if header.get("alg") != "RS256":
            raise Unauthenticated("ID tokens must be signed with RS256")
        certs = self.certificates.certificates(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token, certs=certs, audience=self.audience, clock_skew_in_seconds=self.clock_skew_s
            )
        except (ValueError, google_exceptions.GoogleAuthError) as exc:
            raise Unauthenticated(f"ID token refused: {exc}") from exc
        if claims.get("iss") != f"{self.issuer_prefix}{self.audience}":
            raise Unauthenticated("ID token from another issuer")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > 128:
            raise Unauthenticated("ID token without a subject")
        firebase = claims.get("firebase")
        tenant = firebase.get("tenant") if isinstance(firebase, dict) else None
        tenant = tenant if isinstance(tenant, str) else None
        email = claims.get("email") if isinstance(claims.get("email"), str) else None
        return Identity(subject, tenant, email)
