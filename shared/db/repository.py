"""Persistence of requests: every status change is one compare-and-set UPDATE plus its event row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from shared.db import workflows
from shared.db.engine import upsert
from shared.db.models import Artifact, ContentRequest, RequestEvent, utcnow
from shared.domain import cost
from shared.domain.status import (
    AT_REST,
    MESSAGES,
    TERMINAL,
    Status,
    check_transition,
    next_progress,
    starts_new_attempt,
)
from shared.errors import Conflict, NotFound
from shared.storage.base import StoredObject

CHECKPOINT_PREFIX = "checkpoint."


@dataclass(frozen=True)
class Actor:
    """Who makes a change: recorded on the event row."""

    worker_id: str | None = None
    delivery_attempt: int | None = None


def get_request(
    session: Session, request_id: uuid.UUID, *, organization_id: str | None = None, full: bool = False
) -> ContentRequest:
    """The request, only if it belongs to `organization_id` when one is given: another organisation's
    request is NotFound, exactly like one that does not exist."""
    query = select(ContentRequest).where(ContentRequest.id == request_id)
    if organization_id is not None:
        query = query.where(ContentRequest.organization_id == organization_id)
    if full:
        query = query.options(selectinload(ContentRequest.events), selectinload(ContentRequest.artifacts))
    request = session.scalars(query).one_or_none()
    if request is None:
        raise NotFound(f"no request {request_id}")
    return request


def list_requests(
    session: Session,
    organization_id: str,
    *,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None = None,
    text: str | None = None,
    status: Status | None = None,
) -> list[ContentRequest]:
    """An organisation's requests, newest first: at most `limit`, those after the (created_at, id) `before`
    (keyset paging: stable while new requests arrive), whose question contains `text` (any case), in
    `status`."""
    query = select(ContentRequest).where(ContentRequest.organization_id == organization_id)
    if before is not None:
        created, last_id = before
        query = query.where(
            or_(
                ContentRequest.created_at < created,
                and_(ContentRequest.created_at == created, ContentRequest.id < last_id),
            )
        )
    if text:
        query = query.where(func.lower(ContentRequest.query).contains(text.lower(), autoescape=True))
    if status is not None:
        query = query.where(ContentRequest.status == status.value)
    order = query.order_by(ContentRequest.created_at.desc(), ContentRequest.id.desc()).limit(limit)
    return list(session.scalars(order))


def events_after(
    session: Session, request_id: uuid.UUID, after_id: int, limit: int = 500
) -> list[RequestEvent]:
    """A request's timeline after the event `after_id`, oldest first (an event stream resumes from it)."""
    return list(
        session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id, RequestEvent.id > after_id)
            .order_by(RequestEvent.id)
            .limit(limit)
        )
    )


def find_by_idempotency_key(session: Session, organization_id: str, key: str) -> ContentRequest | None:
    return session.scalars(
        select(ContentRequest).where(
            ContentRequest.organization_id == organization_id, ContentRequest.idempotency_key == key
        )
    ).one_or_none()


def transition(
    session: Session,
    request_id: uuid.UUID,
    expected: Status,
    target: Status,
    *,
    actor: Actor = Actor(),
    message: str | None = None,
    progress: int | None = None,
    fields: dict[str, Any] | None = None,
    usage: dict[str, float] | None = None,
) -> ContentRequest:
    """Move a request from `expected` to `target` atomically, or raise Conflict if it was not `expected`.
    `usage` is added to the request's measured usage in the same UPDATE.

    The caller commits: the UPDATE, the event row and anything else in the session (an outbox row)
    land together or not at all.
    """
    check_transition(expected, target)
    current = get_request(session, request_id)
    if current.status != expected:
        raise Conflict(f"request {request_id} is {current.status}, not {expected}")
    new_attempt = starts_new_attempt(expected, target)
    attempt = current.attempts + 1 if new_attempt else current.attempts
    new_progress = (
        progress if progress is not None else next_progress(current.progress, target, new_attempt=new_attempt)
    )
    now = utcnow()
    values: dict[str, Any] = {
        "status": target.value,
        "progress": new_progress,
        "stage_message": message or MESSAGES[target],
        "attempts": attempt,
        "updated_at": now,
    }
    if target is Status.VALIDATING and current.started_at is None:
        values["started_at"] = now
    if target in TERMINAL:
        values["completed_at"] = now
    if target in AT_REST:  # nobody is working on a resting request: a requeue must not wait for a stale claim
        values["claimed_by"] = None
        values["claim_expires_at"] = None
    if new_attempt:  # the lesson is made again: what was said about the last one no longer holds
        values.update(
            error_code=None, error_message=None, completed_at=None, warnings=None, reading_grade=None
        )
    values.update(fields or {})
    if usage:
        values["usage"] = cost.merge(current.usage, usage)
    result = session.execute(
        update(ContentRequest)
        .where(
            ContentRequest.id == request_id,
            ContentRequest.status == expected.value,
            ContentRequest.attempts == current.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"request {request_id} changed under us (expected {expected})")
    session.add(
        RequestEvent(
            request_id=request_id,
            attempt=attempt,
            from_status=expected.value,
            to_status=target.value,
            progress=new_progress,
            message=values["stage_message"],
            worker_id=actor.worker_id,
            delivery_attempt=actor.delivery_attempt,
            created_at=now,
        )
    )
    session.flush()
    for key, value in values.items():  # what the UPDATE wrote, without reading the row back
        set_committed_value(current, key, value)
    if current.workflow_id is not None:  # the parent moves in the same transaction as its child
        workflows.child_moved(
            session, current, target, new_progress, values.get("error_message") or values["stage_message"]
        )
    return current


def set_progress(
    session: Session, request_id: uuid.UUID, status: Status, progress: int, message: str
) -> None:
    """Progress inside a stage: only while the request is still in that stage, and never backwards."""
    session.execute(
        update(ContentRequest)
        .where(
            ContentRequest.id == request_id,
            ContentRequest.status == status.value,
            ContentRequest.progress <= progress,
        )
        .values(progress=progress, stage_message=message, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def set_stage_message(session: Session, request_id: uuid.UUID, status: Status, message: str) -> None:
    session.execute(
        update(ContentRequest)
        .where(ContentRequest.id == request_id, ContentRequest.status == status.value)
        .values(stage_message=message, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def add_usage(session: Session, request_id: uuid.UUID, usage: dict[str, float]) -> None:
    """Add measured usage (read-modify-write under the request's claim, so one writer at a time)."""
    current = session.scalar(select(ContentRequest.usage).where(ContentRequest.id == request_id))
    session.execute(
        update(ContentRequest)
        .where(ContentRequest.id == request_id)
        .values(usage=cost.merge(current, usage))
        .execution_options(synchronize_session=False)
    )


def add_warnings(session: Session, request_id: uuid.UUID, warnings: list[str]) -> None:
    """Append user-facing warnings, each once: a stage rerun after a crash adds nothing new."""
    request = get_request(session, request_id)
    merged = list(dict.fromkeys([*(request.warnings or []), *warnings]))
    if merged != (request.warnings or []):
        request.warnings = merged  # a new list: SQLAlchemy does not see in-place changes to JSON
        session.flush()


def set_reading_grade(session: Session, request_id: uuid.UUID, grade: float) -> None:
    session.execute(
        update(ContentRequest)
        .where(ContentRequest.id == request_id)
        .values(reading_grade=grade)
        .execution_options(synchronize_session=False)
    )


def claim(session: Session, request_id: uuid.UUID, worker_id: str, ttl_s: int) -> bool:
    """Take (or renew) the right to run a request; False while another live worker holds it."""
    now = utcnow()
    result = session.execute(
        update(ContentRequest)
        .where(
            ContentRequest.id == request_id,
            or_(
                ContentRequest.claimed_by.is_(None),
                ContentRequest.claimed_by == worker_id,
                ContentRequest.claim_expires_at < now,
            ),
        )
        .values(claimed_by=worker_id, claim_expires_at=now + timedelta(seconds=ttl_s))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def renew(session: Session, request_id: uuid.UUID, worker_id: str, ttl_s: int) -> bool:
    """Extend a claim we still hold; never re-take one that was released (a late lease-keeper tick)."""
    result = session.execute(
        update(ContentRequest)
        .where(ContentRequest.id == request_id, ContentRequest.claimed_by == worker_id)
        .values(claim_expires_at=utcnow() + timedelta(seconds=ttl_s))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def holds_live_claim(session: Session, request_id: uuid.UUID) -> bool:
    """Some worker is working on the request now: its lease keeper keeps renewing the claim."""
    found = session.scalar(
        select(ContentRequest.id).where(
            ContentRequest.id == request_id,
            ContentRequest.claimed_by.is_not(None),
            ContentRequest.claim_expires_at > utcnow(),
        )
    )
    return found is not None


def release(session: Session, request_id: uuid.UUID, worker_id: str) -> None:
    session.execute(
        update(ContentRequest)
        .where(ContentRequest.id == request_id, ContentRequest.claimed_by == worker_id)
        .values(claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def get_artifact(session: Session, request_id: uuid.UUID, kind: str) -> Artifact | None:
    return session.scalars(
        select(Artifact).where(Artifact.request_id == request_id, Artifact.kind == kind)
    ).one_or_none()


def record_artifact(session: Session, request_id: uuid.UUID, kind: str, stored: StoredObject) -> None:
    """Insert or replace the artifact of `kind` (a rerun after a crash may rewrite it): one upsert, so two
    workers recording the same artifact cannot collide."""
    values = {
        "uri": stored.uri,
        "bytes": stored.bytes,
        "sha256": stored.sha256,
        "content_type": stored.content_type,
        "created_at": utcnow(),
    }
    statement = upsert(session, Artifact).values(request_id=request_id, kind=kind, **values)
    session.execute(
        statement.on_conflict_do_update(index_elements=[Artifact.request_id, Artifact.kind], set_=values)
    )


def delete_checkpoints(session: Session, request_id: uuid.UUID) -> None:
    """Forget stage checkpoints so a new attempt (say, after clarification) recomputes every stage."""
    session.execute(
        delete(Artifact).where(Artifact.request_id == request_id, Artifact.kind.startswith(CHECKPOINT_PREFIX))
    )
