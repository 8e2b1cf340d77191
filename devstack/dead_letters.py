"""Deliver dead letters to `handle_dead_letter` locally, as Eventarc's Pub/Sub trigger does in the cloud."""

from __future__ import annotations

import base64
from collections.abc import Callable

from cloudevents.http import CloudEvent
from google.api_core.exceptions import DeadlineExceeded
from google.cloud import pubsub_v1

from shared.logs import get_logger
from shared.messaging.topics import DEAD_LETTER_SUBSCRIPTION, DEAD_LETTER_TOPIC

log = get_logger("dead-letters")


def deliver_dead_letters(
    project: str, handler: Callable[[CloudEvent], None], *, timeout_s: float = 2.0
) -> int:
    """Hand each waiting dead letter to `handler` as a CloudEvent; ack those it took; return their count."""
    client = pubsub_v1.SubscriberClient()
    path = client.subscription_path(project, DEAD_LETTER_SUBSCRIPTION)
    try:
        response = client.pull(request={"subscription": path, "max_messages": 50}, timeout=timeout_s)
    except DeadlineExceeded:
        return 0
    handled, handed_back = [], []
    try:
        for received in response.received_messages:
            message = received.message
            event = CloudEvent(
                {
                    "type": "google.cloud.pubsub.topic.v1.messagePublished",
                    "source": f"//pubsub.googleapis.com/projects/{project}/topics/{DEAD_LETTER_TOPIC}",
                },
                {
                    "message": {
                        "data": base64.b64encode(message.data).decode(),
                        "attributes": dict(message.attributes),
                        "messageId": message.message_id,
                    },
                    "subscription": path,
                },
            )
            try:
                handler(event)
            except Exception as exc:  # as Eventarc's retry policy does: delivered again on a later call
                log.info("dead letter handed back", error=type(exc).__name__, message_id=message.message_id)
                handed_back.append(received.ack_id)
                continue
            handled.append(received.ack_id)
    finally:
        if handled:
            client.acknowledge(request={"subscription": path, "ack_ids": handled})
        if handed_back:
            client.modify_ack_deadline(
                request={"subscription": path, "ack_ids": handed_back, "ack_deadline_seconds": 0}
            )
        client.close()
    return len(handled)
