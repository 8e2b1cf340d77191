"""Export a finished lesson: its MP4 as it is, an embed snippet, or a SCORM 1.2 package built from the published
files and published beside them (kept as the request's `export_scorm12` artifact). Scoped to the caller's
organisation like every read; a lesson that is not completed cannot be exported (409)."""

from __future__ import annotations

import html
import json
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from shared.db import repository as repo
from shared.db.models import ContentRequest
from shared.domain.status import Status
from shared.errors import Conflict, PermanentError
from shared.export.package import check_scorm12, write_scorm12
from shared.export.scorm12 import LessonPage
from shared.storage.base import Storage, StoredObject, file_sha256

Format = Literal["scorm12", "mp4", "embed"]
FORMATS: tuple[Format, ...] = ("scorm12", "mp4", "embed")
SCORM_KIND = "export_scorm12"
SCORM_NAME = "lesson-scorm12.zip"
# What the package is made of: artifact kind -> the file name inside it.
PACKAGED = {"video": "lesson.mp4", "captions_vtt": "captions.vtt", "thumbnail": "thumbnail.jpg"}


class NotReady(Conflict):
    code = "not_exportable"


@dataclass(frozen=True)
class Export:
    format: Format
    key: str | None  # where the file is in content storage (None for the embed snippet)
    filename: str
    bytes: int
    snippet: str | None = None  # the embed snippet's HTML


def _completed(
    sessions: sessionmaker[Session], request_id: uuid.UUID, organization_id: str | None
) -> dict[str, tuple[str, int, str]]:
    """The lesson's published files (kind -> (URI, bytes, SHA-256)), once it is completed."""
    with sessions() as session:
        request = repo.get_request(session, request_id, organization_id=organization_id, full=True)
        check_ready(request)
        return {a.kind: (a.uri, a.bytes, a.sha256) for a in request.artifacts}


def check_ready(request: ContentRequest) -> None:
    if request.status != Status.COMPLETED.value:
        raise NotReady(f"the lesson is {request.status}: it can be exported once it is completed")


def export_lesson(
    sessions: sessionmaker[Session],
    storage: Storage,
    request_id: uuid.UUID,
    format: Format,
    *,
    organization_id: str | None,
    workdir: Path,
    video_url: str | None = None,
) -> Export:
    """`video_url` is where an embed snippet points (a signed URL in the cloud); the MP4's own by default."""
    files = _completed(sessions, request_id, organization_id)
    video_key = storage.key_of(files["video"][0])
    if format == "mp4":
        return Export("mp4", video_key, "lesson.mp4", files["video"][1])
    script_key = storage.key_of(files["script"][0])
    if format == "embed":
        with tempfile.TemporaryDirectory(dir=_dir(workdir)) as tmp:
            script = json.loads(storage.fetch(script_key, Path(tmp) / "script.json").read_text())
        title = html.escape(str(script.get("title") or "Lesson"))
        src = html.escape(video_url or storage.url(video_key))
        snippet = (
            f'<video controls preload="metadata" width="1280" style="max-width:100%;height:auto" '
            f'aria-label="{title}" src="{src}"></video>'
        )
        return Export("embed", None, "embed.html", len(snippet.encode()), snippet)
    with tempfile.TemporaryDirectory(dir=_dir(workdir)) as tmp:
        folder = Path(tmp)
        fetched = {
            name: storage.fetch(storage.key_of(files[kind][0]), folder / name)
            for kind, name in PACKAGED.items()
        }
        script = json.loads(storage.fetch(script_key, folder / "script.json").read_text())
        package = write_scorm12(LessonPage.from_script(request_id.hex, script), fetched, folder / SCORM_NAME)
        problems = check_scorm12(package)
        if problems:  # our own package failing our own checks is a bug, not the caller's fault
            raise PermanentError(
                f"the SCORM package is invalid: {'; '.join(problems)}", code="invalid_package"
            )
        # The zip is deterministic, so its digest names it: a second export of the same lesson finds the
        # first, and nothing is ever overwritten (which GCS's objectCreator role could not do anyway).
        key = str(
            PurePosixPath(video_key).parent / "export" / f"lesson-scorm12-{file_sha256(package)[:16]}.zip"
        )
        stored = (
            StoredObject(storage.uri_of(key), package.stat().st_size, file_sha256(package), "application/zip")
            if storage.exists(key)
            else storage.put(key, package, "application/zip")
        )
    with sessions() as session:  # listed with the lesson's files; the same key again on a second export
        repo.record_artifact(session, request_id, SCORM_KIND, stored)
        session.commit()
    return Export("scorm12", key, SCORM_NAME, stored.bytes)


def _dir(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir
