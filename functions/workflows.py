"""HTTP functions for learning paths: submit an assessment, read the workflow, follow its timeline (SSE),
retry failed items, regenerate one, cancel. Thin: parse, call shared/, answer through the one error table."""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Any

import flask
import functions_framework
import structlog

from functions.http import HttpError, Response, id_from, json_body
from functions.main import Call, _handle, _public_url, resources
from functions.streams import serve_events, token_answer
from shared.auth.principal import Action, Principal
from shared.db import repository as repo
from shared.db import workflows as store
from shared.db.models import Workflow
from shared.paths.assessment import AssessmentInvalid, from_csv, from_dict
from shared.paths.report import publish_gaps
from shared.paths.workflow import start_path
from shared.views import request_view
from shared.workflows.engine import MAX_CONCURRENT_LIMIT, WorkflowEngine
from shared.workflows.rollup import WORKFLOW_AT_REST

MAX_ASSESSMENT_BYTES = 512 * 1024  # 500 questions with long texts


def engine() -> WorkflowEngine:
    res = resources()
    return WorkflowEngine(res.sessions, res.publisher)


def _options(values: dict[str, Any]) -> tuple[int, int]:
    errors = []
    max_concurrent, minutes = values.get("max_concurrent", 2), values.get("lesson_minutes", 2)
    if (
        not isinstance(max_concurrent, int)
        or isinstance(max_concurrent, bool)
        or not 1 <= max_concurrent <= MAX_CONCURRENT_LIMIT
    ):
        errors.append({"field": "max_concurrent", "reason": f"must be an integer 1-{MAX_CONCURRENT_LIMIT}"})
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 10:
        errors.append({"field": "lesson_minutes", "reason": "must be an integer 1-10"})
    if errors:
        raise HttpError(422, "validation_failed", "invalid options", errors)
    return max_concurrent, minutes


def _assessment_body(request: flask.Request) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(assessment, what is stored as input, options) from a JSON body or a CSV one (options in the query)."""
    if request.content_length is not None and request.content_length > MAX_ASSESSMENT_BYTES:
        raise HttpError(413, "payload_too_large", f"body is over {MAX_ASSESSMENT_BYTES} bytes")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_ASSESSMENT_BYTES:
        raise HttpError(413, "payload_too_large", f"body is over {MAX_ASSESSMENT_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, "malformed_body", "body is not UTF-8") from exc
    try:
        if request.mimetype == "text/csv":
            query = {k: int(v) if v.isdigit() else v for k, v in request.args.items()}
            return from_csv(text), {"format": "csv", "csv": text}, query
        if request.mimetype != "application/json":
            raise HttpError(
                415, "unsupported_media_type", "send the assessment as application/json or text/csv"
            )
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise HttpError(400, "malformed_json", f"body is not valid JSON: {exc}") from exc
        options = data.pop("options", {}) if isinstance(data, dict) else {}
        if not isinstance(options, dict):
            raise HttpError(
                422,
                "validation_failed",
                "invalid options",
                [{"field": "options", "reason": "must be an object"}],
            )
        return from_dict(data), data, options
    except AssessmentInvalid as exc:
        raise HttpError(422, "validation_failed", "the assessment has invalid fields", exc.fields) from exc


def workflow_view(workflow: Workflow, *, with_children: bool = True) -> dict[str, Any]:
    res = resources()
    result = workflow.result or {}
    items = []
    with res.sessions() as session:
        for item in workflow.items:
            entry: dict[str, Any] = {
                "position": item.position,
                "kind": item.kind,
                "title": item.payload.get("title"),
                "status": item.status,
                "progress": item.progress,
                "attempts": item.attempts,
                "error": item.error,
                "request_id": str(item.request_id) if item.request_id else None,
                "course": item.payload.get("course"),
            }
            if with_children and item.request_id:
                child = request_view(
                    repo.get_request(session, item.request_id, full=True),
                    url_for=lambda uri: _public_url(res, uri),
                )
                entry["artifacts"] = child["artifacts"]
                entry["warnings"] = child["warnings"]
            items.append(entry)
    return {
        "workflow_id": str(workflow.id),
        "kind": workflow.kind,
        "status": workflow.status,
        "progress": workflow.progress,
        "max_concurrent": workflow.max_concurrent,
        "gaps": result.get("gaps", []),
        "items": items,
        "timeline": [event_data(e) for e in workflow.events],
        "created_at": workflow.created_at.isoformat(),
        "completed_at": workflow.completed_at.isoformat() if workflow.completed_at else None,
    }


def event_data(event: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "position": event.position,
        "status": event.status,
        "progress": event.progress,
        "message": event.message,
        "at": event.created_at.isoformat(),
    }


def _read(workflow_id: uuid.UUID, principal: Principal) -> dict[str, Any]:
    with resources().sessions() as session:
        workflow = store.get_workflow(
            session, workflow_id, organization_id=principal.organization_id, full=True
        )
        return workflow_view(workflow)


def _workflow_id(request: flask.Request, body: dict[str, Any] | None = None) -> uuid.UUID:
    workflow_id = id_from(request, body, "workflow_id")
    structlog.contextvars.bind_contextvars(workflow_id=str(workflow_id))
    return workflow_id


def _post_body(request: flask.Request) -> dict[str, Any]:
    if request.method != "POST":
        raise HttpError(405, "method_not_allowed", "use POST")
    if not request.get_data(cache=True):
        return {}
    return json_body(request, max_bytes=resources().settings.max_body_bytes)


@functions_framework.http
def submit_assessment(request: flask.Request) -> Response:
    settings = resources().settings

    def action(call: Call) -> tuple[dict[str, Any], int]:
        if request.method != "POST":
            raise HttpError(405, "method_not_allowed", "use POST")
        assessment, stored, options = _assessment_body(request)
        max_concurrent, minutes = _options(options)
        workflow, created = start_path(
            engine(),
            assessment,
            stored,
            # An assessment file's own organization_id names the system that exported it: the path belongs
            # to the caller's organisation whatever the file says.
            organization_id=call.principal.organization_id,
            correlation_id=call.correlation_id,
            max_concurrent=max_concurrent,
            lesson_minutes=minutes,
            idempotency_key=request.headers.get("Idempotency-Key") or None,
        )
        if created:  # the diagnosis is in storage at once, before any course is made
            publish_gaps(resources().content_storage, workflow)
        base = settings.public_base_url
        return {
            "workflow_id": str(workflow.id),
            "status": workflow.status,
            "created": created,
            "status_url": f"{base}/get_workflow?workflow_id={workflow.id}",
            "events_url": f"{base}/workflow_events?workflow_id={workflow.id}",
        }, (202 if created else 200)

    return _handle(request, Action.SUBMIT, action)


@functions_framework.http
def get_workflow(request: flask.Request) -> Response:
    return _handle(request, Action.READ, lambda call: (_read(_workflow_id(request), call.principal), 200))


@functions_framework.http
def retry_workflow_items(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        workflow_id = _workflow_id(request, _post_body(request))
        engine().retry_failed(workflow_id, organization_id=call.principal.organization_id)
        return _read(workflow_id, call.principal), 202

    return _handle(request, Action.CHANGE, action)


@functions_framework.http
def regenerate_workflow_item(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        body = _post_body(request)
        workflow_id = _workflow_id(request, body)
        position = body.get("position", request.args.get("position"))
        if isinstance(position, str) and position.isdigit():
            position = int(position)
        if not isinstance(position, int) or isinstance(position, bool):
            raise HttpError(
                422,
                "validation_failed",
                "give the item's position",
                [{"field": "position", "reason": "must be an integer"}],
            )
        engine().regenerate(workflow_id, position, organization_id=call.principal.organization_id)
        return _read(workflow_id, call.principal), 202

    return _handle(request, Action.CHANGE, action)


@functions_framework.http
def cancel_workflow(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        workflow_id = _workflow_id(request, _post_body(request))
        engine().cancel(workflow_id, organization_id=call.principal.organization_id)
        return _read(workflow_id, call.principal), 200

    return _handle(request, Action.CHANGE, action)


@functions_framework.http
def workflow_stream_token(request: flask.Request) -> Response:
    """A token for `workflow_events?stream_token=`, for a browser's EventSource (it cannot send headers)."""

    def action(call: Call) -> tuple[dict[str, Any], int]:
        workflow_id = _workflow_id(request, _post_body(request))
        # 404 for an unknown workflow and another organisation's alike
        with resources().sessions() as session:
            store.get_workflow(session, workflow_id, organization_id=call.principal.organization_id)
        return token_answer(call.principal, "workflow_events", "workflow_id", workflow_id), 200

    return _handle(request, Action.READ, action)


def _workflow_events_after(
    workflow_id: uuid.UUID, after: int
) -> tuple[list[tuple[int, str, dict[str, Any]]], str | None]:
    with resources().sessions() as session:
        events = store.events_after(session, workflow_id, after)
        status = store.get_workflow(session, workflow_id).status
    data = [(e.id, "workflow" if e.position is None else "item", event_data(e)) for e in events]
    return data, status if status in WORKFLOW_AT_REST else None


@functions_framework.http
def workflow_events(request: flask.Request) -> Any:
    """The live timeline as Server-Sent Events (`event: workflow` or `item`), until the workflow is at rest."""
    return serve_events(
        request,
        partial(_workflow_id, request),
        lambda session, workflow_id, organization_id: store.get_workflow(
            session, workflow_id, organization_id=organization_id
        ),
        _workflow_events_after,
    )
