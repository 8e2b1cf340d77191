"""Object storage seen by the pipeline: a Protocol and what a stored object is."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredObject:
    uri: str
    bytes: int
    sha256: str
    content_type: str


class Storage(Protocol):
    def put(self, key: str, source: Path, content_type: str) -> StoredObject:
        """Store a file under `key`; readers see the whole object or none of it."""
        ...

    def exists(self, key: str) -> bool: ...

    def fetch(self, key: str, dest: Path) -> Path:
        """Copy the object to `dest` (a local path) and return it."""
        ...

    def url(self, key: str, *, expires_s: int = 3600) -> str:
        """Where a client can read the object: a signed URL in the cloud, a file path locally."""
        ...

    def key_of(self, uri: str) -> str:
        """The key of an object this storage holds, from the URI `put` gave it (ValueError: not one of ours)."""
        ...

    def uri_of(self, key: str) -> str:
        """The URI `put` gives the object at `key`."""
        ...


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
