"""Topic and subscription names and message attribute keys: the one place they are spelled."""

from __future__ import annotations

REQUESTS_TOPIC = "content-requests"
DEAD_LETTER_TOPIC = "content-requests-dead-letter"
EVENTS_TOPIC = "content-events"

REQUESTS_SUBSCRIPTION = "content-requests-worker"
DEAD_LETTER_SUBSCRIPTION = "content-requests-dead-letter-retained"
EVENTS_SUBSCRIPTION = "content-events-archive"

SCHEMA_VERSION = "1"
ATTR_REQUEST_ID = "request_id"
ATTR_CORRELATION_ID = "correlation_id"
ATTR_SCHEMA_VERSION = "schema_version"
ATTR_EVENT = "event"
ATTR_TRACE = "traceparent"
