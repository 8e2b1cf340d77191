"""Faults benchmark: the spine (echo pipeline, PostgreSQL, the Pub/Sub emulator) under the faults it must survive.

Submits requests at a steady rate while it SIGKILLs a worker every ~15 s (and starts a new one), publishes
duplicate request messages, restarts PostgreSQL, and stops it for 10 s. A client that gets 503 waits its
Retry-After and tries again, as a well-behaved client does. At the end it prints what a user would count:

    accepted / completed / lost / duplicated transitions / dead-lettered / stuck / submit 5xx

Target: every accepted request completes, and 0 for each of the rest.

    python benchmarks/faults.py [--requests 1000] [--rate 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from spine_processes import backing_services, spawn_worker, start_functions
from sqlalchemy import select

from devstack.services import PostgresServer

QUERY = {"student_query": "Explain the water cycle", "grade_level": "5", "duration_minutes": 2}


@dataclass
class Tally:
    accepted: list[str] = field(default_factory=list)
    refused_5xx: Counter[int] = field(default_factory=Counter)  # a 5xx the client gave up on
    retried_503: int = 0
    never_in: int = 0  # transport errors after every retry
    lock: threading.Lock = field(default_factory=threading.Lock)


def submit_with_retries(client: httpx.Client, tally: Tally, *, give_up_after_s: float = 60.0) -> None:
    deadline = time.monotonic() + give_up_after_s
    key = uuid.uuid4().hex  # a retried submit must not become a second request
    while True:
        try:
            response = client.post("/submit_content_request", json={**QUERY, "idempotency_key": key})
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code in (200, 202):
            with tally.lock:
                tally.accepted.append(response.json()["request_id"])
            return
        if response is not None and response.status_code != 503:
            with tally.lock:
                tally.refused_5xx[response.status_code] += 1
            return
        if time.monotonic() > deadline:
            with tally.lock:
                if response is None:
                    tally.never_in += 1
                else:
                    tally.refused_5xx[503] += 1
            return
        with tally.lock:
            tally.retried_503 += response is not None
        retry_after = float(response.headers.get("Retry-After", "1")) if response is not None else 1.0
        time.sleep(retry_after)


class Faults:
    """The fault schedule, on its own thread; every fault is logged with its time."""

    def __init__(self, pg: PostgresServer, workers: list, *, concurrency: int, started: float) -> None:
        self.pg, self.workers, self.concurrency, self.started = pg, workers, concurrency, started
        self.log: list[str] = []
        self.kills = self.duplicates = 0
        self.stop = threading.Event()

    def note(self, what: str) -> None:
        self.log.append(f"{time.perf_counter() - self.started:6.1f} s  {what}")

    def run(
        self, tally: Tally, project: str, *, kill_every_s: float, restart_at_s: float, stop_at_s: float
    ) -> None:
        from google.cloud import pubsub_v1

        from shared.messages import RequestMessage
        from shared.messaging.topics import REQUESTS_TOPIC

        publisher = pubsub_v1.PublisherClient()
        topic = publisher.topic_path(project, REQUESTS_TOPIC)
        next_kill, restarted, stopped = kill_every_s, False, False
        while not self.stop.wait(1.0):
            now = time.perf_counter() - self.started
            if now >= next_kill:
                victim = random.randrange(len(self.workers))
                self.workers[victim].send_signal(signal.SIGKILL)
                self.workers[victim].wait()
                self.workers[victim] = spawn_worker(concurrency=self.concurrency)
                self.kills += 1
                self.note(f"SIGKILL worker {victim}, started a new one")
                next_kill += kill_every_s
            with tally.lock:
                recent = list(tally.accepted[-20:])
            for request_id in random.sample(recent, min(2, len(recent))):  # two duplicates a second
                data, attributes = RequestMessage(uuid.UUID(request_id), 1, "faults").encode()
                publisher.publish(topic, data, **attributes).result(timeout=10)
                self.duplicates += 1
            if not restarted and now >= restart_at_s:
                self.pg.restart()
                restarted = True
                self.note("PostgreSQL restarted")
            if not stopped and now >= stop_at_s:
                self.pg.stop(mode="immediate")
                self.note("PostgreSQL stopped")
                time.sleep(10.0)
                self.pg.start()
                stopped = True
                self.note("PostgreSQL started again after 10 s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="submits per second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--kill-every-s", type=float, default=15.0)
    parser.add_argument("--drain-timeout-s", type=float, default=300.0)
    args = parser.parse_args()
    submit_s = args.requests / args.rate

    # Durable: an immediate stop is a crash, and commits must survive it.
    _root, emulator, pg = backing_services("faults", durable=True)
    os.environ.update(
        {"LOG_LEVEL": "ERROR", "ACK_DEADLINE_S": "10"}
    )  # a killed worker's message is back in 10 s
    from devstack.dead_letters import deliver_dead_letters
    from functions import main as functions_main
    from shared import bootstrap
    from shared.config import get_settings
    from shared.db.migrate import upgrade
    from shared.db.models import ContentRequest, RequestEvent
    from shared.domain.status import AT_REST
    from shared.logs import configure_logging
    from shared.messaging.topology import Topology, ensure_topology

    configure_logging("ERROR")
    res = bootstrap.build(get_settings())
    upgrade(res.engine)
    ensure_topology(Topology("faults", ack_deadline_s=10, min_backoff_s=1, max_backoff_s=10))
    server, base = start_functions(http_workers=2)
    workers = [spawn_worker(concurrency=args.concurrency) for _ in range(args.workers)]
    client = httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=64))

    print(
        f"# faults benchmark: {args.requests} requests at {args.rate:g}/s, {args.workers} workers x "
        f"{args.concurrency} (echo pipeline, PostgreSQL, Pub/Sub emulator)"
    )
    tally = Tally()
    started = time.perf_counter()
    faults = Faults(pg, workers, concurrency=args.concurrency, started=started)
    fault_thread = threading.Thread(
        target=faults.run,
        args=(tally, "faults"),
        kwargs={
            "kill_every_s": args.kill_every_s,
            "restart_at_s": submit_s * 0.35,
            "stop_at_s": submit_s * 0.65,
        },
        daemon=True,
    )
    fault_thread.start()
    dead_letters = 0

    def relay_dead_letters() -> None:
        nonlocal dead_letters
        while not faults.stop.wait(2.0):
            try:
                dead_letters += deliver_dead_letters("faults", functions_main.handle_dead_letter)
            except Exception:  # the database may be stopped right now: the next round delivers them
                continue

    threading.Thread(target=relay_dead_letters, daemon=True).start()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for n in range(args.requests):  # a steady rate, whatever the answers take
            time.sleep(max(0.0, started + n / args.rate - time.perf_counter()))
            pool.submit(submit_with_retries, client, tally)
    submitted_at = time.perf_counter()
    faults.stop.set()
    fault_thread.join()

    def unfinished() -> dict[str, str]:
        with res.sessions() as session:
            rows = session.execute(
                select(ContentRequest.id, ContentRequest.status, ContentRequest.error_code).where(
                    ContentRequest.id.in_(tally.accepted)
                )
            ).all()
        return {str(i): (code or status) for i, status, code in rows if status != "completed"}

    deadline = time.monotonic() + args.drain_timeout_s
    left = unfinished()
    while left and time.monotonic() < deadline and any(s not in AT_REST for s in left.values()):
        time.sleep(1.0)
        left = unfinished()
    drained_s = time.perf_counter() - submitted_at
    time.sleep(3.0)  # let the relay hand over any last dead letter
    with res.sessions() as session:
        found = set(
            map(str, session.scalars(select(ContentRequest.id).where(ContentRequest.id.in_(tally.accepted))))
        )
        events = Counter(
            session.execute(
                select(RequestEvent.request_id, RequestEvent.attempt, RequestEvent.to_status)
            ).all()
        )
    left = unfinished()
    lost = len(set(tally.accepted) - found)
    dead_lettered = sum(1 for v in left.values() if v == "dead_lettered")
    stuck = sum(1 for v in left.values() if v not in AT_REST and v != "dead_lettered")
    other_failed = len(left) - dead_lettered - stuck
    duplicated = sum(1 for count in events.values() if count > 1)
    completed = len(tally.accepted) - len(left) - lost
    submit_5xx = sum(tally.refused_5xx.values()) + tally.never_in

    for process in [*workers, server]:
        process.terminate()
        process.wait(timeout=30)
    emulator.stop()
    pg.destroy()

    for line in faults.log:
        print(f"  {line}")
    print(
        f"faults: {faults.kills} workers killed, {faults.duplicates} duplicate messages, 1 PostgreSQL restart, "
        f"PostgreSQL stopped 10 s; {tally.retried_503} submits answered 503 + Retry-After and retried"
    )
    print(
        f"accepted {len(tally.accepted)}  completed {completed}  lost {lost}  duplicated transitions {duplicated}  "
        f"dead-lettered {dead_lettered}  stuck {stuck}  other failed {other_failed}  submit 5xx {submit_5xx}"
        + (f" {dict(tally.refused_5xx)}, {tally.never_in} never answered" if submit_5xx else "")
    )
    print(f"last request done {drained_s:.1f} s after the last submit")
    ok = len(tally.accepted) == args.requests and completed == len(tally.accepted)
    return 0 if ok and not (lost or duplicated or dead_lettered or stuck or submit_5xx) else 1


if __name__ == "__main__":
    sys.exit(main())
