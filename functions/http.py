"""Small helpers shared by the HTTP functions: JSON bodies, error responses, ids."""

from __future__ import annotations

import json
import uuid
from typing import Any

import flask

from shared.domain.schemas import parse_request_id
from shared.errors import VividlyError

Response = tuple[dict[str, Any], int, dict[str, str]]


class HttpError(VividlyError):
    """A refusal decided at the HTTP edge (bad JSON, a wrong method, invalid fields), with its status."""

    code = "http_error"

    def __init__(
        self, status: int, error: str, message: str, fields: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.fields = status, error, message, fields

    @classmethod
    def of(cls, exc: VividlyError) -> HttpError:
        """A domain error as its HTTP answer: the status and code each error class declares."""
        if isinstance(exc, HttpError):
            return exc
        status, error, message = exc.http
        return cls(status, error, message)


def error_response(exc: HttpError, correlation_id: str) -> Response:
    body: dict[str, Any] = {"error": exc.error, "message": exc.message, "correlation_id": correlation_id}
    if exc.fields:
        body["fields"] = exc.fields
    return body, exc.status, {"X-Correlation-ID": correlation_id}


def correlation_id_of(request: flask.Request) -> str:
    given = request.headers.get("X-Correlation-ID", "")
    if given and len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return uuid.uuid4().hex


def trace_of(request: flask.Request) -> str | None:
    header = request.headers.get("X-Cloud-Trace-Context", "")
    return header.split("/", 1)[0] or None


def json_body(request: flask.Request, *, max_bytes: int) -> dict[str, Any]:
    """The request's JSON object, or HttpError 413/415/400/422 saying what is wrong."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise HttpError(413, "payload_too_large", f"body is over {max_bytes} bytes")
    if request.mimetype != "application/json":
        raise HttpError(415, "unsupported_media_type", "send the body as application/json")
    raw = request.get_data(cache=False)
    if len(raw) > max_bytes:
        raise HttpError(413, "payload_too_large", f"body is over {max_bytes} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, "malformed_json", f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:  # about 1,000 levels of [[[…]]] exhaust the parser's stack
        raise HttpError(400, "malformed_json", "body is nested too deeply") from exc
    if not isinstance(body, dict):
        raise HttpError(
            422,
            "validation_failed",
            "body must be a JSON object",
            [{"field": "body", "reason": "must be a JSON object"}],
        )
    return body


def request_id_from(request: flask.Request, body: dict[str, Any] | None = None) -> uuid.UUID:
    return id_from(request, body, "request_id")


def id_from(request: flask.Request, body: dict[str, Any] | None, name: str) -> uuid.UUID:
    """The id `name` from the JSON body, the query string or the last path segment (with or without
    hyphens, any case)."""
    text = (body or {}).get(name) or request.args.get(name) or request.path.rstrip("/").rsplit("/", 1)[-1]
    if not isinstance(text, str) or not text:
        raise HttpError(400, f"missing_{name}", f"give {name}", [{"field": name, "reason": "required"}])
    try:
        return parse_request_id(text)
    except ValueError as exc:
        reason = str(exc).replace("request_id", name)
        raise HttpError(400, f"malformed_{name}", reason, [{"field": name, "reason": reason}]) from exc
