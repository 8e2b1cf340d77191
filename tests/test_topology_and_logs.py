"""`vividly pubsub setup` is idempotent on the emulator; logs are Cloud Logging JSON with ids, secrets redacted."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog
from google.cloud import pubsub_v1

from shared.logs import configure_logging, get_logger
from shared.messaging.topology import Topology, ensure_topology


@pytest.mark.pubsub
def test_topology_setup_is_idempotent_and_dead_letters(env, pubsub_emulator):
    env(pubsub_emulator_host=pubsub_emulator.host)
    topology = Topology("idempotent-setup", max_delivery_attempts=7, ack_deadline_s=30)
    first = ensure_topology(topology)
    assert len(first) == 6 and ensure_topology(topology) == []
    subscriber = pubsub_v1.SubscriberClient()
    sub = subscriber.get_subscription(
        subscription=subscriber.subscription_path("idempotent-setup", "content-requests-worker")
    )
    assert sub.dead_letter_policy.max_delivery_attempts == 7
    assert sub.dead_letter_policy.dead_letter_topic.endswith("/topics/content-requests-dead-letter")
    assert sub.retry_policy.minimum_backoff.seconds == 10 and sub.ack_deadline_seconds == 30
    assert not sub.enable_message_ordering
    subscriber.close()


def test_logs_are_cloud_logging_json(monkeypatch):
    monkeypatch.setenv("CLOUD_RUN_TASK_INDEX", "3")
    monkeypatch.setenv("CLOUD_RUN_EXECUTION", "job-abc")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "proj")
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    structlog.contextvars.bind_contextvars(request_id="r1", correlation_id="c1", trace="t123")
    get_logger("test").warning("something happened", db_password="hunter2", stage="render")
    structlog.contextvars.clear_contextvars()
    line = json.loads(stream.getvalue())
    assert line["severity"] == "WARNING" and line["message"] == "something happened"
    assert (line["request_id"], line["correlation_id"], line["stage"]) == ("r1", "c1", "render")
    assert line["logging.googleapis.com/trace"] == "projects/proj/traces/t123"
    assert (line["cloud_run_task_index"], line["cloud_run_execution"]) == ("3", "job-abc")
    assert line["db_password"] == "[redacted]" and "hunter2" not in stream.getvalue()


def test_library_logs_are_cloud_logging_json_too():
    # SQLAlchemy's pool logs a dropped connection through stdlib logging, traceback and all: one JSON entry.
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    structlog.contextvars.bind_contextvars(request_id="r2")
    try:
        raise ConnectionResetError(104, "Connection reset by peer")
    except ConnectionResetError:
        logging.getLogger("sqlalchemy.pool.impl.QueuePool").error(
            "Exception terminating connection", exc_info=True
        )
    logging.getLogger("google.api_core").info("chatter below WARNING is dropped")
    chatty = logging.getLogger("some.library")
    chatty.setLevel(logging.DEBUG)  # bm25s does this: its DEBUG lines must still not reach the output
    chatty.debug("Building index from IDs objects")
    structlog.contextvars.clear_contextvars()
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["severity"] == "ERROR" and line["message"] == "Exception terminating connection"
    assert line["request_id"] == "r2" and "ConnectionResetError" in line["exception"]
