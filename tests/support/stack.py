"""Helpers for tests on the spine: a migrated database, the Pub/Sub topology, pulling what was published."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from google.api_core.exceptions import DeadlineExceeded
from google.cloud import pubsub_v1
from sqlalchemy import Engine

from shared.config import Settings
from shared.db.engine import make_engine
from shared.db.migrate import upgrade
from shared.messaging.topology import Topology, ensure_topology


def migrated_engine(database_url: str) -> Engine:
    engine = make_engine(Settings(database_url=database_url))
    upgrade(engine)
    return engine


@dataclass
class PubSubProject:
    project: str
    ack_deadline_s: int

    def pull_all(
        self, subscription: str, *, max_messages: int = 100, timeout_s: float = 3.0
    ) -> list[pubsub_v1.types.ReceivedMessage]:
        """Pull and ack what is waiting (used to check what was, or was not, published)."""
        client = pubsub_v1.SubscriberClient()
        path = client.subscription_path(self.project, subscription)
        try:
            response = client.pull(
                request={"subscription": path, "max_messages": max_messages}, timeout=timeout_s
            )
            received = list(response.received_messages)
            if received:
                client.acknowledge(request={"subscription": path, "ack_ids": [m.ack_id for m in received]})
            return received
        except DeadlineExceeded:
            return []
        finally:
            client.close()


def new_project(
    *, ack_deadline_s: int = 10, max_delivery_attempts: int = 5, min_backoff_s: int = 1
) -> PubSubProject:
    """A fresh emulator project per test keeps topics and subscriptions isolated."""
    project = f"test-{uuid.uuid4().hex[:10]}"
    ensure_topology(
        Topology(
            project,
            max_delivery_attempts=max_delivery_attempts,
            ack_deadline_s=ack_deadline_s,
            min_backoff_s=min_backoff_s,
            max_backoff_s=min_backoff_s + 1,
        )
    )
    return PubSubProject(project, ack_deadline_s)
