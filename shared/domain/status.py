"""The request status machine: pure data and functions, no I/O.

Every status has a progress share and a human message; the pipeline statuses run in order and the
side exits (clarification_needed, rejected, failed, cancelled) can be reached from any running status.
"""

from __future__ import annotations

import itertools
from enum import StrEnum

from shared.errors import IllegalTransition


class Status(StrEnum):
    PENDING = "pending"
    VALIDATING = "validating"
    RETRIEVING = "retrieving"
    GENERATING_SCRIPT = "generating_script"
    SYNTHESIZING_AUDIO = "synthesizing_audio"
    RENDERING_VIDEO = "rendering_video"
    UPLOADING = "uploading"
    NOTIFYING = "notifying"
    COMPLETED = "completed"
    CLARIFICATION_NEEDED = "clarification_needed"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELLED = "cancelled"


PIPELINE: tuple[Status, ...] = (
    Status.PENDING,
    Status.VALIDATING,
    Status.RETRIEVING,
    Status.GENERATING_SCRIPT,
    Status.SYNTHESIZING_AUDIO,
    Status.RENDERING_VIDEO,
    Status.UPLOADING,
    Status.NOTIFYING,
    Status.COMPLETED,
)

# Progress reached when a status is entered; a stage moves progress within [start, next start).
PROGRESS: dict[Status, int] = {
    Status.PENDING: 0,
    Status.VALIDATING: 2,
    Status.RETRIEVING: 8,
    Status.GENERATING_SCRIPT: 15,
    Status.SYNTHESIZING_AUDIO: 30,
    Status.RENDERING_VIDEO: 55,
    Status.UPLOADING: 85,
    Status.NOTIFYING: 95,
    Status.COMPLETED: 100,
}

MESSAGES: dict[Status, str] = {
    Status.PENDING: "Waiting for a worker",
    Status.VALIDATING: "Checking the request",
    Status.RETRIEVING: "Finding source material",
    Status.GENERATING_SCRIPT: "Writing the lesson script",
    Status.SYNTHESIZING_AUDIO: "Recording the narration",
    Status.RENDERING_VIDEO: "Rendering the video",
    Status.UPLOADING: "Saving the lesson",
    Status.NOTIFYING: "Announcing the result",
    Status.COMPLETED: "Lesson ready",
    Status.CLARIFICATION_NEEDED: "Waiting for answers to clarifying questions",
    Status.REJECTED: "Request declined by content policy",
    Status.FAILED: "Generation failed",
    Status.CANCELLED: "Cancelled",
}

RUNNING: frozenset[Status] = frozenset(PIPELINE[1:-1])
TERMINAL: frozenset[Status] = frozenset({Status.COMPLETED, Status.REJECTED, Status.FAILED, Status.CANCELLED})
# Statuses in which a worker has nothing to do with the request's message: ack it and move on.
AT_REST: frozenset[Status] = TERMINAL | {Status.CLARIFICATION_NEEDED}


def _allowed() -> dict[Status, frozenset[Status]]:
    allowed: dict[Status, set[Status]] = {s: set() for s in Status}
    for current, following in itertools.pairwise(PIPELINE):
        allowed[current].add(following)
    for running in RUNNING:
        allowed[running] |= {Status.CLARIFICATION_NEEDED, Status.REJECTED, Status.FAILED, Status.CANCELLED}
    allowed[Status.PENDING] |= {Status.FAILED, Status.CANCELLED}
    allowed[Status.CLARIFICATION_NEEDED] |= {Status.PENDING, Status.CANCELLED, Status.FAILED}
    # Retry starts a new attempt; a cancelled request may be retried too.
    allowed[Status.FAILED] |= {Status.PENDING}
    allowed[Status.CANCELLED] |= {Status.PENDING}
    return {s: frozenset(t) for s, t in allowed.items()}


TRANSITIONS: dict[Status, frozenset[Status]] = _allowed()


def can_transition(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: Status, target: Status) -> None:
    """Raise IllegalTransition unless `current -> target` is an edge of the machine."""
    if not can_transition(current, target):
        raise IllegalTransition(f"cannot move a request from {current} to {target}")


def starts_new_attempt(current: Status, target: Status) -> bool:
    """Leaving a resting status for pending begins a new attempt, where progress may restart."""
    return target is Status.PENDING and current in AT_REST


def next_progress(current_progress: int, target: Status, *, new_attempt: bool) -> int:
    """Progress after entering `target`: never backwards within an attempt; side exits keep it."""
    if target not in PROGRESS:
        return current_progress
    if new_attempt:
        return PROGRESS[target]
    return max(current_progress, PROGRESS[target])


def stage_progress(status: Status, fraction: float) -> int:
    """Progress part-way (0..1) through the stage that `status` names."""
    index = PIPELINE.index(status)
    start = PROGRESS[status]
    end = PROGRESS[PIPELINE[index + 1]] if index + 1 < len(PIPELINE) else 100
    return start + int((end - start) * min(max(fraction, 0.0), 1.0))
