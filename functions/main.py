"""HTTP Cloud Functions (functions-framework): thin entry points that validate, call shared, map errors.

Deploy each function by its name as --entry-point; `functions.local_app` serves them all on one port.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import flask
import functions_framework
import structlog
from cloudevents.http import CloudEvent
from pydantic import ValidationError
from sqlalchemy import text

from functions.auth import principal_of
from functions.http import (
    HttpError,
    Response,
    correlation_id_of,
    error_response,
    json_body,
    request_id_from,
    trace_of,
)
from shared import bootstrap, metrics
from shared.auth.principal import Action, Principal, Unauthenticated
from shared.config import Settings, get_settings
from shared.db import repository as repo
from shared.db.outage import is_database_down
from shared.domain.language import describe, language_errors
from shared.domain.schemas import ClarificationAnswer, ContentRequestCreate, field_errors, validate_webhook
from shared.domain.status import Status
from shared.errors import QuotaExceeded, TransientError, VividlyError
from shared.lifecycle import Lifecycle, StillWorkedOn
from shared.logs import configure_logging, get_logger
from shared.messages import RequestMessage
from shared.views import request_view

log = get_logger("functions")
RETRY_AFTER_S = 5


_installed: bootstrap.Resources | None = None
_installing = threading.Lock()


def _build(settings: Settings) -> bootstrap.Resources:
    configure_logging(settings=settings)
    return bootstrap.build(settings)


def configure(settings: Settings) -> bootstrap.Resources:
    """Build this process's resources from `settings` and use them for every request: the composition
    root for `vividly dev` and the tests. A deployed function calls nothing: its first request builds them
    from the environment."""
    global _installed
    with _installing:
        if _installed is not None:
            _installed.close()
        _installed = _build(settings)
        return _installed


def reset() -> None:
    """Close this process's resources; the next request builds them again."""
    global _installed
    with _installing:
        if _installed is not None:
            _installed.close()
        _installed = None


def resources() -> bootstrap.Resources:
    global _installed
    with _installing:  # two first requests at once build one set
        if _installed is None:
            _installed = _build(get_settings())
        return _installed


def lifecycle() -> Lifecycle:
    res = resources()
    return Lifecycle(res.sessions, res.publisher)


@dataclass(frozen=True)
class Call:
    """What every function's action gets: the ids for logs and who is calling."""

    correlation_id: str
    principal: Principal


def _handle(
    request: flask.Request,
    may: Action,
    action: Callable[[Call], tuple[dict[str, Any], int]],
    *,
    streams: bool = False,
) -> Response:
    """Authenticate the caller, check their role may do `may`, then run `action`, binding ids for logs and
    mapping domain errors to HTTP."""
    correlation_id = correlation_id_of(request)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id, trace=trace_of(request))
    try:
        principal = principal_of(request, resources(), streams=streams)
        structlog.contextvars.bind_contextvars(
            organization_id=principal.organization_id, caller=principal.user_id
        )
        principal.require(may)
        body, status = action(Call(correlation_id, principal))
        return body, status, {"X-Correlation-ID": correlation_id}
    except VividlyError as exc:  # one mapping: each error class declares its HTTP status and code
        refusal = HttpError.of(exc)
        if isinstance(exc, TransientError):
            log.warning("unavailable; nothing stored", error=exc.code, detail=str(exc))
        else:
            log.info("request refused", status=refusal.status, error=refusal.error, fields=refusal.fields)
        body, status, headers = error_response(refusal, correlation_id)
        if isinstance(exc, QuotaExceeded):
            headers["Retry-After"] = str(exc.retry_after_s)
        if isinstance(exc, Unauthenticated):
            headers["WWW-Authenticate"] = 'Bearer realm="vividly"'
        return body, status, headers
    except Exception as exc:
        if is_database_down(exc):
            # The database is restarting or failing over: the transaction rolled back, nothing was published.
            log.warning("database unreachable", error=type(exc).__name__)
            body, status, headers = error_response(
                HttpError(503, "database_unavailable", "the database is unreachable; try again shortly"),
                correlation_id,
            )
            return body, status, {**headers, "Retry-After": str(RETRY_AFTER_S)}
        # Whatever escapes is one JSON log entry with its traceback (SQL parameters are hidden by the
        # engine) and a JSON answer, never Flask's HTML page.
        log.exception("unhandled error")
        return error_response(HttpError(500, "internal", "something went wrong on our side"), correlation_id)


def _view(request_id: Any, principal: Principal) -> dict[str, Any]:
    res = resources()
    with res.sessions() as session:
        found = repo.get_request(session, request_id, organization_id=principal.organization_id, full=True)
        return request_view(found, url_for=lambda uri: _public_url(res, uri))


def _public_url(res: bootstrap.Resources, uri: str) -> str:
    if uri.startswith("gs://"):
        key = uri.split("/", 3)[3]
        return res.content_storage.url(key)
    return uri


def own_organization(body: dict[str, Any], principal: Principal) -> str:
    """The caller's organisation: the credential decides it, a body may only repeat it."""
    given = body.get("organization_id")
    if given not in (None, principal.organization_id):
        raise HttpError(
            403,
            "forbidden",
            "your credential acts for another organisation",
            [{"field": "organization_id", "reason": "must be your credential's organisation, or left out"}],
        )
    return principal.organization_id


@functions_framework.http
def submit_content_request(request: flask.Request) -> Response:
    settings = resources().settings

    def action(call: Call) -> tuple[dict[str, Any], int]:
        if request.method != "POST":
            raise HttpError(405, "method_not_allowed", "use POST")
        body = json_body(request, max_bytes=settings.max_body_bytes)
        header_key = request.headers.get("Idempotency-Key")
        if header_key:
            if body.get("idempotency_key") not in (None, header_key):
                raise HttpError(
                    422,
                    "validation_failed",
                    "Idempotency-Key header and field differ",
                    [{"field": "idempotency_key", "reason": "differs from the Idempotency-Key header"}],
                )
            body["idempotency_key"] = header_key
        try:
            parsed = ContentRequestCreate.model_validate(body)
        except ValidationError as exc:
            raise HttpError(
                422, "validation_failed", "the request has invalid fields", field_errors(exc.errors())
            ) from exc
        parsed.organization_id = own_organization(body, call.principal)
        webhook_errors = validate_webhook(parsed, allow_loopback=settings.allow_loopback_webhooks)
        if webhook_errors:
            raise HttpError(422, "validation_failed", "the request has invalid fields", webhook_errors)
        unteachable = language_errors(
            parsed.student_query, parsed.language, teach_languages=settings.teach_languages
        )
        if unteachable:
            raise HttpError(
                422,
                "unsupported_language",
                f"lessons here are taught in {describe(settings.teach_languages)}",
                unteachable,
            )
        created_request, created = lifecycle().submit(
            parsed, correlation_id=call.correlation_id, trace=trace_of(request)
        )
        structlog.contextvars.bind_contextvars(request_id=str(created_request.id))
        log.info("request accepted" if created else "idempotent replay", created=created)
        return {
            "request_id": str(created_request.id),
            "status": created_request.status,
            "status_url": f"{settings.public_base_url}/get_request_status?request_id={created_request.id}",
            "created": created,
        }, (202 if created else 200)

    return _handle(request, Action.SUBMIT, action)


@functions_framework.http
def get_request_status(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        request_id = request_id_from(request)
        structlog.contextvars.bind_contextvars(request_id=str(request_id))
        return _view(request_id, call.principal), 200

    return _handle(request, Action.READ, action)


MAX_PAGE = 100


def _cursor(text: str) -> tuple[datetime, uuid.UUID]:
    try:
        created, last_id = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().split("|")
        return datetime.fromisoformat(created), uuid.UUID(hex=last_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(
            400,
            "malformed_cursor",
            "cursor is not one this API gave",
            [{"field": "cursor", "reason": "unknown"}],
        ) from exc


@functions_framework.http
def list_requests(request: flask.Request) -> Response:
    """The organisation's requests, newest first: `?q=` (words in the question, any case), `?status=`,
    `?limit=` (1-100, default 20), `?cursor=` (the `next_cursor` of the page before)."""

    def action(call: Call) -> tuple[dict[str, Any], int]:
        args = request.args
        errors = []
        limit_text = args.get("limit", "20")
        limit = int(limit_text) if limit_text.isdigit() else 0
        if not 1 <= limit <= MAX_PAGE:
            errors.append({"field": "limit", "reason": f"must be an integer 1-{MAX_PAGE}"})
        text = args.get("q", "")
        if len(text) > 200 or not text.isprintable():
            errors.append({"field": "q", "reason": "must be at most 200 printable characters"})
        status = args.get("status")
        if status is not None and status not in {s.value for s in Status}:
            errors.append({"field": "status", "reason": "must be a request status"})
        if errors:
            raise HttpError(422, "validation_failed", "invalid query", errors)
        before = _cursor(args["cursor"]) if args.get("cursor") else None
        with resources().sessions() as session:
            rows = repo.list_requests(
                session,
                call.principal.organization_id,
                limit=limit + 1,  # one more says whether there is a next page
                before=before,
                text=text or None,
                status=Status(status) if status else None,
            )
            page = [
                {
                    "request_id": str(row.id),
                    "query": row.query,
                    "status": row.status,
                    "progress": row.progress,
                    "grade_level": row.grade_level,
                    "duration_minutes": row.duration_minutes,
                    "created_at": row.created_at.isoformat(),
                    "completed_at": row.completed_at.isoformat() if row.completed_at else None,
                }
                for row in rows[:limit]
            ]
            last = rows[limit - 1] if len(rows) > limit else None
            next_cursor = (
                base64.urlsafe_b64encode(f"{last.created_at.isoformat()}|{last.id.hex}".encode())
                .decode()
                .rstrip("=")
                if last
                else None
            )
        return {"requests": page, "next_cursor": next_cursor}, 200

    return _handle(request, Action.READ, action)


def _post_with_id(request: flask.Request) -> tuple[dict[str, Any], Any]:
    if request.method != "POST":
        raise HttpError(405, "method_not_allowed", "use POST")
    body = json_body(request, max_bytes=resources().settings.max_body_bytes)
    request_id = request_id_from(request, body)
    structlog.contextvars.bind_contextvars(request_id=str(request_id))
    return body, request_id


@functions_framework.http
def answer_clarification(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        body, request_id = _post_with_id(request)
        body.pop("request_id", None)
        try:
            answer = ClarificationAnswer.model_validate(body)
        except ValidationError as exc:
            raise HttpError(422, "validation_failed", "invalid answers", field_errors(exc.errors())) from exc
        lifecycle().answer_clarification(
            request_id,
            answer.answers,
            answer.student_query,
            organization_id=call.principal.organization_id,
            trace=trace_of(request),
        )
        return _view(request_id, call.principal), 202

    return _handle(request, Action.CHANGE, action)


@functions_framework.http
def cancel_request(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        _body, request_id = _post_with_id(request)
        lifecycle().cancel(request_id, organization_id=call.principal.organization_id)
        return _view(request_id, call.principal), 200

    return _handle(request, Action.CHANGE, action)


@functions_framework.http
def retry_request(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        _body, request_id = _post_with_id(request)
        lifecycle().retry(request_id, organization_id=call.principal.organization_id, trace=trace_of(request))
        return _view(request_id, call.principal), 202

    return _handle(request, Action.CHANGE, action)


@functions_framework.http
def health(request: flask.Request) -> Response:
    res = resources()
    checks: dict[str, str] = {}
    try:
        with res.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        res.publisher.check()  # type: ignore[attr-defined]
        checks["publisher"] = "ok"
    except Exception as exc:
        checks["publisher"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return {"status": "ok" if healthy else "degraded", "checks": checks}, (200 if healthy else 503), {}


@functions_framework.cloud_event
def handle_dead_letter(cloud_event: CloudEvent) -> None:
    """Pub/Sub-triggered on the dead-letter topic: mark the request failed (idempotent), unless a live
    worker still holds it."""
    resources()
    message = (cloud_event.data or {}).get("message", {})
    attributes: dict[str, str] = message.get("attributes") or {}
    data = base64.b64decode(message.get("data") or b"")
    try:
        decoded = RequestMessage.decode(data, attributes)
    except ValueError as exc:
        # Nothing to mark; acking (returning) keeps an unreadable message from looping forever.
        log.error("unreadable dead letter dropped", error=str(exc), attributes=json.dumps(attributes))
        return
    structlog.contextvars.bind_contextvars(
        request_id=str(decoded.request_id), correlation_id=decoded.correlation_id
    )
    count = attributes.get("CloudPubSubDeadLetterSourceDeliveryCount")
    try:
        updated = lifecycle().mark_dead_lettered(
            decoded.request_id, int(count) if count and count.isdigit() else None
        )
    except StillWorkedOn:
        # Raising makes the trigger (retry policy on) deliver the dead letter again, with backoff.
        log.info("dead letter for a request a live worker holds; asking for it again later")
        raise
    metrics.DEAD_LETTERS.inc()
    log.warning("request dead-lettered", status=updated.status if updated else "unknown request")
