"""Synchronous pull over google-cloud-pubsub: pull a batch, ack, nack, extend leases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Received:
    ack_id: str
    message_id: str
    data: bytes
    attributes: dict[str, str]
    delivery_attempt: int
    publish_time: datetime


class PubSubSubscriber:
    def __init__(self, project: str, subscription: str) -> None:
        self.client = pubsub_v1.SubscriberClient()
        self.path = self.client.subscription_path(project, subscription)

    def pull(self, max_messages: int, *, timeout_s: float = 10.0) -> list[Received]:
        try:
            response = self.client.pull(
                request={"subscription": self.path, "max_messages": max_messages}, timeout=timeout_s
            )
        except gexc.DeadlineExceeded:
            return []  # an empty pull may block until the deadline: that is "nothing there"
        return [
            Received(
                ack_id=m.ack_id,
                message_id=m.message.message_id,
                data=m.message.data,
                attributes=dict(m.message.attributes),
                # The emulator and the service count 1..N once a dead-letter policy is set; 0 means none.
                delivery_attempt=m.delivery_attempt or 1,
                publish_time=m.message.publish_time,
            )
            for m in response.received_messages
        ]

    def ack(self, ack_ids: list[str]) -> None:
        if ack_ids:
            self.client.acknowledge(request={"subscription": self.path, "ack_ids": ack_ids})

    def extend(self, ack_ids: list[str], seconds: int) -> None:
        if ack_ids:
            self.client.modify_ack_deadline(
                request={"subscription": self.path, "ack_ids": ack_ids, "ack_deadline_seconds": seconds}
            )

    def nack(self, ack_ids: list[str]) -> None:
        # Deadline 0 hands the message back; the subscription's retry policy spaces out redelivery.
        self.extend(ack_ids, 0)

    def close(self) -> None:
        self.client.close()
