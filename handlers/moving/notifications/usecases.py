"""What the notifications service does: tell a move's customer about each event once, through SNS.

Telling an event is two transactions, so that it is told at most once in every failure but one:

1. Claim the event, learn the move (MoveRegistered) and write the message as a PENDING row, in one transaction. A
   redelivery finds the claim and writes nothing.
2. Lock the row; if it is still PENDING, publish it and mark it SENT with SNS's message id, in one transaction. A
   concurrent delivery of the same event waits on the lock, then finds it SENT. A failed publish is recorded
   (attempts, last_error) and re-raised after the commit, so the record is retried with the same content.

The one case left: SNS accepts the message and the commit that marks it SENT fails (or the function dies between
the two). The row stays PENDING and the retry publishes it again, so the customer may get the same message twice.
That is the lesser harm (the other order, marking SENT before publishing, could lose a message for good), the window
is one commit wide, and every message carries ``notification_id`` (the event id) as an attribute for receivers to
drop the copy. On a FIFO topic the notifier also sets SNS's deduplication id, which closes the window for 5 minutes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol, Self

from pydantic import Field

from handlers.moving.contracts import MoveRegistered, event_move_id
from handlers.moving.notifications import logic, store
from handlers.moving.notifications.notifier import SnsNotifier
from handlers.shared.db import Database, service_database
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases


class NotificationSettings(ServiceSettings):
    """The service's settings plus the topic it publishes to (``architectures/wiring.py`` names the variable)."""

    topic_arn: str = Field(alias="TOPIC_CUSTOMER_NOTIFICATIONS_ARN", min_length=1)


class Notifier(Protocol):
    """What telling needs of a notifier (:class:`SnsNotifier` in the cloud and locally): publish one message, return
    its id, raise when it was not accepted."""

    def send(self, message: logic.Message) -> str: ...


class Delivery(StrEnum):
    SENT = "SENT"
    """Published now, on the event's first delivery."""
    SENT_ON_RETRY = "SENT_ON_RETRY"
    """Published now: an earlier delivery wrote the message but could not publish it."""
    ALREADY_SENT = "ALREADY_SENT"
    """An earlier delivery published it; nothing was sent."""


class NotificationUseCases(UseCases):
    def __init__(self, db: Database, notifier: Notifier, **adapters: Any) -> None:
        super().__init__(db, **adapters)
        self.notifier = notifier

    @classmethod
    def from_settings(cls, settings: NotificationSettings) -> Self:
        return cls(service_database(settings), SnsNotifier(settings.topic_arn))

    def tell(self, consumer: str, event: EventDetail) -> Delivery:
        """Tell the move's customer about ``event`` unless ``consumer`` already did (see the module docstring).
        Raises :class:`logic.MoveNotSeen` before the move's registration arrived, and whatever the notifier raises,
        so the event is retried."""
        fresh = self._write_message(consumer, event)
        delivery = self._publish(event.event_id)
        return Delivery.SENT_ON_RETRY if delivery is Delivery.SENT and not fresh else delivery

    def _write_message(self, consumer: str, event: EventDetail) -> bool:
        """Claim the event and write its message as PENDING; False when it was claimed before."""
        move_id = event_move_id(event)
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return False
            if isinstance(event, MoveRegistered):
                store.remember_move(write.tx, logic.move_info(event), self.clock())
            message = logic.message_for(event, store.get_move(write.tx, move_id), move_id)
            store.insert_pending(write.tx, message, self.clock())
        return True

    def _publish(self, event_id: str) -> Delivery:
        """Publish the event's message unless it went out already; a failure is recorded, then raised."""
        failure: Exception | None = None
        with self.writing() as write:
            notification = store.lock_notification(write.tx, event_id)
            if notification is None:  # cannot happen: a claimed event always has its row (same transaction)
                raise RuntimeError(f"event {event_id} was claimed but has no notification")
            if notification.sent:
                return Delivery.ALREADY_SENT
            try:
                message_id = self.notifier.send(notification.message)
            except Exception as e:  # recorded, then raised after the commit so the record is retried
                failure = e
                store.record_failure(write.tx, event_id, f"{type(e).__name__}: {e}")
            else:
                store.mark_sent(write.tx, event_id, message_id, self.clock())
        if failure is not None:
            raise failure
        return Delivery.SENT
