"""Spine benchmark: submit -> Pub/Sub emulator -> worker -> completed, on PostgreSQL, trivial stages.

Prints p50/p95 latency of submit and of status under concurrent clients, end-to-end requests/second,
and lost/duplicated counts. Baseline in the same run: the health endpoint (HTTP + one SELECT 1 +
a topic lookup) under the same load, so the ratios show what the spine itself costs.

    python benchmarks/spine_roundtrip.py [--requests 2000] [--clients 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from spine_processes import backing_services, spawn_worker, start_functions
from sqlalchemy import func, select


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_calls(calls: list, clients: int) -> tuple[list[float], list]:
    latencies: list[float] = []
    results: list = []
    lock = threading.Lock()

    def one(call):
        start = time.perf_counter()
        try:
            result = call()
        except httpx.TransportError as exc:  # counted, not fatal: a benchmark reports what happened
            result = exc
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)
            results.append(result)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, calls))
    return latencies, results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (python -m worker --follow)")
    parser.add_argument(
        "--http-workers", type=int, default=2, help="gunicorn processes serving the functions"
    )
    parser.add_argument("--timeout-s", type=float, default=600)
    args = parser.parse_args()

    root, emulator, pg = backing_services("bench")
    stage_log = root / "stages.log"
    os.environ.update({"LOG_LEVEL": "WARNING", "ECHO_STAGE_LOG": str(stage_log)})
    from shared import bootstrap
    from shared.config import get_settings
    from shared.db.migrate import upgrade
    from shared.db.models import ContentRequest, RequestEvent
    from shared.logs import configure_logging
    from shared.messaging.topology import Topology, ensure_topology

    configure_logging("WARNING")
    settings = get_settings()
    res = bootstrap.build(settings)
    upgrade(res.engine)
    ensure_topology(Topology("bench", ack_deadline_s=30))
    # The functions run as they do in production: a gunicorn server in its own processes.
    server, base = start_functions(http_workers=args.http_workers)
    client = httpx.Client(base_url=base, limits=httpx.Limits(max_connections=args.clients))
    for _ in range(20):  # warm every server process: engine and publisher built before timing
        client.get("/health")

    print(
        f"# spine benchmark: {args.requests} requests, {args.clients} clients, {args.workers} worker consumers"
    )
    health_lat, _ = timed_calls([lambda: client.get("/health")] * min(args.requests, 1000), args.clients)
    # Unloaded service time: one client at a time, before the workers start competing for the CPU.
    solo = {"student_query": "Explain the water cycle", "idempotency_key": None}
    solo_submit, solo_responses = timed_calls(
        [lambda: client.post("/submit_content_request", json=solo)] * 100, 1
    )
    solo_ids = [r.json()["request_id"] for r in solo_responses]
    solo_status, _ = timed_calls(
        [lambda i=i: client.get(f"/get_request_status?request_id={i}") for i in solo_ids], 1
    )

    workers = [spawn_worker(concurrency=8) for _ in range(args.workers)]

    body = {"student_query": "Explain the water cycle", "grade_level": "5", "duration_minutes": 2}
    started = time.perf_counter()
    submit_lat, responses = timed_calls(
        [lambda: client.post("/submit_content_request", json=body)] * args.requests, args.clients
    )
    ids = [r.json()["request_id"] for r in responses if getattr(r, "status_code", 0) == 202] + solo_ids
    errors = Counter(
        getattr(r, "status_code", type(r).__name__) for r in responses if getattr(r, "status_code", 0) != 202
    )
    status_lat, _ = timed_calls(
        [lambda i=i: client.get(f"/get_request_status?request_id={i}") for i in ids], args.clients
    )

    deadline = time.monotonic() + args.timeout_s
    done = 0
    while time.monotonic() < deadline:
        with res.sessions() as session:
            done = session.scalar(
                select(func.count()).select_from(ContentRequest).where(ContentRequest.status == "completed")
            )
        if done >= len(ids):
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    with res.sessions() as session:
        per_request = Counter(session.execute(select(RequestEvent.request_id, RequestEvent.to_status)).all())
    duplicated_transitions = sum(1 for count in per_request.values() if count > 1)
    runs = Counter(tuple(line.split()[:2]) for line in stage_log.read_text().splitlines())  # (stage, request)
    duplicated_stage_runs = sum(1 for count in runs.values() if count > 1)
    lost = len(ids) - done

    for process in [*workers, server]:
        process.terminate()
        process.wait(timeout=30)
    emulator.stop()
    pg.destroy()

    print(
        f"1 client          submit p50 {statistics.median(solo_submit):6.1f} ms  p95 {percentile(solo_submit, 0.95):6.1f} ms"
        f"   status p50 {statistics.median(solo_status):6.1f} ms  p95 {percentile(solo_status, 0.95):6.1f} ms"
    )
    h50, h95 = statistics.median(health_lat), percentile(health_lat, 0.95)
    s50, s95 = statistics.median(submit_lat), percentile(submit_lat, 0.95)
    q50, q95 = statistics.median(status_lat), percentile(status_lat, 0.95)
    print(f"{args.clients} clients:")
    print(f"baseline health   p50 {h50:7.1f} ms   p95 {h95:7.1f} ms")
    print(
        f"submit            p50 {s50:7.1f} ms   p95 {s95:7.1f} ms   (p95 {s95 / h95:.2f}x baseline; target <= 30 ms)"
    )
    print(
        f"status            p50 {q50:7.1f} ms   p95 {q95:7.1f} ms   (p95 {q95 / h95:.2f}x baseline; target <= 15 ms)"
    )
    print(f"end to end        {done} completed in {elapsed:.1f} s = {done / elapsed:.1f} requests/s")
    print(
        f"accepted {len(ids)}  rejected {dict(errors) or 0}  lost {lost}  duplicated transitions {duplicated_transitions}  duplicated stage runs {duplicated_stage_runs}"
    )
    return 0 if lost == 0 and duplicated_transitions == 0 and duplicated_stage_runs == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
