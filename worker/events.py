"""Hooks that report how requests go: outcome events on content-events, and Prometheus metrics."""

from __future__ import annotations

import json
import uuid

from shared import metrics
from shared.domain.status import AT_REST, Status
from shared.logs import get_logger
from shared.messaging.publisher import Publisher
from shared.messaging.topics import ATTR_EVENT, ATTR_REQUEST_ID, EVENTS_TOPIC
from worker.pipeline import Hooks

ANNOUNCED = {
    Status.CLARIFICATION_NEEDED: "lesson.clarification_needed",
    Status.REJECTED: "lesson.rejected",
    Status.FAILED: "lesson.failed",
}
log = get_logger("events")


class OutcomeEvents(Hooks):
    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher

    def on_transition(self, request_id: uuid.UUID, status: Status, progress: int, message: str) -> None:
        event = ANNOUNCED.get(status)
        if event is None:
            return
        body = {"event": event, "request_id": str(request_id), "message": message}
        try:
            self.publisher.publish(
                EVENTS_TOPIC, json.dumps(body).encode(), {ATTR_EVENT: event, ATTR_REQUEST_ID: str(request_id)}
            )
        except Exception as exc:  # the status API has the outcome; an event lost here is not a lost request
            log.warning("outcome event not published", event=event, error=str(exc))


class MetricsHook(Hooks):
    """Stage durations and outcomes as Prometheus metrics."""

    def on_stage(self, stage: str, status: Status, duration_s: float, skipped: bool) -> None:
        if not skipped:
            metrics.STAGE_SECONDS.labels(stage=stage).observe(duration_s)

    def on_transition(self, request_id: uuid.UUID, status: Status, progress: int, message: str) -> None:
        if status in AT_REST:
            metrics.OUTCOMES.labels(status=status.value).inc()
