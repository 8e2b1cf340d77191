"""Prometheus metrics (prometheus-client). The worker serves them on METRICS_PORT; on Cloud Run, Google
Cloud Managed Service for Prometheus scrapes the same /metrics into Cloud Monitoring.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

STAGE_SECONDS = Histogram(
    "vividly_stage_duration_seconds",
    "Wall time of a pipeline stage that ran (checkpoint skips are not observed).",
    ["stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
OUTCOMES = Counter("vividly_request_outcomes_total", "Requests that came to rest, by status.", ["status"])
DELIVERIES = Counter(
    "vividly_deliveries_total", "Request messages handled by the worker, by verdict.", ["verdict"]
)
QUEUE_LAG_SECONDS = Histogram(
    "vividly_queue_lag_seconds",
    "Time from publish to the worker pulling the message.",
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)
DEAD_LETTERS = Counter("vividly_dead_letters_total", "Requests failed by the dead-letter handler.")
