"""The ``customer-updates`` subscription: tell the customer about MoveRegistered, TruckAssigned, MoveUnassignable
and MoveCompleted through SNS, once per event (SQS batch of EventBridge events).

Each record: claim the event and write its message as PENDING (one transaction), then publish it and mark it SENT
(another); ``store.py`` explains why, and the one failure that can still repeat a message. A redelivered event
finds its message SENT and sends nothing; one whose publish failed finds it PENDING and sends the same content.
A record that fails is reported in ``batchItemFailures``, so only it is retried, and after the queue's maximum
receives it goes to the DLQ.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import Field

from handlers.moving.consuming import MovingConsumer
from handlers.moving.contracts import MoveRegistered, event_move_id
from handlers.moving.notifications import logic
from handlers.moving.notifications.notifier import SnsNotifier
from handlers.moving.notifications.store import Delivery, NotificationStore
from handlers.shared.clock import utc_now
from handlers.shared.consumer import ReceivedEvent, declared_events
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

CONSUMER = "notifications-customer-updates"


class NotificationSettings(ServiceSettings):
    """The service's settings plus the topic it publishes to (``architectures/wiring.py`` names the variable)."""

    topic_arn: str = Field(alias="TOPIC_CUSTOMER_NOTIFICATIONS_ARN", min_length=1)


class Notifier(Protocol):
    """What the consumer needs of a notifier (:class:`SnsNotifier` in the cloud and locally): publish one message,
    return its id, raise when it was not accepted."""

    def send(self, message: logic.Message) -> str: ...


class CustomerUpdatesConsumer(MovingConsumer):
    """Handles one received event; raises to have its record retried."""

    name = CONSUMER
    consumed = declared_events("moving", "notifications", "customer-updates")

    def __init__(self, store: NotificationStore, notifier: Notifier,
                 clock: Callable[[], datetime] = utc_now) -> None:  # fmt: skip
        self.store = store
        self.notifier = notifier
        self.clock = clock

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        move_id = event_move_id(event)
        learn = logic.move_info(event) if isinstance(event, MoveRegistered) else None
        fresh = self.store.prepare(CONSUMER, event.event_id, move_id, learn,
                                   lambda move: _compose(event, move, move_id), now=self.clock())  # fmt: skip
        sent = self.store.deliver(event.event_id, self.notifier.send, now=self.clock())
        if sent is None:  # cannot happen: a claimed event always has its row (same transaction)
            raise RuntimeError(f"event {event.event_id} was claimed but has no notification")
        if sent.delivery is Delivery.ALREADY_SENT:
            log.info("%s %s was already told to the customer", received.detail_type, event.event_id)
        elif not fresh:
            log.info("%s %s: a pending notification was sent on retry", received.detail_type, event.event_id)


def _compose(event: EventDetail, move: logic.MoveInfo | None, move_id: str) -> logic.Message:
    if move is None:
        # Without MoveRegistered there is no email to write to, nor a date and cities to write. The events come
        # through a standard SQS queue, so a TruckAssigned can overtake the MoveRegistered it follows by moments:
        # raising rolls the claim back and returns the record to the queue, whose retries give the MoveRegistered
        # time to arrive. One that never arrives (lost upstream, another stage's bus) leaves the record in the DLQ
        # after the queue's maximum receives, where it can be inspected and redriven instead of vanishing silently.
        raise logic.MoveNotSeen(move_id, event.DETAIL_TYPE)
    return logic.compose(event, move)


@functools.cache
def default_consumer() -> CustomerUpdatesConsumer:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = NotificationSettings.from_env()
    return CustomerUpdatesConsumer(NotificationStore(service_database(settings)), SnsNotifier(settings.topic_arn))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_consumer().process(event, context)
