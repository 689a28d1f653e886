"""Notifications: what to tell a customer when something happens to their move.

Pure domain code: no boto3, no SQL. The use cases (``usecases.py``) learn a move's contact and route from
MoveRegistered (:func:`move_info`), compose one :class:`Message` per event (:func:`message_for`), and the store and
the notifier deliver it once.

Subjects are plain ASCII and at most 100 characters (what SNS accepts for email subjects), so they carry only the
move's date; names that may hold other characters (cities, plates) stay in the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.moving.contracts import MoveCompleted, MoveRegistered, MoveUnassignable, TruckAssigned
from handlers.shared.events import EventDetail

SUBJECT_MAX = 100
"""SNS's limit for a message subject."""


class MoveNotSeen(LookupError):
    """An event about a move whose MoveRegistered has not arrived: there is nobody to write to yet."""

    def __init__(self, move_id: str, detail_type: str) -> None:
        super().__init__(f"{detail_type} for move {move_id}, whose MoveRegistered has not arrived yet")
        self.move_id = move_id


@dataclass(frozen=True)
class MoveInfo:
    """What every message about a move needs: whom to tell, and which move it is."""

    move_id: str
    customer_id: str
    customer_email: str
    move_date: date
    origin_city: str
    destination_city: str

    @property
    def described(self) -> str:
        return f"your move on {self.move_date.isoformat()} from {self.origin_city} to {self.destination_city}"


@dataclass(frozen=True)
class Message:
    """One notification: the event it tells, whom to, and what it says."""

    event_id: str
    move_id: str
    customer_email: str
    kind: str
    subject: str
    text: str

    def attributes(self) -> dict[str, str]:
        """What email/SMS subscriptions filter on (SNS refuses empty values, so an unknown email is left out)."""
        values = {"customer_email": self.customer_email, "event_type": self.kind, "move_id": self.move_id,
                  "notification_id": self.event_id}  # fmt: skip
        return {k: v for k, v in values.items() if v}


def move_info(event: MoveRegistered) -> MoveInfo:
    return MoveInfo(
        move_id=event.move_id,
        customer_id=event.customer_id,
        customer_email=event.customer_email,
        move_date=event.move_date,
        origin_city=event.origin.city,
        destination_city=event.destination.city,
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def compose(event: EventDetail, move: MoveInfo) -> Message:
    """The message that tells ``move``'s customer about ``event``."""
    on = move.move_date.isoformat()
    if isinstance(event, MoveRegistered):
        subject = f"Your move on {on} is registered"
        text = (f"{_sentence(move.described)} is registered. We are looking for a truck and will tell you as soon "
                "as one is assigned.")  # fmt: skip
    elif isinstance(event, TruckAssigned):
        subject = f"A truck is assigned to your move on {on}"
        text = f"Truck {event.plate} will do {move.described}."
    elif isinstance(event, MoveUnassignable):
        subject = f"We have no truck yet for your move on {on}"
        text = (f"We could not find a truck for {move.described} ({event.reason}). Our team will contact you to "
                "arrange it.")  # fmt: skip
    elif isinstance(event, MoveCompleted):
        subject = f"Your move on {on} is complete"
        text = f"{_sentence(move.described)} is complete. Thank you for moving with us."
    else:
        raise TypeError(f"notifications does not handle {type(event).__name__}")
    assert subject.isascii() and len(subject) <= SUBJECT_MAX, subject
    return Message(
        event_id=event.event_id,
        move_id=move.move_id,
        customer_email=move.customer_email,
        kind=event.DETAIL_TYPE,
        subject=subject,
        text=text,
    )


def message_for(event: EventDetail, move: MoveInfo | None, move_id: str) -> Message:
    """The message about ``event`` for the customer of ``move`` (None: notifications has not seen the move yet).

    Without MoveRegistered there is no email to write to, nor a date and cities to write. The events come through a
    standard SQS queue, so a TruckAssigned can overtake the MoveRegistered it follows by moments: :class:`MoveNotSeen`
    rolls the claim back and returns the record to the queue, whose retries give the MoveRegistered time to arrive.
    One that never arrives (lost upstream, another stage's bus) leaves the record in the DLQ after the queue's
    maximum receives, where it can be inspected and redriven instead of vanishing silently."""
    if move is None:
        raise MoveNotSeen(move_id, event.DETAIL_TYPE)
    return compose(event, move)


def masked(email: str) -> str:
    """``ana@example.com`` → ``a***@example.com``, for logs."""
    name, at, domain = email.partition("@")
    return f"{name[:1]}***{at}{domain}" if at else "***"
