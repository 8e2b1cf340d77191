"""Persistence of workflows: the parent row, its items and its timeline.

Every change to an item and the parent's status and progress derived from it are written in one
transaction, with the parent row locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer
at a time), so two children finishing at once cannot both read the other as still running.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shared.db.models import ContentRequest, Workflow, WorkflowEvent, WorkflowItem, utcnow
from shared.domain.status import Status
from shared.errors import NotFound
from shared.workflows.rollup import (
    WORKFLOW_AT_REST,
    ItemState,
    item_error,
    item_status,
    progress_of,
    status_of,
)


def get_workflow(
    session: Session,
    workflow_id: uuid.UUID,
    *,
    organization_id: str | None = None,
    full: bool = False,
    lock: bool = False,
) -> Workflow:
    """The workflow, only if it belongs to `organization_id` when one is given (another's is NotFound)."""
    query = select(Workflow).where(Workflow.id == workflow_id)
    if organization_id is not None:
        query = query.where(Workflow.organization_id == organization_id)
    if full:
        query = query.options(selectinload(Workflow.items), selectinload(Workflow.events))
    if lock:
        query = query.with_for_update()
    workflow = session.scalars(query).one_or_none()
    if workflow is None:
        raise NotFound(f"no workflow {workflow_id}")
    return workflow


def find_by_idempotency_key(session: Session, organization_id: str, key: str) -> Workflow | None:
    return session.scalars(
        select(Workflow).where(Workflow.organization_id == organization_id, Workflow.idempotency_key == key)
    ).one_or_none()


def items_of(session: Session, workflow_id: uuid.UUID) -> list[WorkflowItem]:
    return list(
        session.scalars(
            select(WorkflowItem)
            .where(WorkflowItem.workflow_id == workflow_id)
            .order_by(WorkflowItem.position)
        )
    )


def add_event(
    session: Session, workflow_id: uuid.UUID, position: int | None, status: str, progress: int, message: str
) -> None:
    session.add(
        WorkflowEvent(
            workflow_id=workflow_id,
            position=position,
            status=status,
            progress=progress,
            message=message,
            created_at=utcnow(),
        )
    )


def events_after(
    session: Session, workflow_id: uuid.UUID, after_id: int, limit: int = 500
) -> list[WorkflowEvent]:
    return list(
        session.scalars(
            select(WorkflowEvent)
            .where(WorkflowEvent.workflow_id == workflow_id, WorkflowEvent.id > after_id)
            .order_by(WorkflowEvent.id)
            .limit(limit)
        )
    )


def set_item(
    session: Session,
    item: WorkflowItem,
    status: str,
    progress: int,
    *,
    error: str | None = None,
    **values: Any,
) -> None:
    """Change one item and record it on the timeline (the caller rolls the parent up after)."""
    item.status, item.progress, item.error, item.updated_at = status, progress, error, utcnow()
    for key, value in values.items():
        setattr(item, key, value)
    message = f"{item.payload.get('title', item.kind)}: {status}" + (f" ({error})" if error else "")
    add_event(session, item.workflow_id, item.position, status, progress, message)


def roll_up(session: Session, workflow: Workflow, items: list[WorkflowItem], *, cancel: bool = False) -> None:
    """The parent's status and progress from its items; an event when either changes."""
    states = [ItemState(i.position, i.status, i.progress, i.weight) for i in items]
    status = status_of(states, cancelled=cancel or workflow.status == "cancelled")
    progress = progress_of(states)
    if status == workflow.status and progress == workflow.progress:
        return
    now = utcnow()
    changed_status = status != workflow.status
    workflow.status, workflow.progress, workflow.updated_at = status, progress, now
    workflow.completed_at = now if status in WORKFLOW_AT_REST else None
    if changed_status or status in WORKFLOW_AT_REST:
        done = sum(i.status == "completed" for i in items)
        add_event(session, workflow.id, None, status, progress, f"{done} of {len(items)} items completed")


def child_moved(
    session: Session, request: ContentRequest, target: Status, progress: int, error: str | None
) -> None:
    """A child request changed status (called inside its transition's transaction): mirror it on its item
    and roll the parent up."""
    assert request.workflow_id is not None
    workflow = get_workflow(session, request.workflow_id, lock=True)
    items = items_of(session, workflow.id)
    item = next((i for i in items if i.request_id == request.id), None)
    if (
        item is None
    ):  # an earlier attempt's child, replaced by a regeneration: it no longer speaks for the item
        return
    status = item_status(target)
    if status != item.status or progress != item.progress:
        set_item(
            session,
            item,
            status,
            progress,
            error=item_error(target, error) if status == "failed" and error else None,
        )
    roll_up(session, workflow, items)
    session.flush()


def cancel_queued(session: Session, workflow: Workflow) -> list[uuid.UUID]:
    """Mark the workflow cancelled and its queued items too; the running children's ids, to cancel next."""
    items = items_of(session, workflow.id)
    running = []
    for item in items:
        if item.status == "queued":
            set_item(session, item, "cancelled", item.progress)
        elif item.status == "running" and item.request_id is not None:
            running.append(item.request_id)
    roll_up(session, workflow, items, cancel=True)
    return running


def artifact_prefix(session: Session, request: ContentRequest) -> str | None:
    """Where a workflow child publishes its files: workflows/<id>/courses/<n>-<slug> for a course (the
    folder a teacher is handed), workflows/<id>/items/<n> for any other item; None outside a workflow.
    A regenerated item's new request gets the same prefix, so its files replace the old ones."""
    if request.workflow_id is None:
        return None
    item = session.scalar(select(WorkflowItem).where(WorkflowItem.request_id == request.id))
    if item is None:
        return None
    folder = (item.payload.get("course") or {}).get("folder")
    base = f"workflows/{request.workflow_id.hex}"
    return f"{base}/courses/{folder}" if folder else f"{base}/items/{item.position}"
