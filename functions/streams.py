"""Server-Sent Events for anything with a timeline (a request, a workflow), and the short-lived tokens a
browser's EventSource opens them with. One way to stream: `id:` is the event's row id, so a reconnecting
EventSource (Last-Event-ID) resumes right after the last event it saw; `event: end` once the object is at rest
and every event is sent; `max_s` (tests, proxies) ends a stream earlier."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

import flask
import functions_framework
import structlog
from sqlalchemy.orm import Session

from functions.http import HttpError, Response, json_body, request_id_from
from functions.main import Call, _handle, resources
from shared.auth import stream_tokens
from shared.auth.pepper import pepper
from shared.auth.principal import Action, Principal
from shared.db import repository as repo
from shared.domain.status import AT_REST
from shared.errors import NotFound

STREAM_POLL_S = 1.0
STREAM_MAX_S = 3000.0  # under the function's 3600 s timeout: the browser's EventSource reconnects by itself

# (event id, event name, data) for the events after an id, and whether the object is at rest.
Poll = Callable[[int], tuple[list[tuple[int, str, dict[str, Any]]], str | None]]


@dataclass(frozen=True)
class Opened:
    after: int
    max_s: float


def token_answer(principal: Principal, function: str, field: str, object_id: uuid.UUID) -> dict[str, Any]:
    """A stream token for one object of the caller's organisation, and the URL that opens its stream."""
    res = resources()
    token, expires_at = stream_tokens.mint(
        pepper(res.settings), principal.organization_id, object_id.hex, now=time.time()
    )
    return {
        "stream_token": token,
        "expires_at": datetime.fromtimestamp(expires_at, UTC).isoformat(),
        "events_url": f"{res.settings.public_base_url}/{function}?"
        + urlencode({field: str(object_id), "stream_token": token}),
    }


def opened(request: flask.Request, principal: Principal, object_id: uuid.UUID) -> Opened:
    """Where a stream starts and how long it may last; 404 when a stream token names another object."""
    if principal.only not in (None, object_id.hex):
        raise NotFound(f"nothing with id {object_id}")  # the token is for another object
    last = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or "0"
    if not last.isdigit():
        raise HttpError(
            400,
            "malformed_last_event_id",
            "Last-Event-ID must be an event id",
            [{"field": "Last-Event-ID", "reason": "must be a non-negative integer"}],
        )
    try:
        max_s = min(float(request.args.get("max_s", STREAM_MAX_S)), STREAM_MAX_S)
    except ValueError as exc:
        raise HttpError(400, "malformed_max_s", "max_s must be a number of seconds") from exc
    return Opened(int(last), max_s)


def event_stream(poll: Poll, start: Opened) -> flask.Response:
    def lines(after: int) -> Iterator[str]:
        deadline = time.monotonic() + start.max_s
        yield "retry: 2000\n\n"
        while True:
            events, at_rest = poll(after)
            for event_id, name, data in events:
                after = event_id
                yield f"id: {event_id}\nevent: {name}\ndata: {json.dumps(data)}\n\n"
            if not events and at_rest:
                yield f"event: end\ndata: {json.dumps({'status': at_rest})}\n\n"
                return
            if time.monotonic() > deadline:
                return
            if not events:
                time.sleep(STREAM_POLL_S)

    return flask.Response(
        flask.stream_with_context(lines(start.after)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@functions_framework.http
def request_stream_token(request: flask.Request) -> Response:
    """A token for `request_events?stream_token=`, for a browser's EventSource (it cannot send headers)."""

    def action(call: Call) -> tuple[dict[str, Any], int]:
        if request.method != "POST":
            raise HttpError(405, "method_not_allowed", "use POST")
        request_id = request_id_from(
            request, json_body(request, max_bytes=resources().settings.max_body_bytes)
        )
        with resources().sessions() as session:  # 404 for an unknown request and another organisation's alike
            repo.get_request(session, request_id, organization_id=call.principal.organization_id)
        return token_answer(call.principal, "request_events", "request_id", request_id), 200

    return _handle(request, Action.READ, action)


def serve_events(
    request: flask.Request,
    object_id: Callable[[], uuid.UUID],
    load: Callable[[Session, uuid.UUID, str], object],
    poll: Callable[[uuid.UUID, int], tuple[list[tuple[int, str, dict[str, Any]]], str | None]],
) -> Any:
    """One object's event stream: the caller (a key, or a stream token for this very object) is checked and
    an unknown or another organisation's object is a 404 before the stream starts (`load` raises NotFound);
    then `poll(id, after)` feeds it."""
    found: dict[str, Any] = {}

    def check(call: Call) -> tuple[dict[str, Any], int]:
        wanted = object_id()
        found["start"] = opened(request, call.principal, wanted)
        with resources().sessions() as session:
            load(session, wanted, call.principal.organization_id)
        found["id"] = wanted
        return {}, 200

    refused = _handle(request, Action.READ, check, streams=True)
    if refused[1] != 200:
        return refused
    return event_stream(partial(poll, found["id"]), found["start"])


def _request_id(request: flask.Request) -> uuid.UUID:
    request_id = request_id_from(request)
    structlog.contextvars.bind_contextvars(request_id=str(request_id))
    return request_id


def _request_events_after(
    request_id: uuid.UUID, after: int
) -> tuple[list[tuple[int, str, dict[str, Any]]], str | None]:
    with resources().sessions() as session:
        events = repo.events_after(session, request_id, after)
        status = repo.get_request(session, request_id).status
    data = [
        (
            e.id,
            "status",
            {
                "status": e.to_status,
                "progress": e.progress,
                "message": e.message,
                "at": e.created_at.isoformat(),
            },
        )
        for e in events
    ]
    return data, status if status in {s.value for s in AT_REST} else None


@functions_framework.http
def request_events(request: flask.Request) -> Any:
    """A request's statuses as Server-Sent Events (`event: status`), until it is at rest."""
    return serve_events(
        request,
        partial(_request_id, request),
        lambda session, request_id, organization_id: repo.get_request(
            session, request_id, organization_id=organization_id
        ),
        _request_events_after,
    )
