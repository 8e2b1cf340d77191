"""The pull loop of the Cloud Run Job: pull in batches, run requests with bounded concurrency, ack or nack.

Ack on success and on outcomes at rest (completed, clarification_needed, rejected, failed, cancelled).
A request another worker holds, or one stopped by an outage (the database, a dependency), is retried
inside the same delivery for up to `hold_s` while the lease keeper keeps the message: waiting must not
spend the delivery attempts that decide when a message is poison. Everything else is nacked, so Pub/Sub
redelivers with backoff and finally dead-letters.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Protocol

import structlog
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_delay,
    stop_when_event_set,
    wait_exponential_jitter,
)

from shared import metrics
from shared.db.outage import is_database_down
from shared.db.repository import Actor
from shared.errors import NotFound, TransientError, reason_of
from shared.logs import get_logger
from shared.messages import RequestMessage
from shared.messaging.subscriber import Received
from shared.resilience import log_each_wait
from worker.lease import LeaseKeeper
from worker.pipeline import Interrupted, PipelineRunner

log = get_logger("worker")


class Subscriber(Protocol):
    def pull(self, max_messages: int, *, timeout_s: float = ...) -> list[Received]: ...
    def ack(self, ack_ids: list[str]) -> None: ...
    def nack(self, ack_ids: list[str]) -> None: ...
    def extend(self, ack_ids: list[str], seconds: int) -> None: ...


class Verdict(StrEnum):
    ACK = "ack"
    NACK = "nack"


@dataclass
class ConsumerStats:
    """Counted from the stage threads, hence the lock."""

    acked: int = 0
    nacked: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, verdict: Verdict) -> None:
        with self._lock:
            if verdict is Verdict.ACK:
                self.acked += 1
            else:
                self.nacked += 1


class Consumer:
    def __init__(
        self,
        subscriber: Subscriber,
        runner: PipelineRunner,
        *,
        concurrency: int,
        batch_size: int,
        ack_deadline_s: int,
        lease_interval_s: float,
        orphan_grace_s: float = 60.0,
        pull_timeout_s: float = 5.0,
        keep_leases: bool = True,
        hold_s: float = 60.0,
        shutdown_grace_s: float = 8.0,
    ) -> None:
        self.subscriber = subscriber
        self.runner = runner
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.orphan_grace_s = orphan_grace_s
        self.pull_timeout_s = pull_timeout_s
        self.keep_leases = keep_leases
        self.hold_s = hold_s
        self.shutdown_grace_s = shutdown_grace_s
        self._answer_lock = threading.Lock()
        self._handed_back: set[str] = set()
        self.stop_event = threading.Event()
        self.stats = ConsumerStats()
        self.lease = LeaseKeeper(
            subscriber.extend, runner.renew_claim, ack_deadline_s=ack_deadline_s, interval_s=lease_interval_s
        )

    def stop(self) -> None:
        """Stop pulling; in-flight requests stop at the next stage boundary and are nacked."""
        self.stop_event.set()

    def run(self, *, drain: bool, idle_polls_to_exit: int = 2) -> ConsumerStats:
        if self.keep_leases:
            self.lease.start()
        inflight: dict[Future[Verdict], Received] = {}
        idle = 0
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="stage")
        try:
            while not self.stop_event.is_set():
                done = [f for f in inflight if f.done()]
                for future in done:
                    inflight.pop(future)
                free = self.concurrency - len(inflight)
                if free <= 0:
                    wait(list(inflight), timeout=1.0, return_when=FIRST_COMPLETED)
                    continue
                messages = self.subscriber.pull(min(free, self.batch_size), timeout_s=self.pull_timeout_s)
                if not messages:
                    if drain and not inflight:
                        idle += 1
                        if idle >= idle_polls_to_exit:
                            break
                    elif inflight:
                        wait(list(inflight), timeout=0.5, return_when=FIRST_COMPLETED)
                    continue
                idle = 0
                for message in messages:
                    inflight[pool.submit(self._process, message)] = message
        finally:
            if self.stop_event.is_set():
                # Shutdown: in-flight work stops at its next stage boundary and nacks itself; what is still
                # running after the grace is handed back now, so another worker need not wait for its deadline.
                _, running = wait(list(inflight), timeout=self.shutdown_grace_s)
                self._hand_back([inflight[future] for future in running])
            self.lease.stop()
            pool.shutdown(wait=False, cancel_futures=True)
        return self.stats

    def _pause(self, seconds: float) -> None:
        self.stop_event.wait(seconds)  # a shutdown ends the wait at once

    def _process(self, message: Received) -> Verdict:
        metrics.QUEUE_LAG_SECONDS.observe(max((datetime.now(UTC) - message.publish_time).total_seconds(), 0))
        with self.lease.hold(message.ack_id) as bind:
            verdict = self._decide(message, bind)
        with self._answer_lock:
            if message.ack_id in self._handed_back:  # already nacked at shutdown
                return Verdict.NACK
            self._answer(message, verdict)
        return verdict

    def _answer(self, message: Received, verdict: Verdict) -> None:
        metrics.DELIVERIES.labels(verdict=verdict.value).inc()
        self.stats.count(verdict)
        try:
            if verdict is Verdict.ACK:
                self.subscriber.ack([message.ack_id])
            else:
                self.subscriber.nack([message.ack_id])
        except Exception as exc:  # the deadline lapses and Pub/Sub redelivers: still safe
            log.warning("ack/nack failed", error=str(exc), verdict=verdict.value)

    def _hand_back(self, messages: list[Received]) -> None:
        with self._answer_lock:
            for message in messages:
                log.info("still running at shutdown; handed back", message_id=message.message_id)
                self._handed_back.add(message.ack_id)
                self._answer(message, Verdict.NACK)

    def _decide(self, message: Received, bind: Callable[[uuid.UUID, str], None]) -> Verdict:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            message_id=message.message_id, delivery_attempt=message.delivery_attempt
        )
        try:
            request = RequestMessage.decode(message.data, message.attributes)
        except ValueError as exc:
            log.error("unreadable message; it will be dead-lettered", error=str(exc))
            return Verdict.NACK
        structlog.contextvars.bind_contextvars(
            request_id=str(request.request_id), correlation_id=request.correlation_id, trace=request.trace
        )
        actor = Actor(worker_id=self.runner.worker_id, delivery_attempt=message.delivery_attempt)
        run = partial(
            self.runner.run,
            request.request_id,
            actor=actor,
            min_attempt=request.attempt,
            should_stop=self.stop_event,
            on_claimed=bind,
        )
        holding = Retrying(
            retry=retry_if_exception(worth_holding),
            stop=stop_after_delay(self.hold_s) | stop_when_event_set(self.stop_event),
            wait=wait_exponential_jitter(initial=0.5, max=5.0),
            sleep=self._pause,
            before_sleep=log_each_wait(log.info, "holding the message"),
            reraise=True,
        )
        try:
            result = holding(run)
        except NotFound:
            age_s = (datetime.now(UTC) - message.publish_time).total_seconds()
            if age_s < self.orphan_grace_s:
                log.info("request not visible yet; will retry", age_s=round(age_s, 1))
                return Verdict.NACK
            log.warning("message names no request; dropped", age_s=round(age_s, 1))
            return Verdict.ACK
        except Exception as exc:
            if worth_holding(exc) or isinstance(exc, Interrupted):
                log.info("handing the message back", reason=reason_of(exc))
            else:
                log.exception("stage failed; will retry")
            return Verdict.NACK
        log.info(
            "request done", status=result.status.value, ran=result.stages_run, skipped=result.stages_skipped
        )
        return Verdict.ACK


def worth_holding(exc: BaseException) -> bool:
    """Waiting helps: another worker holds the request, or a dependency or the database is down (not a
    malformed answer from a service that did answer: that is retried by redelivery, and counted)."""
    if is_database_down(exc):
        return True
    return (
        isinstance(exc, TransientError) and not isinstance(exc, Interrupted) and getattr(exc, "outage", True)
    )
