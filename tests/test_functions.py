"""HTTP functions against a real database (SQLite and PostgreSQL) and Google's Pub/Sub emulator."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from functions import main as functions_main
from shared.db.models import ContentRequest, RequestEvent
from shared.messaging.topics import REQUESTS_SUBSCRIPTION
from tests.conftest import REQUESTS

pytestmark = pytest.mark.pubsub


def _count_rows(model) -> int:
    with functions_main.resources().sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def submit(client, body, **headers):
    return client.post("/submit_content_request", json=body, headers=headers)


def test_submit_records_publishes_and_reports(client, stack):
    response = submit(
        client, {"student_query": "Explain the water cycle", "grade_level": "5", "duration_minutes": 3}
    )
    assert response.status_code == 202, response.json
    request_id = response.json["request_id"]
    assert response.json["status"] == "pending"
    assert response.json["status_url"].endswith(request_id)

    messages = stack.pull_all(REQUESTS_SUBSCRIPTION)
    assert len(messages) == 1
    assert messages[0].message.attributes["request_id"] == request_id
    assert json.loads(messages[0].message.data) == {"request_id": request_id, "attempt": 1}

    status = client.get(f"/get_request_status?request_id={request_id}")
    assert status.status_code == 200
    assert status.json["status"] == "pending"
    assert status.json["grade_level"] == "5"
    assert [e["to"] for e in status.json["events"]] == ["pending"]


def test_idempotency_key_returns_same_request_and_publishes_once(client, stack):
    body = {"student_query": "Explain the water cycle"}
    first = submit(client, body, **{"Idempotency-Key": "abc-123"})
    second = submit(client, body, **{"Idempotency-Key": "abc-123"})
    third = submit(client, {**body, "idempotency_key": "abc-123"})
    assert first.status_code == 202 and second.status_code == 200 and third.status_code == 200
    assert first.json["request_id"] == second.json["request_id"] == third.json["request_id"]
    assert len(stack.pull_all(REQUESTS_SUBSCRIPTION)) == 1
    assert _count_rows(ContentRequest) == 1


def _malformed_samples():
    for line in REQUESTS.read_text().splitlines():
        case = json.loads(line)
        if case.get("expect_http"):
            yield pytest.param(case, id=case["case"])


@pytest.mark.parametrize("case", list(_malformed_samples()))
def test_malformed_samples_get_the_right_code_and_leave_nothing(client, stack, case):
    if "raw" in case:
        response = client.post(
            "/submit_content_request",
            data=case["raw"],
            content_type=case.get("content_type", "application/json"),
        )
    else:
        response = submit(client, case["body"])
    allowed = {int(code) for code in str(case["expect_http"]).split("_or_")}
    assert response.status_code in allowed, response.json
    assert response.json["error"]
    if response.status_code == 422:
        assert response.json["fields"] and all({"field", "reason"} <= set(f) for f in response.json["fields"])
    assert _count_rows(ContentRequest) == 0
    assert _count_rows(RequestEvent) == 0
    assert stack.pull_all(REQUESTS_SUBSCRIPTION, timeout_s=1.0) == []


def test_body_over_limit_is_413(client, env):
    env(max_body_bytes=200)
    response = submit(client, {"student_query": "x" * 500})
    assert response.status_code == 413


def test_status_ids_in_any_form_and_clear_errors(client, stack):
    request_id = uuid.UUID(submit(client, {"student_query": "volcanoes"}).json["request_id"])
    for form in (str(request_id), request_id.hex, str(request_id).upper()):
        assert client.get(f"/get_request_status?request_id={form}").status_code == 200
        assert client.get(f"/get_request_status/{form}").status_code == 200
    assert client.get("/get_request_status?request_id=not-a-uuid").status_code == 400
    assert client.get(f"/get_request_status?request_id={uuid.uuid4()}").status_code == 404
    assert client.get("/get_request_status").status_code == 400


def test_publish_failure_is_503_and_stores_nothing(client, env, stack):
    from devstack.services import free_port

    env(pubsub_emulator_host=f"127.0.0.1:{free_port()}", publish_timeout_s=2)
    response = submit(client, {"student_query": "Explain the water cycle"})
    assert response.status_code == 503
    assert _count_rows(ContentRequest) == 0
    assert _count_rows(RequestEvent) == 0


def test_wrong_state_actions_are_409(client, stack):
    request_id = submit(client, {"student_query": "volcanoes"}).json["request_id"]
    stack.pull_all(REQUESTS_SUBSCRIPTION)
    assert (
        client.post("/answer_clarification", json={"request_id": request_id, "answers": ["x"]}).status_code
        == 409
    )
    assert client.post("/retry_request", json={"request_id": request_id}).status_code == 409
    cancelled = client.post("/cancel_request", json={"request_id": request_id})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.post("/cancel_request", json={"request_id": request_id}).status_code == 409
    retried = client.post("/retry_request", json={"request_id": request_id})
    assert (
        retried.status_code == 202 and retried.json["status"] == "pending" and retried.json["attempts"] == 2
    )
    (message,) = stack.pull_all(REQUESTS_SUBSCRIPTION)
    assert json.loads(message.message.data)["attempt"] == 2
    assert client.post("/cancel_request", json={"request_id": str(uuid.uuid4())}).status_code == 404


def test_health_checks_database_and_publisher(client, env):
    response = client.get("/health")
    assert response.status_code == 200, response.json
    assert response.json["checks"] == {"database": "ok", "publisher": "ok"}


def test_functions_framework_serves_the_entry_point(stack):
    from functions_framework import create_app

    from tests.support.auth import new_key

    app = create_app(target="get_request_status", source="functions/main.py")
    response = app.test_client().get(
        f"/?request_id={uuid.uuid4()}", headers={"Authorization": f"Bearer {new_key()}"}
    )
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_trace_context_rides_on_the_message(client, stack):
    response = client.post(
        "/submit_content_request",
        json={"student_query": "volcanoes"},
        headers={
            "X-Cloud-Trace-Context": "4bf92f3577b34da6a3ce929d0e0e4736/1;o=1",
            "X-Correlation-ID": "corr-1",
        },
    )
    assert response.headers["X-Correlation-ID"] == "corr-1"
    (message,) = stack.pull_all(REQUESTS_SUBSCRIPTION)
    assert message.message.attributes["traceparent"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert message.message.attributes["correlation_id"] == "corr-1"


def test_web_page_sends_its_policy_and_serves_only_its_own_files(stack):
    from functions.local_app import create_app

    client = create_app().test_client()  # no key: the page itself holds no data
    page = client.get("/teacher_page")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    assert client.get("/teacher_page/app.js").mimetype == "text/javascript"
    assert client.get("/teacher_page/quiz.js").data.startswith(b"// The quiz of a lesson")
    # Anything else under it is the page again, never a file from elsewhere on the machine.
    assert client.get("/teacher_page/..%2F..%2Fpyproject.toml").mimetype == "text/html"
