"""Create the topics and subscriptions (idempotent): `vividly pubsub setup` on the emulator or a project."""

from __future__ import annotations

from dataclasses import dataclass

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_exception_type
from google.cloud import pubsub_v1  # type: ignore[attr-defined]
from google.protobuf import duration_pb2

from shared.messaging.topics import (
    DEAD_LETTER_SUBSCRIPTION,
    DEAD_LETTER_TOPIC,
    EVENTS_SUBSCRIPTION,
    EVENTS_TOPIC,
    REQUESTS_SUBSCRIPTION,
    REQUESTS_TOPIC,
)

# An admin command: fail within seconds with a clear message rather than retry for minutes.
CALL_TIMEOUT_S = 15.0
RETRY = Retry(predicate=if_exception_type(gexc.ServiceUnavailable), timeout=CALL_TIMEOUT_S)


@dataclass(frozen=True)
class Topology:
    project: str
    max_delivery_attempts: int = 5
    ack_deadline_s: int = 60
    min_backoff_s: int = 10
    max_backoff_s: int = 600


def ensure_topology(topology: Topology) -> list[str]:
    """Create what is missing; return what was created. Running it twice changes nothing."""
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    created: list[str] = []
    project = topology.project

    for topic in (REQUESTS_TOPIC, DEAD_LETTER_TOPIC, EVENTS_TOPIC):
        try:
            publisher.create_topic(
                name=publisher.topic_path(project, topic), timeout=CALL_TIMEOUT_S, retry=RETRY
            )
            created.append(f"topic {topic}")
        except gexc.AlreadyExists:
            pass

    subscriptions = [
        {
            "name": subscriber.subscription_path(project, REQUESTS_SUBSCRIPTION),
            "topic": publisher.topic_path(project, REQUESTS_TOPIC),
            "ack_deadline_seconds": topology.ack_deadline_s,
            # No message ordering: with ordering on, the emulator never dead-letters.
            "dead_letter_policy": {
                "dead_letter_topic": publisher.topic_path(project, DEAD_LETTER_TOPIC),
                "max_delivery_attempts": topology.max_delivery_attempts,
            },
            "retry_policy": {
                "minimum_backoff": duration_pb2.Duration(seconds=topology.min_backoff_s),
                "maximum_backoff": duration_pb2.Duration(seconds=topology.max_backoff_s),
            },
        },
        {
            # A topic with no subscription drops what it is sent: keep dead letters until handled.
            "name": subscriber.subscription_path(project, DEAD_LETTER_SUBSCRIPTION),
            "topic": publisher.topic_path(project, DEAD_LETTER_TOPIC),
            "ack_deadline_seconds": 60,
        },
        {
            "name": subscriber.subscription_path(project, EVENTS_SUBSCRIPTION),
            "topic": publisher.topic_path(project, EVENTS_TOPIC),
            "ack_deadline_seconds": 60,
        },
    ]
    for spec in subscriptions:
        try:
            subscriber.create_subscription(request=spec, timeout=CALL_TIMEOUT_S, retry=RETRY)
            created.append(f"subscription {spec['name'].rsplit('/', 1)[-1]}")
        except gexc.AlreadyExists:
            pass
    publisher.transport.close()
    subscriber.close()
    return created
