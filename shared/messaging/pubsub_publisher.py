"""The Publisher on Google Cloud Pub/Sub (and its emulator when PUBSUB_EMULATOR_HOST is set)."""

from __future__ import annotations

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1  # type: ignore[attr-defined]

from shared.errors import PublishFailed


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
