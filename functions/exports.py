"""HTTP function to hand a finished lesson out: a SCORM 1.2 package, its MP4, or an embed snippet. Thin: parse,
call shared/export, answer through the one error table."""

from __future__ import annotations

from typing import Any, cast

import flask
import functions_framework
import structlog

from functions.http import HttpError, Response, json_body, request_id_from
from functions.main import Call, _handle, resources
from shared.auth.principal import Action
from shared.export.lesson_export import FORMATS, Format, export_lesson


@functions_framework.http
def export_lesson_file(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        res = resources()
        body = json_body(request, max_bytes=res.settings.max_body_bytes) if request.method == "POST" else {}
        request_id = request_id_from(request, body)
        structlog.contextvars.bind_contextvars(request_id=str(request_id))
        wanted = body.get("format", request.args.get("format", "scorm12"))
        if wanted not in FORMATS:
            raise HttpError(
                422,
                "validation_failed",
                "unknown export format",
                [{"field": "format", "reason": f"must be one of {', '.join(FORMATS)}"}],
            )
        made = export_lesson(
            res.sessions,
            res.content_storage,
            request_id,
            cast(Format, wanted),
            organization_id=call.principal.organization_id,
            workdir=res.settings.work_dir / "exports",
        )
        answer: dict[str, Any] = {
            "request_id": str(request_id),
            "format": made.format,
            "filename": made.filename,
        }
        if made.snippet is not None:
            answer["html"] = made.snippet
        else:
            assert made.key is not None
            answer |= {"bytes": made.bytes, "url": res.content_storage.url(made.key)}
        return answer, 200

    return _handle(request, Action.EXPORT, action)
