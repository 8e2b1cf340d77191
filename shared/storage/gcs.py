"""Google Cloud Storage (and the GCS emulator when STORAGE_EMULATOR_HOST is set)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import requests
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials, Signing
from google.cloud import storage  # type: ignore[attr-defined]

from shared.errors import TransientError
from shared.resilience import CLOUD_STORAGE, call_with_resilience
from shared.storage.base import StoredObject, file_sha256
from shared.storage.signing import UrlCache

T = TypeVar("T")


TRANSIENT = (
    gexc.TooManyRequests,
    gexc.ServiceUnavailable,
    gexc.InternalServerError,
    gexc.GatewayTimeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    gexc.RetryError,
)


def _guarded(call: Callable[[], T]) -> T:
    """The library's own retries are off (retry=None): ours retry transient errors behind the breaker."""

    def mapped() -> T:
        try:
            return call()
        except TRANSIENT as exc:
            raise TransientError(f"Cloud Storage unavailable: {exc.__class__.__name__}") from exc

    return call_with_resilience(CLOUD_STORAGE, mapped)


class GCSStorage:
    def __init__(
        self,
        bucket: str,
        *,
        project: str,
        prefix: str = "",
        client: storage.Client | None = None,
        signer: Callable[[], Signing] | None = None,
        emulator_host: str | None = None,
    ) -> None:
        """`signer` makes the credentials that sign URLs, on first use (the IAM signer in the cloud);
        `emulator_host` points the client at the GCS emulator (STORAGE_EMULATOR_HOST, through Settings)."""
        self.emulator_host = emulator_host
        if client is None:
            if emulator_host:
                client = storage.Client(
                    project=project,
                    credentials=AnonymousCredentials(),
                    client_options={"api_endpoint": emulator_host},
                )
            else:
                client = storage.Client(project=project)
        self.bucket = client.bucket(bucket)
        self.prefix = prefix
        self._make_signer = signer
        self._urls = UrlCache()

    def _blob(self, key: str) -> storage.Blob:
        return self.bucket.blob(f"{self.prefix}{key}")

    def uri_of(self, key: str) -> str:
        return f"gs://{self.bucket.name}/{self.prefix}{key}"

    def key_of(self, uri: str) -> str:
        start = self.uri_of("")
        if not uri.startswith(start):
            raise ValueError(f"{uri} is not in {start}")
        return uri[len(start) :]

    def put(self, key: str, source: Path, content_type: str) -> StoredObject:
        blob = self._blob(key)
        # An object upload is atomic: readers see the old object or the whole new one, never a part.
        _guarded(
            lambda: blob.upload_from_filename(str(source), content_type=content_type, timeout=300, retry=None)
        )
        return StoredObject(self.uri_of(key), source.stat().st_size, file_sha256(source), content_type)

    def exists(self, key: str) -> bool:
        return bool(_guarded(lambda: self._blob(key).exists(timeout=30, retry=None)))

    def fetch(self, key: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".part")
        _guarded(lambda: self._blob(key).download_to_filename(str(partial), timeout=300, retry=None))
        partial.replace(dest)
        return dest

    @cached_property
    def _signing_credentials(self) -> Signing | None:
        return self._make_signer() if self._make_signer else None

    def url(self, key: str, *, expires_s: int = 3600) -> str:
        emulator = self.emulator_host
        if emulator and self._make_signer is None:  # the emulator cannot sign; it serves objects openly
            name = quote(self._blob(key).name, safe="")
            return f"{emulator}/download/storage/v1/b/{self.bucket.name}/o/{name}?alt=media"

        def sign() -> str:
            return str(
                self._blob(key).generate_signed_url(
                    version="v4",
                    expiration=timedelta(seconds=expires_s),
                    method="GET",
                    credentials=self._signing_credentials,
                )
            )

        return self._urls.get(key, expires_s, sign)
