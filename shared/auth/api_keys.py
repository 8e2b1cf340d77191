"""API keys as strings: `vvd_<key id>_<secret>`. The typed prefix lets secret scanners find a leaked key; the
key id finds its row without the secret; only an HMAC-SHA256 of the secret under a server-side pepper is kept.
Pure: no I/O."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "vvd"
KEY_ID_BYTES = 8
SECRET_BYTES = 24  # 192 bits, above the 128 asked for, and a whole number of base64 characters
FORMAT = re.compile(
    rf"^{PREFIX}_([0-9a-f]{{{KEY_ID_BYTES * 2}}})_([A-Za-z0-9_-]{{{SECRET_BYTES * 4 // 3}}})$"
)


@dataclass(frozen=True)
class NewKey:
    key_id: str
    secret: str

    @property
    def token(self) -> str:
        return f"{PREFIX}_{self.key_id}_{self.secret}"


def new_key() -> NewKey:
    return NewKey(secrets.token_hex(KEY_ID_BYTES), secrets.token_urlsafe(SECRET_BYTES))


def parse(token: str) -> NewKey | None:
    """The key id and secret of a well-formed key; None for anything else."""
    match = FORMAT.match(token)
    return NewKey(match.group(1), match.group(2)) if match else None


def secret_hmac(secret: str, pepper: bytes) -> str:
    return hmac.new(pepper, secret.encode(), hashlib.sha256).hexdigest()


def matches(secret: str, stored_hmac: str, pepper: bytes) -> bool:
    return hmac.compare_digest(secret_hmac(secret, pepper), stored_hmac)
