"""The learning-path HTTP functions through the local app, on SQLite and PostgreSQL with the Pub/Sub emulator."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from shared.db.models import Workflow

SAMPLE = Path(__file__).resolve().parent / "data" / "assessment_grade6.json"


def sse(text: str) -> list[dict]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            events.append(
                {"id": fields.get("id"), "event": fields.get("event"), **json.loads(fields["data"])}
            )
    return events


def test_submit_read_stream_and_cancel_a_learning_path(client, database_url, tmp_path):
    data = json.loads(SAMPLE.read_text())
    bad = json.loads(SAMPLE.read_text())
    bad["skills"][0]["prerequisites"] = ["food-chains"]
    refused = client.post("/submit_assessment", json=bad)
    assert refused.status_code == 422
    assert any(f["field"] == "skills" and "cycle" in f["reason"] for f in refused.get_json()["fields"])
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Workflow)) == 0  # nothing half-written
    engine.dispose()

    answer = client.post(
        "/submit_assessment",
        json={**data, "options": {"max_concurrent": 1}},
        headers={"Idempotency-Key": "k1"},
    )
    assert answer.status_code == 202, answer.get_json()
    workflow_id = answer.get_json()["workflow_id"]
    replay = client.post(
        "/submit_assessment",
        json={**data, "options": {"max_concurrent": 1}},
        headers={"Idempotency-Key": "k1"},
    )
    assert replay.status_code == 200 and replay.get_json()["workflow_id"] == workflow_id
    # The diagnosis is in content storage at once, where the courses' files will go.
    gaps = tmp_path / "content" / "workflows" / uuid.UUID(workflow_id).hex / "gaps.json"
    assert {g["skill_id"] for g in json.loads(gaps.read_text())} >= {"weather", "cells"}

    for form in (workflow_id, workflow_id.replace("-", "").upper()):
        view = client.get(f"/get_workflow?workflow_id={form}")
        assert view.status_code == 200
    body = view.get_json()
    assert {g["skill_id"] for g in body["gaps"]} >= {"weather", "cells"}
    assert [i["status"] for i in body["items"]] == ["running", "queued", "queued", "queued"]  # the cap: one
    assert client.get("/get_workflow?workflow_id=" + "0" * 32).status_code == 404
    assert client.get("/get_workflow?workflow_id=nope").status_code == 400
    assert (
        client.post("/regenerate_workflow_item", json={"workflow_id": workflow_id, "position": 9}).status_code
        == 404
    )

    cancelled = client.post("/cancel_workflow", json={"workflow_id": workflow_id})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert client.post("/cancel_workflow", json={"workflow_id": workflow_id}).status_code == 409
    assert client.post("/retry_workflow_items", json={"workflow_id": workflow_id}).status_code == 409

    stream = client.get(f"/workflow_events?workflow_id={workflow_id}&max_s=5")
    assert stream.mimetype == "text/event-stream"
    events = sse(stream.get_data(as_text=True))
    assert events[-1]["event"] == "end" and events[-1]["status"] == "cancelled"
    numbered = [e for e in events if e["id"]]
    ids = [int(e["id"]) for e in numbered]
    assert ids == sorted(set(ids))
    middle = ids[len(ids) // 2]
    resumed = sse(
        client.get(
            f"/workflow_events?workflow_id={workflow_id}&max_s=5", headers={"Last-Event-ID": str(middle)}
        ).get_data(as_text=True)
    )
    assert [int(e["id"]) for e in resumed if e["id"]] == [i for i in ids if i > middle]  # no gap, no repeat
    assert (
        client.get(f"/workflow_events?workflow_id={workflow_id}", headers={"Last-Event-ID": "x"}).status_code
        == 400
    )


@pytest.mark.pubsub
@pytest.mark.postgres
def test_a_path_through_the_functions_and_a_worker_streams_its_timeline_live(pg_stack, tmp_path):
    """submit_assessment → Pub/Sub → a `python -m worker` process → the SSE stream, read while it runs,
    ends when the path is at rest; the report is in content storage beside the courses' files."""
    from tests.support.auth import signed_in_app
    from tests.support.workers import spawn_worker

    client = signed_in_app()
    answer = client.post(
        "/submit_assessment", json={**json.loads(SAMPLE.read_text()), "options": {"max_concurrent": 2}}
    )
    assert answer.status_code == 202, answer.get_json()
    workflow_id = answer.get_json()["workflow_id"]
    worker = spawn_worker("--follow", env={"LOG_LEVEL": "WARNING"})
    try:
        started = time.monotonic()
        stream = client.get(f"/workflow_events?workflow_id={workflow_id}&max_s=120")
        events = sse(stream.get_data(as_text=True))  # blocks while the worker makes the courses
        took = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert events[-1]["event"] == "end" and events[-1]["status"] == "completed", events[-3:]
    assert took < 120
    state: dict[int, str] = {}
    for event in events:
        if event.get("position") is not None:
            state[event["position"]] = event["status"]
            assert sum(s == "running" for s in state.values()) <= 2  # the cap, as the stream told it
    assert set(state.values()) == {"completed"} and len(state) == 4
    view = client.get(f"/get_workflow?workflow_id={workflow_id}").get_json()
    assert view["status"] == "completed" and view["progress"] == 100
    folder = tmp_path / "content" / "workflows" / uuid.UUID(workflow_id).hex
    report = json.loads((folder / "path.json").read_text())
    assert [c["status"] for c in report["courses"]] == ["completed"] * 4
    for entry in report["courses"]:
        assert (folder / "courses" / entry["course"]["folder"] / "course.json").exists()
