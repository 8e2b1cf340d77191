"""What can happen to a request from outside the worker: submit, answer, cancel, retry, dead-letter.

Each change that must be followed by a message (submit, answer, retry) uses publish-before-commit:
the state change is written and flushed inside a transaction, the message is published and
confirmed, and only then the transaction commits. If publishing fails the transaction rolls back,
so no request is ever left pending without a message. If the commit itself fails after publishing,
the message names a request (or attempt) that does not exist; the worker waits out a short grace
period in case the commit is merely not visible yet, then drops it. See README "Why no outbox table".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.db import repository as repo
from shared.db.models import ContentRequest, RequestEvent, utcnow
from shared.domain.schemas import ContentRequestCreate
from shared.domain.status import AT_REST, MESSAGES, PROGRESS, TERMINAL, Status
from shared.errors import Conflict, NotFound, TransientError
from shared.messages import RequestMessage
from shared.messaging.publisher import Publisher
from shared.messaging.topics import REQUESTS_TOPIC


def new_request(
    session: Session,
    body: ContentRequestCreate,
    *,
    correlation_id: str,
    workflow_id: uuid.UUID | None = None,
) -> ContentRequest:
    """A pending request and its first event, added to the session (the caller flushes and commits)."""
    now = utcnow()
    request = ContentRequest(
        id=uuid.uuid4(),
        organization_id=body.organization_id,
        student_id=body.student_id,
        correlation_id=correlation_id,
        idempotency_key=body.idempotency_key,
        query=body.student_query,
        grade_level=body.grade_level,
        duration_minutes=body.duration_minutes,
        language=body.language,
        options=body.options.model_dump(),
        webhook_url=body.webhook_url,
        status=Status.PENDING.value,
        progress=PROGRESS[Status.PENDING],
        stage_message=MESSAGES[Status.PENDING],
        attempts=1,
        workflow_id=workflow_id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.add(
        RequestEvent(
            request_id=request.id,
            attempt=1,
            from_status=None,
            to_status=Status.PENDING.value,
            progress=0,
            message=MESSAGES[Status.PENDING],
            created_at=now,
        )
    )
    return request


def publish_request(publisher: Publisher, request: ContentRequest, trace: str | None = None) -> str:
    """The work message for a request's current attempt."""
    data, attributes = RequestMessage(request.id, request.attempts, request.correlation_id, trace).encode()
    return publisher.publish(REQUESTS_TOPIC, data, attributes)


class StillWorkedOn(TransientError):
    code = "still_worked_on"


@dataclass
class Lifecycle:
    """`organization_id` scopes a caller's change to its own organisation's requests (another's is NotFound);
    None is the operator or the system acting on a request it was handed (a worker, the dead-letter handler)."""

    sessions: sessionmaker[Session]
    publisher: Publisher
    actor: repo.Actor = field(default_factory=repo.Actor)

    def submit(
        self, body: ContentRequestCreate, *, correlation_id: str, trace: str | None = None
    ) -> tuple[ContentRequest, bool]:
        """Record and enqueue a request; (request, created). A repeated idempotency key returns the first."""
        with self.sessions() as session:
            if body.idempotency_key:
                existing = repo.find_by_idempotency_key(session, body.organization_id, body.idempotency_key)
                if existing is not None:
                    return existing, False
            request = new_request(session, body, correlation_id=correlation_id)
            try:
                session.flush()
            except IntegrityError:
                # Same idempotency key submitted concurrently: the other one won.
                session.rollback()
                assert body.idempotency_key is not None
                winner = repo.find_by_idempotency_key(session, body.organization_id, body.idempotency_key)
                if winner is None:
                    raise
                return winner, False
            publish_request(
                self.publisher, request, trace
            )  # PublishFailed propagates; the with-block rolls back
            session.commit()
            return request, True

    def _requeue(
        self,
        request_id: uuid.UUID,
        organization_id: str | None,
        allowed_from: set[Status],
        fields: dict[str, Any],
        trace: str | None,
    ) -> ContentRequest:
        with self.sessions() as session:
            current = repo.get_request(session, request_id, organization_id=organization_id)
            status = Status(current.status)
            if status not in allowed_from:
                raise Conflict(f"request is {status}; this needs one of {', '.join(sorted(allowed_from))}")
            repo.delete_checkpoints(session, request_id)
            request = repo.transition(
                session, request_id, status, Status.PENDING, actor=self.actor, fields=fields
            )
            publish_request(self.publisher, request, trace)
            session.commit()
            return request

    def answer_clarification(
        self,
        request_id: uuid.UUID,
        answers: list[str],
        student_query: str | None = None,
        *,
        organization_id: str | None,
        trace: str | None = None,
    ) -> ContentRequest:
        fields: dict[str, Any] = {"clarification_answers": answers}
        if student_query:  # a rephrased question replaces the original; otherwise it stands
            fields["query"] = student_query
        return self._requeue(request_id, organization_id, {Status.CLARIFICATION_NEEDED}, fields, trace)

    def retry(
        self, request_id: uuid.UUID, *, organization_id: str | None, trace: str | None = None
    ) -> ContentRequest:
        return self._requeue(request_id, organization_id, {Status.FAILED, Status.CANCELLED}, {}, trace)

    def cancel(self, request_id: uuid.UUID, *, organization_id: str | None) -> ContentRequest:
        with self.sessions() as session:
            current = repo.get_request(session, request_id, organization_id=organization_id)
            status = Status(current.status)
            if status in TERMINAL:
                raise Conflict(f"request is already {status}")
            request = repo.transition(session, request_id, status, Status.CANCELLED, actor=self.actor)
            session.commit()
            return request

    def mark_dead_lettered(self, request_id: uuid.UUID, delivery_count: int | None) -> ContentRequest | None:
        """Fail a request whose message exhausted its deliveries; a no-op if it is already at rest.

        A request that a live worker still holds is making progress (its message may be a duplicate,
        or the copy whose deadline lapsed): StillWorkedOn asks the trigger to deliver the dead letter
        again later, when the request has come to rest or its lease has lapsed.
        """
        with self.sessions() as session:
            if repo.holds_live_claim(session, request_id):
                raise StillWorkedOn(f"request {request_id} is held by a live worker")
        reason = "message dead-lettered"
        if delivery_count:
            reason += f" after {delivery_count} delivery attempts"
        return self.fail_unfinished(request_id, "dead_lettered", reason)

    def fail_unfinished(self, request_id: uuid.UUID, code: str, reason: str) -> ContentRequest | None:
        """Fail a request that nothing will carry on (its deliveries ran out, the CLI that ran it stops);
        a no-op if it is already at rest."""
        for _ in range(5):  # lose a compare-and-set race to a worker: read again and retry
            with self.sessions() as session:
                try:
                    current = repo.get_request(session, request_id)
                except NotFound:
                    return None
                status = Status(current.status)
                if status in AT_REST:
                    return current
                try:
                    request = repo.transition(
                        session,
                        request_id,
                        status,
                        Status.FAILED,
                        actor=self.actor,
                        message=f"Generation failed: {reason}",
                        fields={"error_code": code, "error_message": reason},
                    )
                except Conflict:
                    session.rollback()
                    continue
                session.commit()
                return request
        raise Conflict(f"request {request_id} kept changing; failure not applied")
