"""V4 signed URLs where the credentials hold no private key (Cloud Run, Cloud Functions).

The metadata server's credentials are a token only, so `generate_signed_url` cannot sign with them. The IAM
Credentials API's signBlob signs for the service account instead (the account needs Token Creator on itself),
and the storage library accepts any `Signing` credentials. Signatures cost an API call each, so a URL is
reused until shortly before it expires.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from google.auth import credentials as ga_credentials
from google.auth import crypt
from google.cloud import iam_credentials_v1


class IamSigner(ga_credentials.Signing, crypt.Signer):
    """Signs bytes as `service_account_email` through signBlob (the storage library's `credentials=`)."""

    def __init__(self, service_account_email: str, client: iam_credentials_v1.IAMCredentialsClient) -> None:
        self._email = service_account_email
        self._client = client

    @property
    def signer_email(self) -> str:
        return self._email

    @property
    def signer(self) -> crypt.Signer:
        return self

    @property
    def key_id(self) -> str | None:
        return None  # signBlob picks the account's current key

    def sign(self, message: str | bytes) -> bytes:
        return self.sign_bytes(message)

    def sign_bytes(self, message: str | bytes) -> bytes:
        payload = message.encode() if isinstance(message, str) else message
        response = self._client.sign_blob(
            name=f"projects/-/serviceAccounts/{self._email}", payload=payload, timeout=10
        )
        return bytes(response.signed_blob)


def default_signing_credentials(
    *, service_account_email: str | None = None, endpoint: str | None = None
) -> ga_credentials.Signing:
    """What signs URLs for this runtime: a key file's credentials sign themselves; the metadata server's token
    does not, so its service account signs through signBlob (the email is known once the token is refreshed)."""
    import google.auth
    from google.auth.transport.requests import Request

    creds, _project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    if isinstance(creds, ga_credentials.Signing) and service_account_email is None:
        return creds
    if service_account_email is None:
        creds.refresh(Request())  # a compute credential says "default" until refreshed
        service_account_email = getattr(creds, "service_account_email", None)
        if not service_account_email or service_account_email == "default":
            raise RuntimeError("the default credentials name no service account: set SIGNING_SERVICE_ACCOUNT")
    options = {"api_endpoint": endpoint} if endpoint else None
    client = iam_credentials_v1.IAMCredentialsClient(
        credentials=creds, client_options=options, transport="rest"
    )
    return IamSigner(service_account_email, client)


@dataclass
class UrlCache:
    """Signed URLs by object key, each reused until `renew_before_s` ahead of its expiry."""

    renew_before_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _urls: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str, expires_s: int, sign: Callable[[], str]) -> str:
        now = self.clock()
        with self._lock:
            cached = self._urls.get(key)
            if cached is not None and cached[1] - self.renew_before_s > now:
                return cached[0]
        url = sign()  # outside the lock: one slow signature must not hold up the others
        with self._lock:
            # Expired URLs go as new ones come, so a long-lived instance does not keep every lesson's links.
            self._urls = {k: v for k, v in self._urls.items() if v[1] > now}
            self._urls[key] = (url, now + expires_s)
        return url
