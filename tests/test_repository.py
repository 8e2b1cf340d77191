"""Claims and transitions on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from shared.config import Settings
from shared.db import repository as repo
from shared.db.engine import make_session_factory
from shared.domain.schemas import ContentRequestCreate
from shared.domain.status import Status
from shared.errors import Conflict, IllegalTransition
from shared.lifecycle import Lifecycle
from shared.messaging.publisher import JsonLinesPublisher
from tests.support.stack import migrated_engine


@pytest.fixture
def sessions(database_url, tmp_path):
    engine = migrated_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def request_id(sessions, tmp_path):
    request, _ = Lifecycle(sessions, JsonLinesPublisher(tmp_path)).submit(
        ContentRequestCreate(student_query="claims"), correlation_id="c"
    )
    return request.id


def test_a_released_claim_is_not_renewed_by_a_late_lease_tick(sessions, request_id):
    with sessions() as session:
        assert repo.claim(session, request_id, "a#1", 60)
        assert not repo.claim(session, request_id, "b#1", 60)  # held by a live owner
        assert repo.renew(session, request_id, "a#1", 60)
        repo.release(session, request_id, "a#1")
        assert not repo.renew(session, request_id, "a#1", 60)  # the late tick
        assert repo.claim(session, request_id, "b#1", 60)
        session.commit()


def test_an_expired_claim_can_be_taken_over(sessions, request_id):
    with sessions() as session:
        assert repo.claim(session, request_id, "dead#1", -1)
        assert repo.claim(session, request_id, "alive#1", 60)
        session.commit()


def test_transitions_check_the_machine_and_the_current_status(sessions, request_id):
    with sessions() as session:
        with pytest.raises(IllegalTransition):
            repo.transition(session, request_id, Status.PENDING, Status.COMPLETED)
        with pytest.raises(Conflict):
            repo.transition(session, request_id, Status.VALIDATING, Status.RETRIEVING)
        moved = repo.transition(
            session, request_id, Status.PENDING, Status.VALIDATING, actor=repo.Actor("w", 3)
        )
        session.commit()
        assert moved.status == "validating" and moved.started_at is not None
        events = repo.get_request(session, request_id, full=True).events
        assert [(e.from_status, e.to_status, e.worker_id, e.delivery_attempt) for e in events] == [
            (None, "pending", None, None),
            ("pending", "validating", "w", 3),
        ]


def test_settings_normalise_postgres_urls():
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+pg8000://u@h/db"
