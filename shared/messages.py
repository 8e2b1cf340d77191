"""The request message: what goes on the content-requests topic (ids only, never media)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from shared.messaging.topics import (
    ATTR_CORRELATION_ID,
    ATTR_REQUEST_ID,
    ATTR_SCHEMA_VERSION,
    ATTR_TRACE,
    SCHEMA_VERSION,
)


@dataclass(frozen=True)
class RequestMessage:
    request_id: uuid.UUID
    attempt: int
    correlation_id: str
    trace: str | None = None  # Cloud Trace id of the HTTP call, so the worker's logs join the same trace

    def encode(self) -> tuple[bytes, dict[str, str]]:
        data = json.dumps({"request_id": str(self.request_id), "attempt": self.attempt}).encode()
        attributes = {
            ATTR_REQUEST_ID: str(self.request_id),
            ATTR_CORRELATION_ID: self.correlation_id,
            ATTR_SCHEMA_VERSION: SCHEMA_VERSION,
        }
        if self.trace:
            attributes[ATTR_TRACE] = self.trace
        return data, attributes

    @classmethod
    def decode(cls, data: bytes, attributes: dict[str, str]) -> RequestMessage:
        """Raise ValueError for a message we cannot read (it will end on the dead-letter topic)."""
        try:
            body = json.loads(data or b"{}")
            request_id = uuid.UUID(str(body.get("request_id") or attributes.get(ATTR_REQUEST_ID)))
            attempt = int(body.get("attempt", 1))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"unreadable request message: {exc}") from exc
        return cls(request_id, attempt, attributes.get(ATTR_CORRELATION_ID, ""), attributes.get(ATTR_TRACE))
