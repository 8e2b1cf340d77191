"""Publishing: a small Protocol, the Pub/Sub implementation, and a local JSON-lines one for offline runs."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Protocol

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1  # type: ignore[attr-defined]

from shared.errors import PublishFailed


class Publisher(Protocol):
    def publish(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        """Publish and wait for the server's message id; raise PublishFailed."""
        ...


class PubSubPublisher:
    def __init__(self, project: str, *, timeout_s: float = 10.0) -> None:
        self.project = project
        self.timeout_s = timeout_s
        # The request path waits for each publish: the default 10 ms batching window would add 10 ms to
        # every submit, so send almost at once (concurrent publishes still share a batch).
        self.client = pubsub_v1.PublisherClient(
            batch_settings=pubsub_v1.types.BatchSettings(max_latency=0.002)
        )

    def publish(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        future = self.client.publish(self.client.topic_path(self.project, topic), data, **attributes)
        try:
            return str(future.result(timeout=self.timeout_s))
        except (gexc.GoogleAPIError, TimeoutError, OSError) as exc:
            raise PublishFailed(f"could not publish to {topic}: {exc.__class__.__name__}") from exc

    def check(self) -> None:
        """Health check: the requests topic answers."""
        from shared.messaging.topics import REQUESTS_TOPIC

        self.client.get_topic(
            topic=self.client.topic_path(self.project, REQUESTS_TOPIC), timeout=self.timeout_s
        )


class JsonLinesPublisher:
    """Offline stand-in for a topic: appends each message to `<folder>/<topic>.jsonl`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def publish(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        message_id = uuid.uuid4().hex
        line = json.dumps({"message_id": message_id, "data": data.decode(), "attributes": attributes})
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            with (self.folder / f"{topic}.jsonl").open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        return message_id

    def check(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
