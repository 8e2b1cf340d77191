"""Publishing: a small Protocol and a local JSON-lines implementation for offline runs (Pub/Sub: pubsub_publisher)."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Protocol


class Publisher(Protocol):
    def publish(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        """Publish and wait for the server's message id; raise PublishFailed."""
        ...


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
