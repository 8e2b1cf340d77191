"""What the outside audit sent (issue 9 §1), on SQLite and PostgreSQL with the Pub/Sub emulator: every answer
is JSON, control characters are refused with the field named on submit and on answer alike, deep nesting is
a 400, an unreachable database is a 503 with Retry-After, and whatever else escapes is a JSON 500 whose log
entry carries no field values. None of these leaves a row or a message behind."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from functions import main as functions_main
from shared.db.models import ContentRequest, RequestEvent
from shared.messaging.topics import REQUESTS_SUBSCRIPTION

pytestmark = pytest.mark.pubsub

NUL, BELL_CLEAR = "\u0000", "\u0007\u001b[2J"
NESTED = "[" * 1_000 + "]" * 1_000


def rows() -> tuple[int, int]:
    with functions_main.resources().sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(ContentRequest)) or 0,
            session.scalar(select(func.count()).select_from(RequestEvent)) or 0,
        )


def assert_nothing_left(stack) -> None:
    assert rows() == (0, 0)
    assert stack.pull_all(REQUESTS_SUBSCRIPTION, timeout_s=1.0) == []


@pytest.mark.parametrize(
    "field", ["student_query", "idempotency_key", "webhook_url", "student_id", "organization_id", "language"]
)
@pytest.mark.parametrize("bad", [NUL, BELL_CLEAR], ids=["nul", "escape"])
def test_a_control_character_in_any_submit_field_is_422_naming_it(client, stack, field: str, bad: str):
    body = {"student_query": "Explain the water cycle", "webhook_url": "https://example.com/hook"}
    body[field] = f"abc{bad}def"
    response = client.post("/submit_content_request", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.is_json and field in {f["field"] for f in response.json["fields"]}
    assert_nothing_left(stack)


def test_the_answer_path_refuses_what_submit_refuses(client, stack):
    submitted = client.post("/submit_content_request", json={"student_query": "Tell me about it"})
    request_id = submitted.json["request_id"]
    before = rows()
    for body, field in (
        ({"answers": ["the water cycle"], "student_query": f"water{BELL_CLEAR} cycle"}, "student_query"),
        ({"answers": ["the water cycle"], "student_query": f"water{NUL}"}, "student_query"),
        ({"answers": [f"the water{NUL} cycle"]}, "answers.0"),
    ):
        response = client.post("/answer_clarification", json={"request_id": request_id, **body})
        assert response.status_code == 422, response.get_data(as_text=True)
        assert field in {f["field"] for f in response.json["fields"]}
    assert rows() == before


@pytest.mark.parametrize(
    "path", ["/submit_content_request", "/answer_clarification", "/cancel_request", "/retry_request"]
)
def test_deep_nesting_is_a_json_400(client, stack, path: str):
    response = client.post(path, data=NESTED, content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert response.json["error"] == "malformed_json" and response.headers["X-Correlation-ID"]
    assert_nothing_left(stack)


def test_an_unreachable_database_is_503_with_retry_after_and_publishes_nothing(client, stack, env):
    # A real PostgreSQL URL on a port where nothing listens: what a restart or failover looks like.
    env(database_url="postgresql+pg8000://vividly@127.0.0.1:9/vividly")
    response = client.post("/submit_content_request", json={"student_query": "Explain the water cycle"})
    assert response.status_code == 503 and response.is_json, response.get_data(as_text=True)
    assert response.json["error"] == "database_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert stack.pull_all(REQUESTS_SUBSCRIPTION, timeout_s=1.0) == []


def test_whatever_escapes_is_a_json_500_and_its_log_holds_no_field_values(
    capfd: pytest.CaptureFixture[str], client, stack, monkeypatch: pytest.MonkeyPatch
):
    # The one fault injected here: a bug in the repository, raised with the values it was given.
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(functions_main.repo, "get_request", broken)
    secret = "my-private-question-4711"
    created = client.post("/submit_content_request", json={"student_query": secret})
    response = client.get(f"/get_request_status?request_id={created.json['request_id']}")
    assert response.status_code == 500 and response.is_json
    assert response.json["error"] == "internal" and response.headers["X-Correlation-ID"]
    captured = capfd.readouterr()
    logged = [line for line in (captured.out + captured.err).splitlines() if line.startswith("{")]
    entry = next(json.loads(m) for m in logged if "unhandled error" in m)
    assert entry["severity"] == "ERROR" and "RuntimeError" in json.dumps(entry)
    assert entry["correlation_id"] == response.headers["X-Correlation-ID"]
    assert not any(secret in m for m in logged)
