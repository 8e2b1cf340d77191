"""`python -m worker`: the content worker as a Cloud Run Job task.

--drain (the job default) exits 0 once the subscription is empty; --follow keeps pulling.
SIGTERM stops pulling, hands in-flight messages back, and exits cleanly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

import prometheus_client

from shared import bootstrap
from shared.config import Settings, get_settings
from shared.logs import configure_logging, get_logger
from shared.messaging.subscriber import PubSubSubscriber
from shared.messaging.topics import REQUESTS_SUBSCRIPTION
from shared.workflows.engine import WorkflowEngine
from worker.consumer import Consumer
from worker.events import MetricsHook, OutcomeEvents
from worker.pipeline import PipelineRunner, Stage
from worker.workflows import WorkflowAdvancer

DEFAULT_PIPELINE = "worker.stages:lesson_stages"
log = get_logger("worker")


def load_pipeline(spec: str) -> Callable[[bootstrap.Resources], Sequence[Stage]]:
    """'package.module:function' -> the function that builds the stages from the resources."""
    module_name, _, attr = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    return factory  # type: ignore[no-any-return]


def worker_id(settings: Settings) -> str:
    parts = [socket.gethostname(), str(os.getpid())]
    parts += [p for p in (settings.cloud_run_execution, settings.cloud_run_task_index) if p]
    return "-".join(parts)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--drain", action="store_true", default=True, help="exit once the queue is empty (default)"
    )
    mode.add_argument("--follow", action="store_true", help="keep pulling until SIGTERM")
    parser.add_argument("--pipeline", default=DEFAULT_PIPELINE, help="module:function that builds the stages")
    parser.add_argument("--concurrency", type=int, default=None, help="requests run at once in this task")
    parser.add_argument("--subscription", default=REQUESTS_SUBSCRIPTION)
    return parser.parse_args(argv)


@dataclass
class AssembledWorker:
    resources: bootstrap.Resources
    subscriber: PubSubSubscriber
    consumer: Consumer

    def close(self) -> None:
        self.subscriber.close()
        self.resources.close()


def assemble(
    settings: Settings,
    pipeline: str,
    *,
    subscription: str = REQUESTS_SUBSCRIPTION,
    concurrency: int | None = None,
    pull_timeout_s: float = 5.0,
) -> AssembledWorker:
    """Build the resources, the pipeline runner and the consumer once, at start-up."""
    # No pre-ping: every unit of work the runner does is retried when the database drops its connection.
    resources = bootstrap.build(settings, db_pre_ping=False)
    runner = PipelineRunner.for_resources(
        load_pipeline(pipeline)(resources),
        resources,
        worker_id=worker_id(settings),
        hooks=[
            OutcomeEvents(resources.publisher),
            MetricsHook(),
            WorkflowAdvancer(
                WorkflowEngine(resources.sessions, resources.publisher), resources.content_storage
            ),
        ],
    )
    subscriber = PubSubSubscriber(settings.gcp_project, subscription)
    consumer = Consumer(
        subscriber,
        runner,
        concurrency=concurrency or settings.worker_concurrency,
        batch_size=settings.pull_batch_size,
        ack_deadline_s=settings.ack_deadline_s,
        lease_interval_s=settings.lease_interval_s,
        pull_timeout_s=pull_timeout_s,
        keep_leases=settings.lease_keeper,
        hold_s=settings.outage_budget_s,
    )
    return AssembledWorker(resources, subscriber, consumer)


def main(argv: Sequence[str] | None = None) -> int:
    settings = get_settings()
    configure_logging(settings=settings)
    args = parse_args(argv)
    worker = assemble(settings, args.pipeline, subscription=args.subscription, concurrency=args.concurrency)
    consumer = worker.consumer

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal received; stopping", signal=signal.Signals(signum).name)
        consumer.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if settings.metrics_port:  # scraped by Managed Prometheus's sidecar on Cloud Run, or by hand locally
        prometheus_client.start_http_server(settings.metrics_port)
    log.info("worker started", worker_id=consumer.runner.worker_id, mode="follow" if args.follow else "drain")
    # A worker that crashed between a child's last transition and releasing the next items left its
    # workflow waiting: every execution starts by making that up (idempotent, cheap when nothing waits).
    released = WorkflowEngine(worker.resources.sessions, worker.resources.publisher).advance_all()
    if released:
        log.info("workflow items released at start", released=released)
    try:
        stats = consumer.run(drain=not args.follow)
    finally:
        worker.close()
    log.info("worker stopped", acked=stats.acked, nacked=stats.nacked)
    return 0


def run() -> None:
    try:
        sys.exit(main())
    except Exception as exc:  # one JSON line with severity ERROR, non-zero exit: Cloud Run retries the task
        log.exception("worker crashed", error=str(exc))
        sys.exit(1)
