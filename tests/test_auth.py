"""Who may call the HTTP functions: API keys, roles, organisations kept apart, the per-key quota, and
`vividly keys`, through the local app on SQLite and PostgreSQL with the Pub/Sub emulator."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from shared.auth import api_keys
from shared.auth.principal import ALLOWED, Action, Principal, Role
from shared.db.models import ApiKey, ContentRequest, Workflow
from shared.messaging.topics import REQUESTS_SUBSCRIPTION
from tests.support.auth import new_key, signed_in

SAMPLE = Path(__file__).resolve().parent / "data" / "assessment_grade6.json"
QUESTION = {"student_query": "Explain the water cycle", "grade_level": "5"}


def app() -> Any:
    from functions.local_app import create_app

    return create_app().test_client()


def count(database_url: str, model: Any, **where: Any) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        found = connection.scalar(query)
    engine.dispose()
    return int(found or 0)


# --- the key format and the roles, pure -------------------------------------------------------------------


def test_a_key_is_typed_carries_its_id_and_a_192_bit_secret_and_only_its_hmac_is_compared():
    key = api_keys.new_key()
    assert key.token.startswith("vvd_") and api_keys.parse(key.token) == key
    assert len(key.secret) * 6 >= 128
    pepper = b"p" * 32
    stored = api_keys.secret_hmac(key.secret, pepper)
    assert key.secret not in stored and api_keys.matches(key.secret, stored, pepper)
    assert not api_keys.matches(key.secret, stored, b"another pepper")
    assert not api_keys.matches(key.secret[:-1] + "x", stored, pepper)
    for bad in ("", "vvd_", key.token + "x", key.token.replace("vvd_", "sk_"), key.token + "\x00"):
        assert api_keys.parse(bad) is None


def test_each_role_may_do_exactly_its_own_actions():
    def may(role: Role) -> set[Action]:
        return {action for action in Action if Principal("o", "u", frozenset({role}), "api_key").may(action)}

    assert may(Role.VIEWER) == {Action.READ}
    assert may(Role.SERVICE) == {Action.READ, Action.SUBMIT}
    assert may(Role.TEACHER) == {Action.READ, Action.SUBMIT, Action.CHANGE, Action.EXPORT}
    assert may(Role.OWNER) == set(Action)
    assert set(ALLOWED) == set(Action)


# --- credentials ------------------------------------------------------------------------------------------


def test_missing_malformed_forged_and_revoked_keys_get_the_same_401_and_store_nothing(stack, database_url):
    good = new_key("org-a")
    key = api_keys.parse(good)
    assert key is not None
    forged = api_keys.NewKey(key.key_id, api_keys.new_key().secret).token  # a real key id, a wrong secret
    unknown = api_keys.new_key().token
    client = app()
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {good}"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Bearer {unknown}"},
        {"X-API-Key": "x" * 5000},
        {"X-API-Key": good + "\x00"},
    ):
        answer = client.post("/submit_content_request", json=QUESTION, headers=headers)
        assert answer.status_code == 401, (headers, answer.get_json())
        assert answer.get_json()["error"] == "unauthenticated"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(database_url, ContentRequest) == 0
    assert stack.pull_all(REQUESTS_SUBSCRIPTION, timeout_s=1.0) == []

    # Both headers work; X-API-Key wins, since in the cloud Authorization carries Google's ID token.
    assert (
        client.post("/submit_content_request", json=QUESTION, headers={"X-API-Key": good}).status_code == 202
    )
    both = {"X-API-Key": good, "Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.google-id-token"}
    assert client.post("/submit_content_request", json=QUESTION, headers=both).status_code == 202

    runner = CliRunner()
    from cli.main import app as cli

    revoked = runner.invoke(cli, ["keys", "revoke", key.key_id])
    assert revoked.exit_code == 0, revoked.output
    answer = client.get(f"/get_request_status?request_id={uuid.uuid4()}", headers={"X-API-Key": good})
    assert answer.status_code == 401


def test_a_viewer_reads_but_may_not_submit_or_change_and_a_service_may_not_cancel(stack, database_url):
    teacher = signed_in(app(), new_key("org-a", Role.TEACHER))
    viewer = signed_in(app(), new_key("org-a", Role.VIEWER))
    service = signed_in(app(), new_key("org-a", Role.SERVICE))
    request_id = teacher.post("/submit_content_request", json=QUESTION).get_json()["request_id"]
    stack.pull_all(REQUESTS_SUBSCRIPTION)

    refused = viewer.post("/submit_content_request", json={**QUESTION, "idempotency_key": "v1"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert "teacher" in refused.get_json()["message"]
    assert viewer.get(f"/get_request_status?request_id={request_id}").status_code == 200
    assert viewer.post("/cancel_request", json={"request_id": request_id}).status_code == 403
    assert viewer.post("/submit_assessment", json=json.loads(SAMPLE.read_text())).status_code == 403
    assert service.post("/cancel_request", json={"request_id": request_id}).status_code == 403
    assert service.get(f"/get_request_status?request_id={request_id}").status_code == 200
    submitted = service.post("/submit_content_request", json={**QUESTION, "idempotency_key": "s1"})
    assert submitted.status_code == 202
    assert (
        count(database_url, ContentRequest) == 2
    )  # the teacher's and the service's; nothing from the viewer
    assert len(stack.pull_all(REQUESTS_SUBSCRIPTION)) == 1
    assert count(database_url, Workflow) == 0


# --- organisations kept apart -----------------------------------------------------------------------------


def test_another_organisations_requests_are_404_for_every_function_and_stay_untouched(stack, database_url):
    alice = signed_in(app(), new_key("org-a"))
    mallory = signed_in(app(), new_key("org-b", Role.OWNER))
    created = alice.post("/submit_content_request", json={**QUESTION, "idempotency_key": "same-key"})
    request_id = created.get_json()["request_id"]
    stack.pull_all(REQUESTS_SUBSCRIPTION)

    for form in (request_id, request_id.replace("-", "").upper(), str(uuid.uuid4())):
        answer = mallory.get(f"/get_request_status?request_id={form}")
        assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"
    for path, body in (
        ("/cancel_request", {"request_id": request_id}),
        ("/retry_request", {"request_id": request_id}),
        ("/answer_clarification", {"request_id": request_id, "answers": ["x"], "student_query": "Hijacked"}),
    ):
        # A pending request of one's own would be 409 here: 404 says nothing about what exists.
        answer = mallory.post(path, json=body)
        assert answer.status_code == 404, (path, answer.get_json())
    mine = alice.get(f"/get_request_status?request_id={request_id}").get_json()
    assert mine["status"] == "pending" and mine["query"] == QUESTION["student_query"]
    assert stack.pull_all(REQUESTS_SUBSCRIPTION, timeout_s=1.0) == []

    # The same idempotency key in another organisation is another request, never a replay of the first.
    theirs = mallory.post("/submit_content_request", json={**QUESTION, "idempotency_key": "same-key"})
    assert theirs.status_code == 202 and theirs.get_json()["request_id"] != request_id
    # The body cannot pick the organisation: the credential does.
    spoofed = mallory.post("/submit_content_request", json={**QUESTION, "organization_id": "org-a"})
    assert spoofed.status_code == 403
    assert spoofed.get_json()["fields"][0]["field"] == "organization_id"
    assert (
        alice.post("/submit_content_request", json={**QUESTION, "organization_id": "org-a"}).status_code
        == 202
    )
    assert count(database_url, ContentRequest, organization_id="org-a") == 2
    assert count(database_url, ContentRequest, organization_id="org-b") == 1


def test_another_organisations_learning_path_is_404_for_every_workflow_function(stack, database_url):
    alice = signed_in(app(), new_key("org-a"))
    mallory = signed_in(app(), new_key("org-b"))
    data = json.loads(SAMPLE.read_text())
    workflow_id = alice.post("/submit_assessment", json=data).get_json()["workflow_id"]
    for path in (
        f"/get_workflow?workflow_id={workflow_id}",
        f"/workflow_events?workflow_id={workflow_id}&max_s=0",
    ):
        answer = mallory.get(path)
        assert answer.status_code == 404, path
    for path, body in (
        ("/retry_workflow_items", {"workflow_id": workflow_id}),
        ("/regenerate_workflow_item", {"workflow_id": workflow_id, "position": 1}),
        ("/cancel_workflow", {"workflow_id": workflow_id}),
    ):
        assert mallory.post(path, json=body).status_code == 404, path
    view = alice.get(f"/get_workflow?workflow_id={workflow_id}").get_json()
    assert view["status"] == "running"
    # The file's own organization_id names the system that exported it; the path is the caller's.
    assert count(database_url, Workflow, organization_id="org-a") == 1
    assert count(database_url, ContentRequest, organization_id="org-b") == 0
    assert alice.get(f"/workflow_events?workflow_id={workflow_id}&max_s=0").status_code == 200


# --- the quota --------------------------------------------------------------------------------------------


def test_the_quota_is_per_key_counted_in_the_database_and_answered_with_429_and_retry_after(
    stack, env, database_url
):
    from functions import main as functions_main

    env(api_key_calls_per_minute=3)
    busy, other = new_key("org-a"), new_key("org-a")
    probe = f"/get_request_status?request_id={uuid.uuid4()}"
    for _ in range(2):
        assert app().get(probe, headers={"X-API-Key": busy}).status_code == 404
    functions_main.reset()  # a new function instance: the count lives in the database, not in memory
    assert app().get(probe, headers={"X-API-Key": busy}).status_code == 404
    refused = app().get(probe, headers={"X-API-Key": busy})
    assert refused.status_code == 429 and refused.get_json()["error"] == "quota_exceeded"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert app().get(probe, headers={"X-API-Key": other}).status_code == 404  # another key has its own
    engine = create_engine(database_url)
    with engine.connect() as connection:
        used = connection.execute(select(ApiKey.id, ApiKey.last_used_at)).all()
    engine.dispose()
    assert all(last_used is not None for _key_id, last_used in used)


# --- `vividly keys` ---------------------------------------------------------------------------------------


def test_keys_cli_prints_a_key_once_lists_without_secrets_and_refuses_bad_input(stack, capfd):
    from cli.main import app as cli

    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "--org", "org-c", "--role", "viewer", "--label", "wall"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    key = api_keys.parse(token)
    assert key is not None
    assert (
        app().get(f"/get_request_status?request_id={uuid.uuid4()}", headers={"X-API-Key": token}).status_code
        == 404
    )

    listed = runner.invoke(cli, ["keys", "list", "--org", "org-c"])
    assert listed.exit_code == 0 and key.key_id in listed.stdout and "viewer" in listed.stdout
    assert key.secret not in listed.stdout
    for args in (["keys", "create", "--org", "bad org"], ["keys", "create", "--org", "o", "--role", "admin"]):
        refused = runner.invoke(cli, args)
        assert refused.exit_code == 2
    assert runner.invoke(cli, ["keys", "revoke", "0" * 16]).exit_code == 2
    captured = capfd.readouterr()
    assert key.secret not in captured.out + captured.err  # no log line ever holds a key


@pytest.mark.parametrize("variable", ["API_KEY_PEPPER"])
def test_in_the_cloud_no_pepper_means_no_keys_rather_than_a_made_up_one(monkeypatch, tmp_path, variable):
    from shared.auth.pepper import pepper
    from shared.config import Settings
    from shared.errors import PermanentError

    monkeypatch.setenv("K_SERVICE", "submit-content-request")
    monkeypatch.delenv(variable, raising=False)
    with pytest.raises(PermanentError, match="API_KEY_PEPPER"):
        pepper(Settings(api_key_pepper_file=tmp_path / "pepper"))
    assert not (tmp_path / "pepper").exists()
    assert pepper(Settings(api_key_pepper="from-secret-manager")) == b"from-secret-manager"


def test_owners_manage_their_own_organisations_keys_and_members_over_http(stack, database_url):
    owner = signed_in(app(), new_key("org-a", Role.OWNER))
    rival = signed_in(app(), new_key("org-b", Role.OWNER))
    teacher = signed_in(app(), new_key("org-a", Role.TEACHER))

    made = owner.post("/create_api_key", json={"role": "service", "label": "backend"})
    assert made.status_code == 201, made.get_json()
    token, key_id = made.get_json()["key"], made.get_json()["key_id"]
    probe = f"/get_request_status?request_id={uuid.uuid4()}"
    assert app().get(probe, headers={"X-API-Key": token}).status_code == 404  # it works, for org-a
    listed = owner.get("/list_api_keys").get_json()["keys"]
    assert key_id in {k["key_id"] for k in listed} and token.split("_")[2] not in json.dumps(listed)
    assert key_id not in json.dumps(rival.get("/list_api_keys").get_json())

    assert teacher.post("/create_api_key", json={"role": "owner"}).status_code == 403
    assert teacher.get("/list_api_keys").status_code == 403
    assert owner.post("/create_api_key", json={"role": "admin"}).status_code == 422
    assert owner.post("/create_api_key", json={"label": "x" * 201}).status_code == 422
    assert rival.post("/revoke_api_key", json={"key_id": key_id}).status_code == 404  # not theirs to see
    assert app().get(probe, headers={"X-API-Key": token}).status_code == 404
    assert owner.post("/revoke_api_key", json={"key_id": key_id}).get_json()["revoked_at"]
    assert app().get(probe, headers={"X-API-Key": token}).status_code == 401

    assert owner.post("/put_member", json={"user_id": "uid-7", "role": "viewer"}).status_code == 200
    assert (
        owner.post("/put_member", json={"user_id": "uid-7", "role": "teacher"}).get_json()["role"]
        == "teacher"
    )
    assert [m["user_id"] for m in owner.get("/list_members").get_json()["members"]] == ["uid-7"]
    assert rival.get("/list_members").get_json()["members"] == []
    assert rival.post("/remove_member", json={"user_id": "uid-7"}).status_code == 404
    assert owner.post("/put_member", json={"user_id": "\u0007bell"}).status_code == 422
    assert owner.post("/remove_member", json={"user_id": "uid-7"}).status_code == 200
    assert owner.get("/list_members").get_json()["members"] == []


def test_a_stream_token_opens_one_workflows_events_without_headers_and_nothing_else(stack, env):
    from shared.auth import stream_tokens
    from shared.auth.pepper import pepper
    from shared.config import get_settings

    alice = signed_in(app(), new_key("org-a"))
    rival = signed_in(app(), new_key("org-b"))
    data = json.loads(SAMPLE.read_text())
    first = alice.post("/submit_assessment", json=data).get_json()["workflow_id"]
    second = alice.post("/submit_assessment", json=data, headers={"Idempotency-Key": "2"}).get_json()[
        "workflow_id"
    ]
    minted = alice.post("/workflow_stream_token", json={"workflow_id": first})
    assert minted.status_code == 200, minted.get_json()
    token = minted.get_json()["stream_token"]
    assert minted.get_json()["events_url"].endswith(f"stream_token={token}")

    browser = app()  # an EventSource: no header at all
    opened = browser.get(f"/workflow_events?workflow_id={first}&stream_token={token}&max_s=0")
    assert opened.status_code == 200 and opened.mimetype == "text/event-stream"
    assert (
        browser.get(f"/workflow_events?workflow_id={second}&stream_token={token}&max_s=0").status_code == 404
    )
    assert browser.get(f"/get_workflow?workflow_id={first}&stream_token={token}").status_code == 401
    assert rival.post("/workflow_stream_token", json={"workflow_id": first}).status_code == 404

    secret = pepper(get_settings())
    expired, _ = stream_tokens.mint(secret, "org-a", uuid.UUID(first).hex, now=time.time() - 3600)
    forged_org, _ = stream_tokens.mint(b"another pepper", "org-a", uuid.UUID(first).hex, now=time.time())
    theirs, _ = stream_tokens.mint(secret, "org-b", uuid.UUID(first).hex, now=time.time())
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad, status in ((expired, 401), (forged_org, 401), (tampered, 401), ("vst_x.y", 401), (theirs, 404)):
        answer = browser.get(f"/workflow_events?workflow_id={first}&stream_token={bad}&max_s=0")
        assert answer.status_code == status, (bad, answer.get_json())


def test_an_organisations_history_pages_newest_first_filters_and_shows_no_one_elses(stack):
    alice = signed_in(app(), new_key("org-a"))
    viewer = signed_in(app(), new_key("org-a", Role.VIEWER))
    rival = signed_in(app(), new_key("org-b"))
    asked = [f"Explain topic number {n} of the water cycle" for n in range(5)] + ["What is 100% juice?"]
    made = [
        alice.post("/submit_content_request", json={"student_query": q}).get_json()["request_id"]
        for q in asked
    ]
    rival.post("/submit_content_request", json={"student_query": "Explain the secret plans of org b"})

    seen, cursor = [], None
    while True:
        page = viewer.get(
            "/list_requests", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.get_json()
        seen += [r["request_id"] for r in page.get_json()["requests"]]
        cursor = page.get_json()["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]  # newest first, each once, nothing of org-b
    found = viewer.get("/list_requests", query_string={"q": "NUMBER 3"}).get_json()["requests"]
    assert [r["query"] for r in found] == [asked[3]]
    literal = viewer.get("/list_requests", query_string={"q": "100%"}).get_json()["requests"]
    assert [r["query"] for r in literal] == [asked[5]]  # % is a character here, not a wildcard
    assert len(viewer.get("/list_requests?status=pending").get_json()["requests"]) == 6
    assert viewer.get("/list_requests?status=completed").get_json()["requests"] == []
    assert [r["query"] for r in rival.get("/list_requests").get_json()["requests"]] == [
        "Explain the secret plans of org b"
    ]
    assert viewer.get("/list_requests?limit=0").status_code == 422
    assert viewer.get("/list_requests?status=lost").status_code == 422
    assert viewer.get("/list_requests?cursor=bm90LWEtY3Vyc29y").status_code == 400


def test_a_requests_statuses_stream_over_sse_with_a_token_and_resume_after_the_last_event(stack):
    from tests.test_workflow_functions import sse

    alice = signed_in(app(), new_key("org-a"))
    rival = signed_in(app(), new_key("org-b"))
    request_id = alice.post("/submit_content_request", json=QUESTION).get_json()["request_id"]
    alice.post("/cancel_request", json={"request_id": request_id})  # at rest: the stream ends by itself
    minted = alice.post("/request_stream_token", json={"request_id": request_id}).get_json()
    browser = app()
    url = urlsplit(minted["events_url"])
    events = sse(browser.get(f"{url.path}?{url.query}").get_data(as_text=True))
    assert [e["status"] for e in events] == [
        "pending",
        "cancelled",
        "cancelled",
    ]  # two statuses, then the end
    assert [e["event"] for e in events] == ["status", "status", "end"]
    first_id = events[0]["id"]
    resumed = sse(
        browser.get(
            f"/request_events?request_id={request_id}&stream_token={minted['stream_token']}",
            headers={"Last-Event-ID": first_id},
        ).get_data(as_text=True)
    )
    assert [e["event"] for e in resumed] == ["status", "end"]
    assert rival.post("/request_stream_token", json={"request_id": request_id}).status_code == 404
    assert rival.get(f"/request_events?request_id={request_id}&max_s=0").status_code == 404
    workflow_token = minted["stream_token"]
    other = alice.post("/submit_content_request", json={**QUESTION, "idempotency_key": "other"}).get_json()
    assert (
        browser.get(
            f"/request_events?request_id={other['request_id']}&stream_token={workflow_token}"
        ).status_code
        == 404
    )
