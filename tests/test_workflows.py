"""Workflows on the spine: children are ordinary requests run by the real runner (echo stages), on SQLite and
PostgreSQL; the cap is read back from the timeline, failures, retries, duplicates and cancels are real."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from devstack.echo_pipeline import echo_stages
from shared import bootstrap
from shared.config import Settings
from shared.db import repository as repo
from shared.db import workflows as store
from shared.db.migrate import upgrade
from shared.domain.schemas import ContentRequestCreate
from shared.errors import Conflict
from shared.lifecycle import Lifecycle
from shared.workflows.engine import NewItem, WorkflowEngine
from worker.pipeline import PipelineRunner
from worker.workflows import WorkflowAdvancer, run_in_process

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def resources(database_url: str, tmp_path: Path):
    settings = Settings(
        database_url=database_url, work_dir=tmp_path / "work", content_dir=tmp_path / "content"
    )
    res = bootstrap.build(settings, offline=True)
    upgrade(res.engine)
    yield res
    res.close()


def items(*queries: str) -> list[NewItem]:
    return [
        NewItem(
            kind="course", title=f"item {i}", request=ContentRequestCreate(student_query=q, grade_level="6")
        )
        for i, q in enumerate(queries, start=1)
    ]


def runner_for(res, engine: WorkflowEngine) -> PipelineRunner:
    return PipelineRunner.for_resources(
        echo_stages(), res, worker_id="test", hooks=[WorkflowAdvancer(engine)]
    )


def timeline(res, workflow_id: uuid.UUID) -> list:
    with res.sessions() as session:
        return list(store.get_workflow(session, workflow_id, full=True).events)


def most_running_at_once(events) -> int:
    state: dict[int, str] = {}
    most = 0
    for event in events:
        if event.position is not None:
            state[event.position] = event.status
            most = max(most, sum(s == "running" for s in state.values()))
    return most


def test_the_cap_is_never_exceeded_and_the_parent_rolls_up(resources):
    engine = WorkflowEngine(resources.sessions, resources.publisher)
    workflow, created = engine.create(
        kind="test",
        organization_id="org",
        items=items(*(f"Explain topic {i}" for i in range(6))),
        max_concurrent=2,
        input={},
        correlation_id="c1",
    )
    assert created
    # Four threads would happily run four children: only the engine's cap holds them to two.
    run_in_process(engine, runner_for(resources, engine), workflow.id, threads=4)
    events = timeline(resources, workflow.id)
    assert most_running_at_once(events) == 2
    with resources.sessions() as session:
        final = store.get_workflow(session, workflow.id, full=True)
        assert final.status == "completed" and final.progress == 100
        assert [i.status for i in final.items] == ["completed"] * 6
        for item in final.items:
            child = repo.get_request(session, item.request_id)
            assert child.workflow_id == workflow.id and child.status == "completed"
    # Parent progress on the timeline never goes backwards.
    parent = [e.progress for e in events if e.position is None]
    assert parent == sorted(parent) and parent[-1] == 100


def test_a_failed_child_leaves_the_rest_standing_and_retry_reruns_only_it(resources):
    engine = WorkflowEngine(resources.sessions, resources.publisher)
    lifecycle = Lifecycle(resources.sessions, resources.publisher)
    workflow, _ = engine.create(
        kind="test",
        organization_id="org",
        items=items("Explain a", "Explain b", "Explain c"),
        max_concurrent=3,
        input={},
        correlation_id="c2",
    )
    with resources.sessions() as session:
        first = {i.position: i.request_id for i in store.items_of(session, workflow.id)}
    # Item 2's deliveries run out: the dead-letter handler fails it (what Pub/Sub + handle_dead_letter do).
    lifecycle.mark_dead_lettered(first[2], delivery_count=5)
    run_in_process(engine, runner_for(resources, engine), workflow.id, threads=3)
    with resources.sessions() as session:
        final = store.get_workflow(session, workflow.id, full=True)
        assert final.status == "completed_with_failures"
        assert [i.status for i in final.items] == ["completed", "failed", "completed"]
        assert "dead-lettered" in (final.items[1].error or "")

    assert engine.retry_failed(workflow.id, organization_id="org") == [2]
    with pytest.raises(Conflict):
        engine.retry_failed(workflow.id, organization_id="org")  # nothing else failed
    run_in_process(engine, runner_for(resources, engine), workflow.id, threads=3)
    with resources.sessions() as session:
        final = store.get_workflow(session, workflow.id, full=True)
        again = {i.position: i for i in final.items}
        assert final.status == "completed"
        assert again[1].request_id == first[1] and again[3].request_id == first[3]  # untouched
        assert again[2].request_id != first[2] and again[2].attempts == 2
        assert repo.get_request(session, again[2].request_id).idempotency_key.endswith("-2")


def test_a_child_delivered_twice_moves_its_item_once(resources):
    engine = WorkflowEngine(resources.sessions, resources.publisher)
    workflow, _ = engine.create(
        kind="test",
        organization_id="org",
        items=items("Explain twice"),
        max_concurrent=1,
        input={},
        correlation_id="c3",
    )
    runner = runner_for(resources, engine)
    with resources.sessions() as session:
        (item,) = store.items_of(session, workflow.id)
    first = runner.run(item.request_id)
    second = runner.run(item.request_id)  # the redelivered message: the request is already at rest
    assert first.status == second.status == "completed" and not second.stages_run
    completed = [e for e in timeline(resources, workflow.id) if e.position == 1 and e.status == "completed"]
    assert len(completed) == 1


def test_regenerate_cancel_and_idempotent_create(resources):
    engine = WorkflowEngine(resources.sessions, resources.publisher)
    create = dict(
        kind="test",
        organization_id="org",
        items=items("Explain x", "Explain y", "Explain z"),
        max_concurrent=1,
        input={},
        correlation_id="c4",
        idempotency_key="path-1",
    )
    workflow, created = engine.create(**create)
    again, created_again = engine.create(**create)
    assert created and not created_again and again.id == workflow.id

    cancelled = engine.cancel(workflow.id, organization_id="org")
    assert cancelled.status == "cancelled"
    assert [i.status for i in cancelled.items] == ["cancelled"] * 3  # the running one too, via its child
    with pytest.raises(Conflict):
        engine.cancel(workflow.id, organization_id="org")

    assert engine.regenerate(workflow.id, 3, organization_id="org") == [3]
    with resources.sessions() as session:
        assert store.get_workflow(session, workflow.id).status == "running"
    with pytest.raises(Conflict):
        engine.regenerate(workflow.id, 3, organization_id="org")  # it is queued or running now, not at rest


def test_a_path_publishes_its_courses_and_report_into_one_folder(resources):
    """Children publish under workflows/<id>/courses/<n>-<slug>/, the report lands beside them."""
    from shared.paths.assessment import from_json
    from shared.paths.workflow import start_path

    sample = DATA / "assessment_grade6.json"
    engine = WorkflowEngine(resources.sessions, resources.publisher)
    workflow, _ = start_path(
        engine, from_json(sample.read_text()), {}, correlation_id="c-report", max_concurrent=2
    )
    runner = PipelineRunner.for_resources(
        echo_stages(),
        resources,
        worker_id="test",
        hooks=[WorkflowAdvancer(engine, resources.content_storage)],
    )
    run_in_process(engine, runner, workflow.id, threads=2)
    folder = resources.settings.content_dir / "workflows" / workflow.id.hex
    report = json.loads((folder / "path.json").read_text())
    assert report["status"] == "completed" and len(report["courses"]) == 4
    assert json.loads((folder / "gaps.json").read_text())[0]["skill_id"]
    for entry in report["courses"]:
        course_dir = folder / "courses" / entry["course"]["folder"]
        published = Path(url2pathname(urlparse(entry["files"]["uploading"]).path))
        assert published == course_dir / "uploading.json" and published.exists()
        assert json.loads((course_dir / "course.json").read_text())["status"] == "completed"
    assert not (resources.settings.content_dir / "lessons").exists()  # nothing published outside it
