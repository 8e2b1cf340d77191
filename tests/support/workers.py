"""Run workers in tests: in-process consumers on threads, or `python -m worker` subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared import bootstrap
from shared.config import get_settings
from shared.db import repository as repo
from shared.messaging.subscriber import PubSubSubscriber
from shared.messaging.topics import REQUESTS_SUBSCRIPTION
from worker.consumer import Consumer
from worker.events import MetricsHook
from worker.pipeline import PipelineRunner

ECHO = "devstack.echo_pipeline:echo_stages"
ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate: Callable[[], Any], *, timeout_s: float, every_s: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every_s)
    raise TimeoutError(f"condition not met within {timeout_s}s")


def make_runner(resources: bootstrap.Resources, *, worker_id: str | None = None) -> PipelineRunner:
    from devstack.echo_pipeline import echo_stages

    return PipelineRunner.for_resources(
        echo_stages(), resources, worker_id=worker_id or f"test-{uuid.uuid4().hex[:6]}", hooks=[MetricsHook()]
    )


class ThreadWorker:
    """A Consumer on a background thread, with its own subscriber client and database engine."""

    def __init__(
        self, *, keep_leases: bool = True, concurrency: int = 2, worker_id: str | None = None
    ) -> None:
        settings = get_settings()
        self.resources = bootstrap.build(settings)
        self.runner = make_runner(self.resources, worker_id=worker_id)
        self.subscriber = PubSubSubscriber(settings.gcp_project, REQUESTS_SUBSCRIPTION)
        self.consumer = Consumer(
            self.subscriber,
            self.runner,
            concurrency=concurrency,
            batch_size=10,
            ack_deadline_s=settings.ack_deadline_s,
            lease_interval_s=2.0,
            pull_timeout_s=1.0,
            keep_leases=keep_leases,
            hold_s=settings.outage_budget_s,
        )
        self.thread: threading.Thread | None = None

    def drain(self) -> Any:
        return self.consumer.run(drain=True)

    def start(self) -> ThreadWorker:
        self.thread = threading.Thread(target=self.consumer.run, kwargs={"drain": False}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.consumer.stop()
        if self.thread:
            self.thread.join(timeout=30)
        self.subscriber.close()
        self.resources.close()


def spawn_worker(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "--pipeline", ECHO, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def request_status(resources: bootstrap.Resources, request_id: uuid.UUID) -> str:
    with resources.sessions() as session:
        return repo.get_request(session, request_id).status


def stage_runs(log_path: Path) -> list[str]:
    if not log_path.exists():
        return []
    return [line.split()[0] for line in log_path.read_text().splitlines()]
