"""What the status API returns for a request (pure: the URL maker is passed in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.db.models import ContentRequest
from shared.db.repository import CHECKPOINT_PREFIX
from shared.domain import cost


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def request_view(request: ContentRequest, *, url_for: Callable[[str], str] | None = None) -> dict[str, Any]:
    artifacts = [a for a in request.artifacts if not a.kind.startswith(CHECKPOINT_PREFIX)]
    return {
        "request_id": str(request.id),
        "correlation_id": request.correlation_id,
        "status": request.status,
        "progress": request.progress,
        "stage_message": request.stage_message,
        "attempts": request.attempts,
        "cost": cost.estimate(request.usage or {}),
        "query": request.query,
        "grade_level": request.grade_level,
        "duration_minutes": request.duration_minutes,
        "language": request.language,
        "warnings": request.warnings or [],
        "reading_grade": request.reading_grade,
        "clarification_questions": request.clarification_questions,
        "clarification_answers": request.clarification_answers,
        "error": (
            {"code": request.error_code, "message": request.error_message} if request.error_code else None
        ),
        "artifacts": [
            {
                "kind": a.kind,
                "uri": a.uri,
                "url": url_for(a.uri) if url_for else a.uri,
                "bytes": a.bytes,
                "sha256": a.sha256,
                "content_type": a.content_type,
            }
            for a in artifacts
        ],
        "events": [
            {
                "from": e.from_status,
                "to": e.to_status,
                "progress": e.progress,
                "message": e.message,
                "at": _iso(e.created_at),
                "attempt": e.attempt,
                "worker_id": e.worker_id,
                "delivery_attempt": e.delivery_attempt,
            }
            for e in request.events
        ],
        "created_at": _iso(request.created_at),
        "updated_at": _iso(request.updated_at),
        "started_at": _iso(request.started_at),
        "completed_at": _iso(request.completed_at),
    }
