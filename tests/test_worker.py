"""The worker against Google's Pub/Sub emulator and real databases: at-least-once delivery, proven."""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from google.cloud import pubsub_v1

from devstack.dead_letters import deliver_dead_letters
from functions import main as functions_main
from shared import bootstrap
from shared.config import get_settings
from shared.db import repository as repo
from shared.domain.schemas import ContentRequestCreate
from shared.lifecycle import Lifecycle
from shared.messages import RequestMessage
from shared.messaging.topics import REQUESTS_TOPIC
from tests.support.workers import (
    ThreadWorker,
    make_runner,
    request_status,
    spawn_worker,
    stage_runs,
    wait_until,
)
from worker.pipeline import Busy

pytestmark = pytest.mark.pubsub
ALL_STAGES = [
    "validating",
    "retrieving",
    "generating_script",
    "synthesizing_audio",
    "rendering_video",
    "uploading",
]
FULL_TIMELINE = ["pending", *ALL_STAGES, "notifying", "completed"]


@pytest.fixture
def stage_log(env, tmp_path) -> Path:
    path = tmp_path / "stages.log"
    env(echo_stage_log=path)
    return path


def submit(query: str = "Explain the water cycle") -> uuid.UUID:
    res = functions_main.resources()
    request, _ = Lifecycle(res.sessions, res.publisher).submit(
        ContentRequestCreate(student_query=query), correlation_id="test"
    )
    return request.id


def timeline(request_id: uuid.UUID) -> list[str]:
    with functions_main.resources().sessions() as session:
        return [e.to_status for e in repo.get_request(session, request_id, full=True).events]


def _sample(name: str, **labels: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_round_trip_completes_and_records_every_transition(stack, stage_log):
    completed_before = _sample("vividly_request_outcomes_total", status="completed")
    acks_before = _sample("vividly_deliveries_total", verdict="ack")
    stage_runs_before = _sample("vividly_stage_duration_seconds_count", stage="validating")
    request_id = submit()
    stats = ThreadWorker().drain()
    assert stats.acked == 1 and stats.nacked == 0
    assert timeline(request_id) == FULL_TIMELINE
    assert stage_runs(stage_log) == ALL_STAGES
    with functions_main.resources().sessions() as session:
        request = repo.get_request(session, request_id)
        assert request.progress == 100 and request.claimed_by is None and request.completed_at
        assert request.usage["compute_seconds"] > 0  # the cost estimate's compute share
    assert _sample("vividly_request_outcomes_total", status="completed") == completed_before + 1
    assert _sample("vividly_deliveries_total", verdict="ack") == acks_before + 1
    assert _sample("vividly_stage_duration_seconds_count", stage="validating") == stage_runs_before + 1
    assert _sample("vividly_queue_lag_seconds_count") >= 1


def test_same_message_twice_runs_each_stage_once(stack, stage_log):
    request_id = submit()
    data, attributes = RequestMessage(request_id, 1, "test").encode()
    functions_main.resources().publisher.publish(REQUESTS_TOPIC, data, attributes)  # the duplicate
    worker = ThreadWorker(concurrency=2).start()
    try:
        # The copy that loses the claim waits inside its delivery (no attempt spent) and is acked
        # once the request is done.
        wait_until(lambda: worker.consumer.stats.acked == 2, timeout_s=30)
    finally:
        worker.stop()
    assert worker.consumer.stats.nacked == 0
    assert Counter(stage_runs(stage_log)) == Counter(ALL_STAGES)
    assert timeline(request_id) == FULL_TIMELINE


def test_running_a_finished_request_again_does_nothing(stack, stage_log):
    request_id = submit()
    runner = make_runner(functions_main.resources())
    first = runner.run(request_id)
    second = runner.run(request_id)
    assert first.stages_run == ALL_STAGES
    assert second.status == "completed" and second.stages_run == []
    assert timeline(request_id) == FULL_TIMELINE


@pytest.mark.postgres
def test_two_workers_racing_exactly_one_advances(env, postgres_url, pubsub_emulator, stage_log):
    from tests.support.stack import migrated_engine

    migrated_engine(postgres_url).dispose()
    env(database_url=postgres_url, echo_slow_status="retrieving", echo_slow_s=2)
    res = bootstrap.build(get_settings(), offline=True)
    request, _ = Lifecycle(res.sessions, res.publisher).submit(
        ContentRequestCreate(student_query="racing"), correlation_id="race"
    )
    runners = [make_runner(res, worker_id=f"racer-{i}") for i in range(2)]
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def race(runner):
        barrier.wait()
        try:
            outcomes.append(runner.run(request.id).status)
        except Busy:
            outcomes.append("busy")

    threads = [threading.Thread(target=race, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes)) == ["busy", "completed"]
    assert Counter(stage_runs(stage_log)) == Counter(ALL_STAGES)
    with res.sessions() as session:
        events = repo.get_request(session, request.id, full=True).events
        assert [e.to_status for e in events] == FULL_TIMELINE
        assert len({e.worker_id for e in events if e.worker_id}) == 1
    res.close()


@pytest.mark.postgres
def test_compare_and_set_lets_one_of_two_transitions_win(env, postgres_url):
    from shared.domain.status import Status
    from shared.errors import Conflict
    from tests.support.stack import migrated_engine

    migrated_engine(postgres_url).dispose()
    env(database_url=postgres_url)
    res = bootstrap.build(get_settings(), offline=True)
    request, _ = Lifecycle(res.sessions, res.publisher).submit(
        ContentRequestCreate(student_query="cas"), correlation_id="cas"
    )
    barrier = threading.Barrier(2)
    results: list[str] = []

    def move(worker: str) -> None:
        with res.sessions() as session:
            barrier.wait()
            try:
                repo.transition(
                    session, request.id, Status.PENDING, Status.VALIDATING, actor=repo.Actor(worker)
                )
                session.commit()
                results.append("won")
            except Conflict:
                results.append("lost")

    threads = [threading.Thread(target=move, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["lost", "won"]
    res.close()


def test_poison_message_is_dead_lettered_and_marked_failed(stack, stage_log):
    request_id = submit("poison pill")
    worker = ThreadWorker().start()
    try:
        handled = wait_until(
            lambda: deliver_dead_letters(stack.project, functions_main.handle_dead_letter), timeout_s=90
        )
    finally:
        worker.stop()
    assert handled == 1
    assert stage_runs(stage_log).count("generating_script") == 5  # max_delivery_attempts
    with functions_main.resources().sessions() as session:
        request = repo.get_request(session, request_id, full=True)
        assert request.status == "failed"
        assert request.error_code == "dead_lettered"
        assert "5 delivery attempts" in (request.error_message or "")
        events_before = len(request.events)
    # Idempotent: the same dead letter delivered again changes nothing.
    data, attributes = RequestMessage(request_id, 1, "test").encode()
    pubsub_v1.PublisherClient().publish(
        pubsub_v1.PublisherClient.topic_path(stack.project, "content-requests-dead-letter"),
        data,
        **attributes,
    ).result()
    assert wait_until(
        lambda: deliver_dead_letters(stack.project, functions_main.handle_dead_letter), timeout_s=10
    )
    with functions_main.resources().sessions() as session:
        assert len(repo.get_request(session, request_id, full=True).events) == events_before


def test_a_dead_letter_waits_while_a_live_worker_holds_the_request(stack):
    request_id = submit()
    res = functions_main.resources()
    with res.sessions() as session:
        assert repo.claim(session, request_id, "live-worker#1", 60)
        session.commit()
    data, attributes = RequestMessage(request_id, 1, "test").encode()
    res.publisher.publish("content-requests-dead-letter", data, attributes)
    # Handed back (not acked), and the request is left to the worker that holds it.
    assert deliver_dead_letters(stack.project, functions_main.handle_dead_letter, timeout_s=5) == 0
    assert request_status(res, request_id) == "pending"
    with res.sessions() as session:
        repo.release(session, request_id, "live-worker#1")
        session.commit()
    # Delivered again once nobody holds it: now it is a dead letter like any other.
    assert wait_until(
        lambda: deliver_dead_letters(stack.project, functions_main.handle_dead_letter), timeout_s=60
    )
    with res.sessions() as session:
        assert repo.get_request(session, request_id).error_code == "dead_lettered"


def _slow_render_deliveries(env, keep_leases: bool, ack_deadline_s: int) -> int:
    """Deliveries of one request whose render stage outlasts the ack deadline, with a second worker up."""
    env(echo_slow_status="rendering_video", echo_slow_s=ack_deadline_s + 4)
    request_id = submit()
    slow = ThreadWorker(keep_leases=keep_leases, worker_id="slow").start()
    wait_until(lambda: request_status(slow.resources, request_id) == "rendering_video", timeout_s=30)
    other = ThreadWorker(worker_id="other").start()
    try:
        wait_until(lambda: request_status(slow.resources, request_id) == "completed", timeout_s=60)
    finally:
        other.stop()
        slow.stop()
    return sum(w.consumer.stats.acked + w.consumer.stats.nacked for w in (slow, other))


def test_lease_keeper_prevents_redelivery_of_slow_work(stack, stage_log, env):
    assert _slow_render_deliveries(env, True, stack.ack_deadline_s) == 1
    assert stage_runs(stage_log).count("rendering_video") == 1


@pytest.mark.postgres
def test_without_the_lease_keeper_slow_work_is_delivered_again(pg_stack, stage_log, env):
    # The control for the test above (on one database: what it shows is Pub/Sub's, not the store's).
    assert _slow_render_deliveries(env, False, pg_stack.ack_deadline_s) >= 2


def _worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"LOG_LEVEL": "INFO", **(extra or {})}


def kill_worker_mid_render(res, request_id: uuid.UUID) -> None:
    """Start a worker whose render stage is slow, and SIGKILL it once `request_id` is rendering."""
    victim = spawn_worker(
        "--follow", env=_worker_env({"ECHO_SLOW_STATUS": "rendering_video", "ECHO_SLOW_S": "60"})
    )
    try:
        wait_until(lambda: request_status(res, request_id) == "rendering_video", timeout_s=60)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        victim.kill()


@pytest.mark.postgres
def test_worker_killed_mid_stage_is_resumed_from_its_checkpoint(pg_stack, stage_log):
    request_id = submit()
    res = functions_main.resources()
    kill_worker_mid_render(res, request_id)
    survivor = spawn_worker("--follow", env=_worker_env())
    try:
        wait_until(lambda: request_status(res, request_id) == "completed", timeout_s=90)
    finally:
        survivor.terminate()
        assert survivor.wait(timeout=30) == 0
    runs = Counter(stage_runs(stage_log))
    assert {s: runs[s] for s in ALL_STAGES} == {s: (2 if s == "rendering_video" else 1) for s in ALL_STAGES}
    assert timeline(request_id) == FULL_TIMELINE


def test_shutdown_is_bounded_and_hands_a_long_stage_back_at_once(stack, stage_log, env):
    env(echo_slow_status="rendering_video", echo_slow_s=10)
    request_id = submit()
    worker = ThreadWorker().start()
    worker.consumer.shutdown_grace_s = 1.0
    wait_until(lambda: request_status(worker.resources, request_id) == "rendering_video", timeout_s=30)
    started = time.monotonic()
    worker.consumer.stop()
    assert worker.thread is not None
    worker.thread.join(timeout=30)
    assert time.monotonic() - started < 5  # not the 10 s the stage still needs
    assert worker.consumer.stats.nacked == 1 and worker.consumer.stats.acked == 0
    # The stage ends at its boundary and lets go of the claim; the next worker resumes the request.
    with worker.resources.sessions() as session:
        wait_until(
            lambda: (session.expire_all(), repo.get_request(session, request_id).claimed_by)[1] is None,
            timeout_s=30,
        )
    worker.stop()
    other = ThreadWorker().start()
    try:
        wait_until(lambda: request_status(other.resources, request_id) == "completed", timeout_s=60)
    finally:
        other.stop()


@pytest.mark.postgres
def test_sigterm_hands_work_back_and_exits_cleanly(pg_stack, stage_log):
    request_id = submit()
    res = functions_main.resources()
    worker = spawn_worker(
        "--follow", env=_worker_env({"ECHO_SLOW_STATUS": "synthesizing_audio", "ECHO_SLOW_S": "4"})
    )
    wait_until(lambda: request_status(res, request_id) == "synthesizing_audio", timeout_s=60)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    output = worker.stdout.read().decode() if worker.stdout else ""
    assert "signal received" in output
    # Stopped at the stage boundary: the slow stage finished and was recorded, the next one never started.
    assert request_status(res, request_id) == "rendering_video"
    assert "rendering_video" not in stage_runs(stage_log)
    drained = spawn_worker("--drain", env=_worker_env())
    assert drained.wait(timeout=90) == 0
    assert request_status(res, request_id) == "completed"
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert all({"severity", "message", "time"} <= set(line) for line in lines)


@pytest.mark.postgres
def test_drain_exits_zero_on_an_empty_subscription(pg_stack):
    worker = spawn_worker("--drain", env=_worker_env())
    assert worker.wait(timeout=60) == 0


@pytest.mark.postgres
def test_worker_recovers_when_postgres_restarts_mid_run(own_postgres, stage_log):
    server, _project = own_postgres
    request_id = submit()
    worker = ThreadWorker().start()
    try:
        wait_until(lambda: request_status(worker.resources, request_id) == "synthesizing_audio", timeout_s=30)
        server.restart()
        wait_until(
            lambda: request_status(worker.resources, request_id) == "completed", timeout_s=90, every_s=0.5
        )
    finally:
        worker.stop()
    assert timeline(request_id) == FULL_TIMELINE


def test_the_worker_serves_prometheus_metrics_on_metrics_port(stack, stage_log):
    import httpx

    from devstack.services import free_port

    port = free_port()
    request_id = submit()
    worker = spawn_worker("--follow", env=_worker_env({"METRICS_PORT": str(port)}))
    try:
        res = functions_main.resources()
        wait_until(lambda: request_status(res, request_id) == "completed", timeout_s=60)
        text = wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text, timeout_s=10)
        assert 'vividly_deliveries_total{verdict="ack"} 1.0' in text
        assert 'vividly_request_outcomes_total{status="completed"} 1.0' in text
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


@pytest.mark.postgres
def test_a_workflow_survives_a_sigkilled_worker_with_no_item_done_twice(pg_stack, stage_log):
    """A worker is killed mid-stage in the first of three courses; another finishes the path: the killed
    stage reruns from its checkpoint, no other stage and no item runs twice, the cap holds throughout."""
    from shared.db import workflows as store
    from shared.workflows.engine import NewItem, WorkflowEngine

    res = functions_main.resources()
    engine = WorkflowEngine(res.sessions, res.publisher)
    workflow, _ = engine.create(
        kind="test",
        organization_id="org",
        items=[
            NewItem(kind="course", title=f"course {n}", request=ContentRequestCreate(student_query=q))
            for n, q in enumerate(("Explain rain", "Explain snow", "Explain hail"), start=1)
        ],
        max_concurrent=1,
        input={},
        correlation_id="kill-test",
    )
    with res.sessions() as session:
        (first,) = [i.request_id for i in store.items_of(session, workflow.id) if i.status == "running"]
    kill_worker_mid_render(res, first)
    survivor = spawn_worker("--follow", env=_worker_env())

    def at_rest() -> bool:
        with res.sessions() as session:
            return store.get_workflow(session, workflow.id).status == "completed"

    try:
        wait_until(at_rest, timeout_s=120)
    finally:
        survivor.terminate()
        assert survivor.wait(timeout=30) == 0
    with res.sessions() as session:
        final = store.get_workflow(session, workflow.id, full=True)
        children = [item.request_id for item in final.items]
        assert [item.attempts for item in final.items] == [1, 1, 1]  # no item was released twice
        events = list(final.events)
    runs = Counter(
        (line.split()[0], uuid.UUID(line.split()[1])) for line in stage_log.read_text().splitlines()
    )
    for child in children:
        expected = {s: (2 if (s, child) == ("rendering_video", first) else 1) for s in ALL_STAGES}
        assert {s: runs[(s, child)] for s in ALL_STAGES} == expected
    state: dict[int, str] = {}
    for event in events:
        if event.position is not None:
            state[event.position] = event.status
            assert sum(s == "running" for s in state.values()) <= 1  # the cap, even across the kill
