"""The critical settings of terraform/, checked without cloud access (python-hcl2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.hcl import load_terraform, walk

TF = load_terraform(Path(__file__).resolve().parents[1] / "terraform")
RES = TF["resource"]


def block(body: dict, name: str) -> dict:
    value = body.get(name)
    assert value, f"missing block {name}"
    return value[0] if isinstance(value, list) else value


def test_every_subscription_retries_and_dead_letters_unless_it_is_the_end_of_the_line():
    subscriptions = RES["google_pubsub_subscription"]
    assert subscriptions
    for name, sub in subscriptions.items():
        assert "retry_policy" in sub, name
        terminal = "terminal" in str(sub.get("labels", ""))
        assert terminal or "dead_letter_policy" in sub, f"{name} has no dead-letter policy"
        assert sub.get("enable_message_ordering", False) is False, f"{name}: ordering breaks dead-lettering"


def test_every_dead_letter_topic_keeps_its_messages_and_the_service_agent_can_forward():
    subscriptions = RES["google_pubsub_subscription"]
    dead_letter_refs = {
        block(s, "dead_letter_policy")["dead_letter_topic"]
        for s in subscriptions.values()
        if "dead_letter_policy" in s
    }
    assert dead_letter_refs
    for ref in dead_letter_refs:
        topic = ref.removeprefix("${").removesuffix(".id}")
        assert any(s["topic"] == ref for s in subscriptions.values()), (
            f"nothing subscribes to {topic}: dead letters would be lost"
        )
    grants = RES["google_pubsub_topic_iam_member"]["dead_letter_publisher"]
    assert grants["role"] == "roles/pubsub.publisher" and "pubsub_service_agent" in grants["member"]
    sub_grants = RES["google_pubsub_subscription_iam_member"]["dead_letter_source_subscriber"]
    assert sub_grants["role"] == "roles/pubsub.subscriber" and "pubsub_service_agent" in sub_grants["member"]
    published = str(grants["for_each"])
    for ref in dead_letter_refs:
        assert ref.removeprefix("${").removesuffix(".id}") in published


def test_request_subscription_matches_the_worker():
    sub = RES["google_pubsub_subscription"]["requests_worker"]
    assert sub["ack_deadline_seconds"] == "${var.ack_deadline_s}"
    assert block(sub, "dead_letter_policy")["max_delivery_attempts"] == "${var.max_delivery_attempts}"
    validation = block(TF["variable"]["max_delivery_attempts"], "validation")
    assert ">= 5" in validation["condition"]
    worker_env = TF["locals"]["worker_env"]
    assert worker_env["ACK_DEADLINE_S"] == "${tostring(var.ack_deadline_s)}"
    assert worker_env["MAX_DELIVERY_ATTEMPTS"] == "${tostring(var.max_delivery_attempts)}"


def test_no_public_bucket_and_work_files_expire():
    for name, bucket in RES["google_storage_bucket"].items():
        assert bucket["uniform_bucket_level_access"] is True, name
        assert bucket["public_access_prevention"] == "enforced", name
    lifecycle = block(RES["google_storage_bucket"]["work"], "lifecycle_rule")
    assert block(lifecycle, "action")["type"] == "Delete"


def test_no_primitive_roles_and_nothing_public():
    for kind, named in RES.items():
        for name, body in named.items():
            for key, value in walk(body):
                if key == "role":
                    assert value not in ("roles/owner", "roles/editor", "roles/viewer"), f"{kind}.{name}"
                if key == "member":
                    assert "allUsers" not in str(value) and "allAuthenticatedUsers" not in str(value), (
                        f"{kind}.{name}"
                    )


def test_worker_job_runs_as_its_own_account_from_an_image_digest():
    job = RES["google_cloud_run_v2_job"]["worker"]
    task = block(block(job, "template"), "template")
    assert task["service_account"] == "${google_service_account.worker.email}"
    container = block(task, "containers")
    assert container["image"] == "${var.worker_image}"
    assert container["args"] == ["--drain"]
    assert re.search(r"@sha256", block(TF["variable"]["worker_image"], "validation")["condition"])
    assert block(task, "vpc_access")["egress"] == "PRIVATE_RANGES_ONLY"
    assert "secret_key_ref" in str(container)  # secrets from Secret Manager, not plain env
    assert block(job, "template")["task_count"] == "${var.job_tasks}"


def test_each_function_has_its_own_account_and_submit_only_publishes_requests():
    http = RES["google_cloudfunctions2_function"]["http"]
    assert (
        "google_service_account.functions[each.value.sa].email"
        in block(http, "service_config")["service_account_email"]
    )
    dlq = RES["google_cloudfunctions2_function"]["dead_letter"]
    assert (
        block(dlq, "service_config")["service_account_email"]
        == '${google_service_account.functions["dead_letter"].email}'
    )
    assert block(dlq, "event_trigger")["pubsub_topic"] == "${google_pubsub_topic.dead_letter.id}"
    submit_roles = [
        (kind, name, body["role"])
        for kind, named in RES.items()
        for name, body in named.items()
        if "role" in body and 'functions["submit"]' in str(body)
    ]
    pubsub_roles = {role for kind, _name, role in submit_roles if kind.startswith("google_pubsub")}
    assert pubsub_roles == {"roles/pubsub.publisher"}
    accounts = RES["google_service_account"]["functions"]["for_each"]
    assert set(accounts) == {
        "submit",
        "status",
        "answer",
        "cancel",
        "retry",
        "health",
        "dead_letter",
        "path_submit",
        "path_read",
        "path_change",
        "export",
        "access",
    }
    # Every HTTP function the local app serves is deployed, each as one of them; only the event stream
    # stays open long, and the export, which zips a whole lesson, gets two minutes.
    from functions.local_app import HTTP_FUNCTIONS

    functions = TF["locals"]["http_functions"]
    assert set(functions) == set(HTTP_FUNCTIONS)
    assert {f["sa"] for f in functions.values()} <= set(accounts)
    assert {name: f["timeout"] for name, f in functions.items() if f["timeout"] > 60} == {
        "workflow_events": 3600,
        "request_events": 3600,
        "export_lesson_file": 120,
    }
    for kind, name, _role in submit_roles:
        if kind.startswith("google_pubsub"):
            assert RES[kind][name].get("topic") == "${google_pubsub_topic.requests.name}"


def test_cloud_sql_is_private_backed_up_protected_and_iam_authenticated():
    instance = RES["google_sql_database_instance"]["main"]
    assert instance["deletion_protection"] is True
    settings = block(instance, "settings")
    ip = block(settings, "ip_configuration")
    assert ip["ipv4_enabled"] is False and ip["private_network"]
    assert block(settings, "backup_configuration")["enabled"] is True
    flags = settings["database_flags"]
    assert {"name": "cloudsql.iam_authentication", "value": "on"} in flags
    assert RES["google_sql_user"]["iam"]["type"] == "CLOUD_IAM_SERVICE_ACCOUNT"


@pytest.mark.parametrize(
    "metric",
    [
        "pubsub.googleapis.com/subscription/num_undelivered_messages",
        "pubsub.googleapis.com/subscription/oldest_unacked_message_age",
        "run.googleapis.com/job/completed_task_attempt_count",
    ],
)
def test_alerts_cover_dead_letters_lag_and_job_failures(metric):
    filters = [
        block(block(p, "conditions"), "condition_threshold")["filter"]
        for p in RES["google_monitoring_alert_policy"].values()
    ]
    assert any(metric in f for f in filters)


def test_scheduler_starts_the_worker_job():
    target = block(RES["google_cloud_scheduler_job"]["drain"], "http_target")
    assert target["uri"].endswith(":run") and "google_cloud_run_v2_job.worker.name" in target["uri"]
    assert (
        block(target, "oauth_token")["service_account_email"] == "${google_service_account.scheduler.email}"
    )


def test_variables_and_outputs_are_documented():
    for section in ("variable", "output"):
        for name, body in TF[section].items():
            assert body.get("description"), f"{section} {name} has no description"
