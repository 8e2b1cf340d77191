"""HTTP functions a page needs beside the JSON API: who the caller is, and a finished lesson's files streamed
from content storage through the same authentication (a page fetches them with its key and plays them from
memory, so it needs no signed URL and no other origin)."""

from __future__ import annotations

import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import flask
import functions_framework
import structlog

from functions.http import HttpError, Response, request_id_from
from functions.main import Call, _handle, resources
from shared.auth.principal import ALLOWED, Action
from shared.db import repository as repo
from shared.errors import NotFound

# What a page may fetch of a lesson: the published files, not the checkpoints or the narration alone.
SERVED = {"video", "captions_vtt", "captions_srt", "script", "thumbnail", "deck", "outline", "export_scorm12"}


@functions_framework.http
def whoami(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        principal = call.principal
        return {
            "organization_id": principal.organization_id,
            "user_id": principal.user_id,
            "roles": sorted(principal.roles),
            "via": principal.via,
            "may": sorted(act.value for act in ALLOWED if principal.may(act)),
        }, 200

    return _handle(request, Action.READ, action)


@functions_framework.http
def lesson_file(request: flask.Request) -> Any:
    """GET ?request_id=&kind=video|captions_vtt|script|…: the file itself, with its content type."""
    found: dict[str, Any] = {}

    def check(call: Call) -> tuple[dict[str, Any], int]:
        request_id = request_id_from(request)
        structlog.contextvars.bind_contextvars(request_id=str(request_id))
        kind = request.args.get("kind", "video")
        if kind not in SERVED:
            raise HttpError(
                422,
                "validation_failed",
                "unknown file kind",
                [{"field": "kind", "reason": f"must be one of {', '.join(sorted(SERVED))}"}],
            )
        with resources().sessions() as session:
            repo.get_request(session, request_id, organization_id=call.principal.organization_id)  # 404
            artifact = repo.get_artifact(session, request_id, kind)
            if artifact is None:
                raise NotFound(f"request {request_id} has no {kind} yet")
            found.update(uri=artifact.uri, content_type=artifact.content_type, kind=kind)
        return {}, 200

    refused = _handle(request, Action.READ, check)
    if refused[1] != 200:
        return refused
    storage = resources().content_storage
    folder = Path(tempfile.mkdtemp(dir=_workdir()))
    path = storage.fetch(storage.key_of(found["uri"]), folder / "file")
    response = flask.send_file(path, mimetype=found["content_type"], conditional=True, max_age=0)
    response.call_on_close(partial(shutil.rmtree, folder, ignore_errors=True))
    return response


def _workdir() -> Path:
    folder = resources().settings.work_dir / "served"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
