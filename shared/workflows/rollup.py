"""A workflow's state from its items: item statuses, the parent's status and weighted progress, and which
queued items may start under the concurrency cap. Pure data and functions, no I/O.

An item mirrors its child request: a child that is working is `running`; one that ends in anything but
completed or cancelled (failed, rejected, clarification_needed: the knowledge base could not carry it) is
`failed`, with the reason kept. The parent is `running` while any item is queued or running; at rest it is
`completed` (every item), `completed_with_failures` (some completed, some failed), `failed` (none
completed) or `cancelled`. Progress is the items' progress weighted by their declared weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from shared.domain.status import Status

ItemStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
WorkflowStatus = Literal["running", "completed", "completed_with_failures", "failed", "cancelled"]
ITEM_AT_REST: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
WORKFLOW_AT_REST: frozenset[str] = frozenset({"completed", "completed_with_failures", "failed", "cancelled"})


def item_status(child: Status) -> ItemStatus:
    if child is Status.COMPLETED:
        return "completed"
    if child is Status.CANCELLED:
        return "cancelled"
    if child in (Status.FAILED, Status.REJECTED, Status.CLARIFICATION_NEEDED):
        return "failed"
    return "running"


def item_error(child: Status, message: str) -> str:
    """Why an item failed, as its workflow's reader needs it: a clarification means too little source."""
    if child is Status.CLARIFICATION_NEEDED:
        detail = message.split(": ", 1)[-1]
        return f"the knowledge base cannot support it ({detail}); add documents with `vividly kb add`"
    return message


@dataclass(frozen=True)
class ItemState:
    position: int
    status: str
    progress: int
    weight: float


def progress_of(items: Sequence[ItemState]) -> int:
    """Weighted progress; an item at rest counts as done (a failed one will not move again)."""
    total = sum(item.weight for item in items)
    if total <= 0:
        return 0
    done = sum(item.weight * (100 if item.status in ITEM_AT_REST else item.progress) for item in items)
    return int(done / total)


def status_of(items: Sequence[ItemState], *, cancelled: bool = False) -> WorkflowStatus:
    if cancelled:
        return "cancelled"
    if any(item.status not in ITEM_AT_REST for item in items):
        return "running"
    completed = sum(item.status == "completed" for item in items)
    if completed == len(items):
        return "completed"
    return "completed_with_failures" if completed else "failed"


def to_release(items: Sequence[ItemState], max_concurrent: int) -> list[int]:
    """Positions of the queued items to start now, in order, so that at most `max_concurrent` run."""
    running = sum(item.status == "running" for item in items)
    free = max(0, max_concurrent - running)
    return [item.position for item in sorted(items, key=lambda i: i.position) if item.status == "queued"][
        :free
    ]
