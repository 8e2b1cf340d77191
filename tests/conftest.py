"""Fixtures that start real local services: Google's Pub/Sub emulator and a PostgreSQL server.

A missing service skips its tests on a laptop and fails them in CI (CI=true), so CI can never go
green by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.services import PostgresServer, PubSubEmulator, ServiceUnavailable

IN_CI = os.environ.get("CI", "").lower() == "true"
# Whole lessons in tests speak with espeak-ng (about 20x faster than piper); tests/test_narrators.py and the
# lesson benchmark exercise the neural voice itself.
os.environ.setdefault("NARRATOR", "espeak")
# Requests of every kind (clear, ambiguous, off-policy, malformed), written for these tests.
REQUESTS = Path(__file__).resolve().parent / "data" / "requests.jsonl"


def _start(factory: Callable[[], Any]) -> Any:
    try:
        return factory()
    except ServiceUnavailable as exc:
        if IN_CI:
            pytest.fail(f"required service missing in CI: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(autouse=True)
def fresh_circuit_breakers() -> Iterator[None]:
    """Breakers are per process; a test's outage must not leak into the next test."""
    from shared.resilience import reset_breakers

    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture(scope="session")
def pubsub_emulator() -> Iterator[PubSubEmulator]:
    emulator = _start(lambda: PubSubEmulator().start())
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = _start(lambda: PostgresServer().start())
    yield server
    server.destroy()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/vividly.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., None]]:
    """The environment of the processes under test, as a deployment sets it: the worker subprocesses a test
    spawns inherit it, and the functions served in this process drop what they built (`functions.main.reset`)
    and build it again from the environment on their next request, as a new instance would. Nothing else is
    cached: every other entry point reads its settings when it starts."""
    from functions import main as functions_main

    def set_env(**values: Any) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key.upper(), str(value))
        functions_main.reset()

    set_env(
        work_dir=tmp_path / "work",
        content_dir=tmp_path / "content",
        api_key_pepper_file=tmp_path / "pepper",
        log_level="WARNING",
    )
    yield set_env
    functions_main.reset()


def wire_stack(set_env: Callable[..., None], database_url: str, emulator: PubSubEmulator) -> Any:
    """Migrate the database, make a fresh emulator project, and point the code under test at both."""
    from tests.support.stack import migrated_engine, new_project

    migrated_engine(database_url).dispose()
    set_env(pubsub_emulator_host=emulator.host)
    project = new_project()
    set_env(
        database_url=database_url,
        google_cloud_project=project.project,
        ack_deadline_s=project.ack_deadline_s,
        publish_timeout_s=5,
    )
    return project


@pytest.fixture
def stack(env: Callable[..., None], database_url: str, pubsub_emulator: PubSubEmulator) -> Any:
    """A migrated database (SQLite or PostgreSQL) and a fresh Pub/Sub emulator project, wired by env."""
    return wire_stack(env, database_url, pubsub_emulator)


@pytest.fixture
def pg_stack(env: Callable[..., None], postgres_url: str, pubsub_emulator: PubSubEmulator) -> Any:
    """The same on PostgreSQL only, for tests whose worker runs in another process."""
    return wire_stack(env, postgres_url, pubsub_emulator)


@pytest.fixture
def own_postgres(env: Callable[..., None], pubsub_emulator: PubSubEmulator) -> Iterator[tuple[Any, Any]]:
    """A PostgreSQL of this test's own, to stop or restart (the shared one must stay up), wired like `stack`,
    with a 4 s synthesizing_audio stage so work is in flight when it goes away. Yields (server, project)."""
    from devstack.services import PostgresServer

    server = PostgresServer().start()
    try:
        project = wire_stack(env, server.create_database("own"), pubsub_emulator)
        env(echo_slow_status="synthesizing_audio", echo_slow_s=4)
        yield server, project
    finally:
        server.destroy()


@pytest.fixture
def client(stack: Any) -> Any:
    """All the HTTP functions, called with a teacher's key of the organisation `test-org`."""
    from tests.support.auth import signed_in_app

    return signed_in_app()
