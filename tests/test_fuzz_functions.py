"""Property-based fuzzing of every HTTP function on PostgreSQL and the Pub/Sub emulator (issue 9 §1).

Hypothesis throws JSON of every shape at each function's body (the real field names with any JSON value,
control characters, deep nesting, wrong types), and odd strings at its query and headers. Whatever comes in:
no 5xx, every answer is a JSON object with an error code when refused, a refused call adds no row, and at
the end every stored request has exactly the one message its submit published, and no message lacks a row.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from functions import main as functions_main
from shared.db.models import ContentRequest, RequestEvent
from shared.messaging.topics import REQUESTS_SUBSCRIPTION

pytestmark = [pytest.mark.pubsub, pytest.mark.postgres]

EXAMPLES = 500  # per function; four POST functions and two GET ones: 3,000 calls in all
FIELDS = {
    "/submit_content_request": [
        "student_query",
        "grade_level",
        "duration_minutes",
        "language",
        "organization_id",
        "student_id",
        "idempotency_key",
        "webhook_url",
        "options",
    ],
    "/answer_clarification": ["request_id", "answers", "student_query"],
    "/cancel_request": ["request_id"],
    "/retry_request": ["request_id"],
}
# Text a client could type, with what PostgreSQL and terminals choke on mixed in.
TEXT = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from("\x00\x07\x1b\u202e\ud7ff\ufeff")), max_size=40
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
HEADERS = st.dictionaries(
    st.sampled_from(["X-Correlation-ID", "X-Cloud-Trace-Context", "Idempotency-Key", "Accept"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
    max_size=3,
)


def body_for(path: str) -> st.SearchStrategy[Any]:
    """Mostly objects with the function's own fields, so validation is reached (for submit, often with a
    good question, so some are accepted); sometimes any JSON at all, or arrays nested hundreds deep."""
    optional = {name: JSON for name in FIELDS[path]}
    fields = st.fixed_dictionaries({}, optional=optional)
    if path == "/submit_content_request":
        rest = {name: value for name, value in optional.items() if name != "student_query"}
        good = st.fixed_dictionaries({"student_query": st.just("Explain the water cycle")}, optional=rest)
        fields = st.one_of(fields, good)
    else:
        with_id = st.tuples(fields, st.uuids()).map(lambda pair: {**pair[0], "request_id": str(pair[1])})
        fields = st.one_of(fields, with_id)
    nested = st.integers(1, 1_500).map(lambda depth: "[" * depth + "]" * depth)
    return st.one_of(fields, JSON, nested)


def rows() -> int:
    with functions_main.resources().sessions() as session:
        return (session.scalar(select(func.count()).select_from(ContentRequest)) or 0) + (
            session.scalar(select(func.count()).select_from(RequestEvent)) or 0
        )


def assert_json_answer(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert isinstance(response.json.get("error"), str)
        assert response.headers["X-Correlation-ID"]


@pytest.fixture
def pg_client(pg_stack: Any) -> Any:
    from tests.support.auth import signed_in_app

    return signed_in_app()


@pytest.mark.parametrize("path", list(FIELDS))
def test_no_body_gets_a_5xx_or_leaves_anything_when_refused(pg_client: Any, pg_stack: Any, path: str):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=body_for(path), headers=HEADERS)
    def one_call(body: Any, headers: dict[str, str]) -> None:
        before = rows()
        data = body if isinstance(body, str) else json.dumps(body)
        response = pg_client.post(path, data=data, content_type="application/json", headers=headers)
        assert_json_answer(response)
        if response.status_code >= 400:
            assert rows() == before

    one_call()
    assert_one_message_per_request(pg_stack)


@pytest.mark.parametrize("path", ["/get_request_status", "/health"])
def test_no_query_or_header_gets_a_5xx(pg_client: Any, pg_stack: Any, path: str):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=st.dictionaries(st.sampled_from(["request_id", "x", ""]), TEXT, max_size=2), headers=HEADERS)
    def one_call(query: dict[str, str], headers: dict[str, str]) -> None:
        before = rows()
        response = pg_client.get(path, query_string=query, headers=headers)
        assert_json_answer(response)
        assert rows() == before

    one_call()


def assert_one_message_per_request(stack: Any) -> None:
    published: list[str] = []
    while batch := stack.pull_all(REQUESTS_SUBSCRIPTION, timeout_s=2.0):
        published += [json.loads(m.message.data)["request_id"] for m in batch]
    with functions_main.resources().sessions() as session:
        stored = {str(i) for i in session.scalars(select(ContentRequest.id))}
    assert sorted(published) == sorted(stored)
