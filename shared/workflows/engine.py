"""Workflows on the spine: a parent whose items are ordinary content requests.

The engine creates a workflow with its items queued and releases as many as `max_concurrent` allows: each
released item gets a child request (pending, linked to the workflow) whose message is published before the
transaction commits, as Lifecycle does for a single request. Children then run through the usual worker,
with every guarantee that has (claims, checkpoints, dead letters); each child transition updates its item
and the parent in the same transaction (shared/db/workflows.py). When a child comes to rest, `advance`
releases the next queued items; it is idempotent, so a lost call is made up by the next one (the worker's
WorkflowAdvancer hook calls it after every child that comes to rest, and the sweep in `advance_all`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.db import workflows as store
from shared.db.models import ContentRequest, Workflow, WorkflowItem, utcnow
from shared.domain.schemas import ContentRequestCreate
from shared.errors import Conflict, NotFound
from shared.lifecycle import Lifecycle, new_request, publish_request
from shared.logs import get_logger
from shared.messaging.publisher import Publisher
from shared.workflows.rollup import ITEM_AT_REST, WORKFLOW_AT_REST, ItemState, to_release

log = get_logger(__name__)
MAX_CONCURRENT_LIMIT = 16


@dataclass(frozen=True)
class NewItem:
    kind: str
    title: str
    request: ContentRequestCreate  # what the child request will ask
    weight: float = 1.0
    details: dict[str, Any] = field(default_factory=dict)  # kept on the item (a course's plan)


@dataclass
class WorkflowEngine:
    """`organization_id` scopes a caller's change to its own organisation's workflows, as in Lifecycle."""

    sessions: sessionmaker[Session]
    publisher: Publisher

    def create(
        self,
        *,
        kind: str,
        organization_id: str,
        items: Sequence[NewItem],
        max_concurrent: int,
        input: dict[str, Any],
        result: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        correlation_id: str,
    ) -> tuple[Workflow, bool]:
        """Record a workflow with its items and release the first ones; (workflow, created)."""
        if not 1 <= max_concurrent <= MAX_CONCURRENT_LIMIT:
            raise ValueError(f"max_concurrent must be 1..{MAX_CONCURRENT_LIMIT}")
        with self.sessions() as session:
            if idempotency_key:
                existing = store.find_by_idempotency_key(session, organization_id, idempotency_key)
                if existing is not None:
                    return existing, False
            now = utcnow()
            workflow = Workflow(
                id=uuid.uuid4(),
                organization_id=organization_id,
                idempotency_key=idempotency_key,
                correlation_id=correlation_id,
                kind=kind,
                status="running" if items else "completed",
                progress=0 if items else 100,
                max_concurrent=max_concurrent,
                input=input,
                result=result,
                created_at=now,
                updated_at=now,
                completed_at=None if items else now,
            )
            session.add(workflow)
            for position, item in enumerate(items, start=1):
                session.add(
                    WorkflowItem(
                        workflow_id=workflow.id,
                        position=position,
                        kind=item.kind,
                        status="queued",
                        progress=0,
                        weight=item.weight,
                        attempts=0,
                        idempotency_key=f"{workflow.id.hex}-{position}",
                        payload={"title": item.title, "request": item.request.model_dump(), **item.details},
                        updated_at=now,
                    )
                )
            store.add_event(
                session,
                workflow.id,
                None,
                workflow.status,
                workflow.progress,
                f"created with {len(items)} items",
            )
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                assert idempotency_key is not None
                winner = store.find_by_idempotency_key(session, organization_id, idempotency_key)
                if winner is None:
                    raise
                return winner, False
            self._release(session, workflow)
            session.commit()
            return workflow, True

    def workflow_of(self, request_id: uuid.UUID) -> uuid.UUID | None:
        with self.sessions() as session:
            return session.scalar(select(ContentRequest.workflow_id).where(ContentRequest.id == request_id))

    def advance(self, workflow_id: uuid.UUID) -> list[uuid.UUID]:
        """Release queued items while fewer than max_concurrent run; the new children's ids."""
        with self.sessions() as session:
            workflow = store.get_workflow(session, workflow_id, lock=True)
            if workflow.status in WORKFLOW_AT_REST:
                return []
            released = self._release(session, workflow)
            session.commit()
            return released

    def advance_all(self) -> int:
        """The sweep: advance every running workflow (makes up for an advance lost in a crash)."""
        with self.sessions() as session:
            running = list(session.scalars(select(Workflow.id).where(Workflow.status == "running")))
        return sum(len(self.advance(workflow_id)) for workflow_id in running)

    def retry_failed(self, workflow_id: uuid.UUID, *, organization_id: str | None) -> list[int]:
        """Queue again only the items that failed (each a new attempt, same key); their positions."""
        return self._requeue(
            workflow_id, organization_id, lambda item: item.status == "failed", "no failed items to retry"
        )

    def regenerate(self, workflow_id: uuid.UUID, position: int, *, organization_id: str | None) -> list[int]:
        """Queue one item again, whatever its outcome (a new attempt of the same item)."""
        with self.sessions() as session:
            store.get_workflow(
                session, workflow_id, organization_id=organization_id
            )  # unknown or not theirs: 404
            if position not in {item.position for item in store.items_of(session, workflow_id)}:
                raise NotFound(f"workflow {workflow_id} has no item {position}")
        return self._requeue(
            workflow_id,
            organization_id,
            lambda item: item.position == position,
            f"no item {position} at rest to regenerate",
        )

    def cancel(self, workflow_id: uuid.UUID, *, organization_id: str | None) -> Workflow:
        with self.sessions() as session:
            workflow = store.get_workflow(session, workflow_id, organization_id=organization_id, lock=True)
            if workflow.status in WORKFLOW_AT_REST:
                raise Conflict(f"workflow is already {workflow.status}")
            running = store.cancel_queued(session, workflow)
            session.commit()
        lifecycle = Lifecycle(self.sessions, self.publisher)
        for request_id in running:  # each in its own transaction, like a cancel from outside
            try:
                lifecycle.cancel(request_id, organization_id=organization_id)
            except Conflict:  # it came to rest meanwhile: its outcome stands
                continue
        with self.sessions() as session:
            return store.get_workflow(session, workflow_id, full=True)

    def _requeue(
        self,
        workflow_id: uuid.UUID,
        organization_id: str | None,
        chosen: Callable[[WorkflowItem], bool],
        nothing: str,
    ) -> list[int]:
        with self.sessions() as session:
            workflow = store.get_workflow(session, workflow_id, organization_id=organization_id, lock=True)
            items = store.items_of(session, workflow_id)
            picked = [item for item in items if item.status in ITEM_AT_REST and chosen(item)]
            if not picked:
                raise Conflict(nothing)
            for item in picked:
                store.set_item(session, item, "queued", 0)
            workflow.status, workflow.completed_at = "running", None
            store.roll_up(session, workflow, items)
            self._release(session, workflow, items)
            session.commit()
            return [item.position for item in picked]

    def _release(
        self, session: Session, workflow: Workflow, items: list[WorkflowItem] | None = None
    ) -> list[uuid.UUID]:
        """Child requests for the items the cap lets start, published before the caller commits."""
        items = items if items is not None else store.items_of(session, workflow.id)
        states = [ItemState(i.position, i.status, i.progress, i.weight) for i in items]
        released: list[ContentRequest] = []
        for position in to_release(states, workflow.max_concurrent):
            item = next(i for i in items if i.position == position)
            attempt = item.attempts + 1
            body = ContentRequestCreate.model_validate(
                {
                    **item.payload["request"],
                    # A child is always its parent's organisation's, whatever the item was built with.
                    "organization_id": workflow.organization_id,
                    "idempotency_key": f"{item.idempotency_key}-{attempt}",
                }
            )
            child = new_request(
                session, body, correlation_id=workflow.correlation_id, workflow_id=workflow.id
            )
            store.set_item(session, item, "running", 0, attempts=attempt, request_id=child.id)
            released.append(child)
        if not released:
            return []
        store.roll_up(session, workflow, items)
        session.flush()
        for (
            child
        ) in released:  # PublishFailed propagates: the caller's transaction rolls back, nothing released
            publish_request(self.publisher, child)
        log.info(
            "workflow_items_released", workflow_id=str(workflow.id), requests=[str(c.id) for c in released]
        )
        return [child.id for child in released]
