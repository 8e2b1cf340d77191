"""People sign in with Identity Platform ID tokens: RS256 tokens minted here with a local key, certificates
served on 127.0.0.1 as Google serves them, verified by google-auth through our checks; the tenant names the
organisation and `vividly members` the role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from shared.auth.id_tokens import CertificateCache, IdTokenVerifier
from shared.auth.principal import Unauthenticated
from tests.support.auth import new_key
from tests.support.id_tokens import CertificateServer, SigningKey

PROJECT = "vividly-test"
QUESTION = {"student_query": "Explain the water cycle", "grade_level": "5"}


@pytest.fixture
def signing() -> Iterator[tuple[SigningKey, CertificateServer]]:
    key = SigningKey("kid-1")
    server = CertificateServer(key)
    yield key, server
    server.stop()


@pytest.fixture
def people(stack: Any, env: Any, signing: tuple[SigningKey, CertificateServer]) -> SigningKey:
    """org-a signs in through tenant-a (a teacher and a viewer), org-b through tenant-b (a teacher)."""
    from cli.main import app as cli

    key, server = signing
    env(id_token_audience=PROJECT, id_token_certs_url=server.url)
    runner = CliRunner()
    for args in (
        ["members", "tenant", "--org", "org-a", "--tenant", "tenant-a"],
        ["members", "tenant", "--org", "org-b", "--tenant", "tenant-b"],
        [
            "members",
            "add",
            "--org",
            "org-a",
            "--user",
            "teacher-a",
            "--role",
            "teacher",
            "--email",
            "t@a.org",
        ],
        ["members", "add", "--org", "org-a", "--user", "viewer-a", "--role", "viewer"],
        ["members", "add", "--org", "org-b", "--user", "teacher-b", "--role", "teacher"],
    ):
        done = runner.invoke(cli, args)
        assert done.exit_code == 0, done.output
    return key


def call(token: str) -> Any:
    from functions.local_app import create_app

    client = create_app().test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_member_signs_in_with_their_role_in_their_tenants_organisation(people, signing):
    teacher = call(people.mint(project=PROJECT, subject="teacher-a", tenant="tenant-a"))
    submitted = teacher.post("/submit_content_request", json=QUESTION)
    assert submitted.status_code == 202, submitted.get_json()
    request_id = submitted.get_json()["request_id"]
    assert teacher.get(f"/get_request_status?request_id={request_id}").status_code == 200

    viewer = call(people.mint(project=PROJECT, subject="viewer-a", tenant="tenant-a"))
    assert viewer.get(f"/get_request_status?request_id={request_id}").status_code == 200
    assert viewer.post("/submit_content_request", json=QUESTION).status_code == 403

    # Another organisation's person, and another organisation's machine, see nothing of it.
    outsider = call(people.mint(project=PROJECT, subject="teacher-b", tenant="tenant-b"))
    assert outsider.get(f"/get_request_status?request_id={request_id}").status_code == 404
    assert outsider.post("/cancel_request", json={"request_id": request_id}).status_code == 404
    machine = call(new_key("org-b"))
    assert machine.get(f"/get_request_status?request_id={request_id}").status_code == 404

    # A person of tenant-a who is no member: signed in, but 403 (not 401), and nothing stored.
    stranger = call(people.mint(project=PROJECT, subject="someone", tenant="tenant-a"))
    refused = stranger.post("/submit_content_request", json=QUESTION)
    assert refused.status_code == 403 and "member" in refused.get_json()["message"]
    _key, server = signing
    assert server.fetches == 1  # the certificates were fetched once for all of these calls


def test_forged_foreign_and_expired_tokens_are_401(people, signing):
    other_key = SigningKey("kid-1")  # the same key id, another key: the signature cannot match
    refused = {
        "another audience": people.mint(project=PROJECT, audience="someone-elses-project"),
        "another issuer": people.mint(project=PROJECT, issuer="https://securetoken.google.com/evil"),
        "expired beyond the skew": people.mint(project=PROJECT, expires_in_s=-60),
        "forged signature": other_key.mint(project=PROJECT, subject="teacher-a"),
        "unknown key id": SigningKey("kid-9").mint(project=PROJECT, subject="teacher-a"),
        "no tenant": people.mint(project=PROJECT, subject="teacher-a", tenant=None),
        "a tenant of no organisation": people.mint(project=PROJECT, subject="teacher-a", tenant="tenant-z"),
        "no subject": people.mint(project=PROJECT, subject=""),
        "unsigned": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ0ZWFjaGVyLWEifQ.",
        "not a token": "a.b.c",
    }
    for why, token in refused.items():
        answer = call(token).get(f"/get_request_status?request_id={uuid.uuid4()}")
        assert answer.status_code == 401, (why, answer.get_json())
        assert answer.get_json()["error"] == "unauthenticated"
    # Within the clock-skew allowance (10 s by default) a just-expired token still counts.
    late = people.mint(project=PROJECT, subject="teacher-a", expires_in_s=-5)
    assert call(late).get(f"/get_request_status?request_id={uuid.uuid4()}").status_code == 404


def test_without_an_audience_configured_no_id_token_is_accepted(stack, env, signing):
    key, server = signing
    env(id_token_certs_url=server.url)  # no ID_TOKEN_AUDIENCE
    token = key.mint(project=PROJECT, subject="teacher-a")
    assert call(token).get(f"/get_request_status?request_id={uuid.uuid4()}").status_code == 401
    assert server.fetches == 0


def test_certificates_are_kept_for_their_max_age_and_fetched_again_after_it(signing):
    key, server = signing
    now = [1000.0]
    verifier = IdTokenVerifier(
        PROJECT,
        CertificateCache(server.url, clock=lambda: now[0]),
        "https://securetoken.google.com/",
        10,
    )
    token = key.mint(project=PROJECT, subject="u1", tenant="t1", email="u1@example.org")
    identity = verifier.verify(token)
    assert (identity.user_id, identity.tenant, identity.email) == ("u1", "t1", "u1@example.org")
    verifier.verify(token)
    assert server.fetches == 1
    now[0] += 3601  # the server said max-age=3600
    verifier.verify(token)
    assert server.fetches == 2
    server.stop()
    now[0] += 3601  # the endpoint is gone: the certificates already held keep working
    verifier.verify(token)
    with pytest.raises(Unauthenticated):
        IdTokenVerifier(PROJECT, CertificateCache(server.url), "https://securetoken.google.com/", 10).verify(
            token
        )


def test_members_cli_refuses_a_tenant_taken_by_another_organisation_and_unknown_members(people):
    from cli.main import app as cli

    runner = CliRunner()
    taken = runner.invoke(cli, ["members", "tenant", "--org", "org-c", "--tenant", "tenant-a"])
    assert taken.exit_code == 2 and "org-a" in taken.output
    assert runner.invoke(cli, ["members", "remove", "--org", "org-a", "--user", "nobody"]).exit_code == 2
    listed = runner.invoke(cli, ["members", "list", "--org", "org-a"])
    assert "teacher-a" in listed.stdout and "viewer" in listed.stdout
    assert runner.invoke(cli, ["members", "remove", "--org", "org-a", "--user", "viewer-a"]).exit_code == 0
    viewer = call(people.mint(project=PROJECT, subject="viewer-a", tenant="tenant-a"))
    assert viewer.get(f"/get_request_status?request_id={uuid.uuid4()}").status_code == 403
