"""The ``customer-updates`` subscription: tell the customer about MoveRegistered, TruckAssigned, MoveUnassignable
and MoveCompleted through SNS, once per event (SQS batch of EventBridge events).

``usecases.py`` explains how an event is told once. A record that fails (the move's registration has not arrived,
SNS refused, the database is down) is reported in ``batchItemFailures``, so only it is retried, and after the
queue's maximum receives it goes to the DLQ.
"""

from __future__ import annotations

import logging

from handlers.moving.notifications.usecases import Delivery, NotificationSettings, NotificationUseCases
from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent
from handlers.shared.events import EventDetail

log = logging.getLogger(__name__)


class CustomerUpdatesConsumer(EventConsumer, system="moving", service="notifications", subscription="customer-updates"):
    """Handles one received event; raises to have its record retried."""

    def __init__(self, notifications: NotificationUseCases) -> None:
        self.notifications = notifications

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        delivery = self.notifications.tell(self.name, event)
        if delivery is Delivery.ALREADY_SENT:
            log.info("%s %s was already told to the customer", received.detail_type, event.event_id)
        elif delivery is Delivery.SENT_ON_RETRY:
            log.info("%s %s: a pending notification was sent on retry", received.detail_type, event.event_id)


handler = ConsumerEntry(
    lambda: CustomerUpdatesConsumer(NotificationUseCases.from_settings(NotificationSettings.from_env()))
)
