"""A short database outage fails nothing: a real PostgreSQL is stopped and started under work in flight.

Before the claim/lease change, stopping PostgreSQL for 3 s under 30 slow requests dead-lettered 6 of them:
the failed delivery could not release its claim, redeliveries found the request "busy" and nacked, and
those nacks used up the delivery attempts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
from pg8000.dbapi import ProgrammingError as DriverError
from sqlalchemy.exc import ProgrammingError

from devstack.dead_letters import deliver_dead_letters
from functions import main as functions_main
from shared.db.outage import is_database_down
from tests.support.workers import ThreadWorker, wait_until
from tests.test_worker import FULL_TIMELINE, submit, timeline

pytestmark = [pytest.mark.pubsub, pytest.mark.postgres]

IN_FLIGHT = 12
OUTAGE_S = 8.0


def _statuses(worker: ThreadWorker, ids: list) -> Counter[str]:
    from shared.db.models import ContentRequest

    with worker.resources.sessions() as session:
        rows = session.query(ContentRequest.status).filter(ContentRequest.id.in_(ids)).all()
    return Counter(status for (status,) in rows)


def _all_complete_through_an_outage(
    project: str, *, stop: Callable[[], object], start: Callable[[], object]
) -> None:
    """IN_FLIGHT slow requests; the dependency goes away for OUTAGE_S while half of them are mid-stage."""
    ids = [submit(f"Explain the water cycle, part {n}") for n in range(IN_FLIGHT)]
    worker = ThreadWorker(concurrency=IN_FLIGHT).start()
    try:
        wait_until(lambda: _statuses(worker, ids)["synthesizing_audio"] >= IN_FLIGHT // 2, timeout_s=60)
        stop()
        time.sleep(OUTAGE_S)
        start()
        wait_until(lambda: _statuses(worker, ids)["completed"] == IN_FLIGHT, timeout_s=180, every_s=1.0)
    finally:
        worker.stop()
    assert deliver_dead_letters(project, functions_main.handle_dead_letter) == 0
    assert {tuple(timeline(request_id)) for request_id in ids} == {tuple(FULL_TIMELINE)}


@pytest.mark.postgres
def test_postgres_stopped_under_load_fails_nothing(own_postgres):
    # Five attempts, one second apart, would all be spent inside the outage if busy or failed deliveries
    # burned attempts (the project's defaults).
    server, project = own_postgres
    _all_complete_through_an_outage(
        project.project, stop=lambda: server.stop(mode="immediate"), start=server.start
    )


def test_cloud_storage_stopped_under_load_fails_nothing(env, pg_stack, tmp_path):
    from devstack.services import StorageEmulator

    storage = StorageEmulator(data_dir=tmp_path / "gcs").start()
    try:
        storage.create_bucket("work")
        storage.create_bucket("content")
        env(
            storage_emulator_host=storage.url,
            work_bucket="work",
            content_bucket="content",
            echo_slow_status="synthesizing_audio",
            echo_slow_s=4,
        )
        _all_complete_through_an_outage(pg_stack.project, stop=storage.stop, start=storage.start)
    finally:
        storage.stop()


@pytest.mark.parametrize(
    ("error", "down"),
    [
        # Seen in the faults benchmark: pg8000 reports "shutting down" at connect as a ProgrammingError.
        (
            ProgrammingError("SELECT 1", {}, DriverError({"S": "FATAL", "C": "57P03", "M": "shutting down"})),
            True,
        ),
        (
            ProgrammingError(
                "SELECT 1", {}, DriverError({"S": "FATAL", "C": "57P01", "M": "admin shutdown"})
            ),
            True,
        ),
        (ConnectionResetError(104, "Connection reset by peer"), True),  # raised unwrapped from the socket
        (
            ProgrammingError("SELEC 1", {}, DriverError({"S": "ERROR", "C": "42601", "M": "syntax error"})),
            False,
        ),
        (ValueError("a bug"), False),
    ],
    ids=["starting-or-stopping", "admin-shutdown", "connection-reset", "syntax-error", "bug"],
)
def test_what_counts_as_the_database_being_down(error, down):
    assert is_database_down(error) is down


@pytest.mark.parametrize(
    "query",
    [
        "SELECT a FROM t WHERE id = %s AND status = %s",
        "UPDATE t SET note = 'it''s 100%%' WHERE id = %s",
        'SELECT "weird%col" FROM t WHERE x = %s -- a %s in a comment',
        "SELECT $$ %s $$, %s",
    ],
)
def test_remembered_pg8000_statements_convert_as_pg8000_does(query):
    import pg8000.dbapi
    import pg8000.legacy

    from shared.db.engine import remember_pg8000_statements

    remember_pg8000_statements()
    remember_pg8000_statements()  # twice: still one layer
    args = ("x", "y")
    expected = pg8000.dbapi.convert_paramstyle("format", query, args)
    assert pg8000.legacy.convert_paramstyle("format", query, args) == expected
    assert pg8000.legacy.convert_paramstyle("format", query, args) == expected  # from the cache
