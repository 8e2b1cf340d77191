"""A learning path's report in content storage, next to its courses' files (GCS in the cloud, a folder
offline), so a teacher is handed one folder:

    workflows/<id>/gaps.json                      the diagnosis, one object per skill
    workflows/<id>/path.json                      status, courses with their files, the timeline
    workflows/<id>/courses/<n>-<slug>/course.json  the course, its status and files
    workflows/<id>/courses/<n>-<slug>/{outline.json, deck.pptx, lesson.mp4, captions.vtt, ...}

The lesson files are published there by each child's upload stage; this module writes the rest. Every
write replaces a whole object, so writing again (a redelivered advance, a regenerated course) is safe.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from shared.db import repository as repo
from shared.db.models import Workflow
from shared.storage.base import Storage


def folder_of(workflow: Workflow) -> str:
    return f"workflows/{workflow.id.hex}"


def _files(session: Session, request_id: Any) -> dict[str, str]:
    """The child's published files by kind (URIs), checkpoints left out."""
    request = repo.get_request(session, request_id, full=True)
    return {a.kind: a.uri for a in request.artifacts if not a.kind.startswith(repo.CHECKPOINT_PREFIX)}


def report_of(session: Session, workflow: Workflow, *, plan_only: bool = False) -> dict[str, Any]:
    """path.json: the workflow loaded with its items and events (store.get_workflow(full=True))."""
    by_position = {item.position: item for item in workflow.items}
    courses = []
    for course in (workflow.result or {}).get("courses", []):
        item = by_position.get(course["position"])
        done = item is not None and item.status == "completed" and item.request_id is not None
        courses.append(
            {
                "course": course,
                "status": item.status if item else "planned",
                "error": item.error if item else None,
                "files": _files(session, item.request_id) if done and item else {},
            }
        )
    return {
        "workflow_id": str(workflow.id),
        "status": workflow.status,
        "progress": workflow.progress,
        "plan_only": plan_only,
        "courses": courses,
        "timeline": [
            {
                "id": e.id,
                "position": e.position,
                "status": e.status,
                "progress": e.progress,
                "message": e.message,
                "at": e.created_at.isoformat(),
            }
            for e in workflow.events
        ],
    }


def _put_json(storage: Storage, key: str, data: Any) -> str:
    with tempfile.TemporaryDirectory(prefix="vividly-report-") as scratch:
        path = Path(scratch) / Path(key).name
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        return storage.put(key, path, "application/json").uri


def publish_gaps(storage: Storage, workflow: Workflow) -> str:
    """gaps.json, written as soon as the path is created: the diagnosis needs no video."""
    return _put_json(storage, f"{folder_of(workflow)}/gaps.json", (workflow.result or {}).get("gaps", []))


def publish_report(
    storage: Storage, session: Session, workflow: Workflow, *, plan_only: bool = False
) -> dict[str, Any]:
    """Every report file of the path as it stands; returns path.json's content."""
    publish_gaps(storage, workflow)
    report = report_of(session, workflow, plan_only=plan_only)
    for entry in report["courses"]:
        _put_json(storage, f"{folder_of(workflow)}/courses/{entry['course']['folder']}/course.json", entry)
    _put_json(storage, f"{folder_of(workflow)}/path.json", report)
    return report
