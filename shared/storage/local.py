"""Local-folder storage, the offline default: write to a temporary name, then rename into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from shared.storage.base import StoredObject, file_sha256


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"storage key escapes the root: {key}")
        return path

    def put(self, key: str, source: Path, content_type: str) -> StoredObject:
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        if source.resolve() != final:
            fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
            os.close(fd)
            try:
                shutil.copyfile(source, tmp)
                os.replace(tmp, final)  # atomic on one filesystem: never a partial file at `final`
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredObject(self.uri_of(key), final.stat().st_size, file_sha256(final), content_type)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def fetch(self, key: str, dest: Path) -> Path:
        source = self._path(key)
        if source != dest.resolve():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        return dest

    def url(self, key: str, *, expires_s: int = 3600) -> str:
        return str(self._path(key))

    def uri_of(self, key: str) -> str:
        return self._path(key).as_uri()

    def key_of(self, uri: str) -> str:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise ValueError(f"not a local file URI: {uri}")
        path = Path(url2pathname(parsed.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"{uri} is outside this storage")
        return path.relative_to(self.root).as_posix()
