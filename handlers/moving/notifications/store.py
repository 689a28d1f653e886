"""All SQL of the notifications service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike.

Sending an event's message is two transactions, so that an event is told at most once in every failure but one:

1. :meth:`NotificationStore.prepare`: claim the event, learn the move (MoveRegistered) and write the message as a
   PENDING row, in one transaction. A redelivery finds the claim and writes nothing.
2. :meth:`NotificationStore.deliver`: lock the row; if it is still PENDING, publish it and mark it SENT with SNS's
   message id, in one transaction. A concurrent delivery of the same event waits on the lock, then finds it SENT. A
   failed publish is recorded (attempts, last_error) and re-raised, so the record is retried with the same content.

The one case left: SNS accepts the message and the commit that marks it SENT fails (or the function dies between
the two). The row stays PENDING and the retry publishes it again, so the customer may get the same message twice.
That is the lesser harm (the other order, marking SENT before publishing, could lose a message for good), the window
is one commit wide, and every message carries ``notification_id`` (the event id) as an attribute for receivers to
drop the copy. On a FIFO topic the notifier also sets SNS's deduplication id, which closes the window for 5 minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from handlers.moving.notifications.logic import Message, MoveInfo
from handlers.shared.clock import timestamp_us
from handlers.shared.db import Database
from handlers.shared.inbox import claim

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

LAST_ERROR_MAX = 500


class Delivery(StrEnum):
    SENT = "SENT"
    """Published now."""
    ALREADY_SENT = "ALREADY_SENT"
    """An earlier delivery published it; nothing was sent."""


@dataclass(frozen=True)
class Sent:
    delivery: Delivery
    message: Message
    sns_message_id: str


class NotificationStore:
    """The moves notifications knows of, and what was told to whom."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def prepare(self, consumer: str, event_id: str, move_id: str, learn: MoveInfo | None,
                compose: Callable[[MoveInfo | None], Message], *, now: datetime) -> bool:  # fmt: skip
        """Claim ``event_id`` and write its message as PENDING, in one transaction; False if it was claimed before.

        ``learn`` (from MoveRegistered) is stored first; ``compose`` gets the move as stored (None when unknown) and
        may raise, which rolls everything back, the claim included."""
        with self.db.transaction() as tx:
            if not claim(tx, consumer, event_id):
                return False
            if learn is not None:
                known = tx.query_one("SELECT move_id FROM moves WHERE move_id = :move_id",
                                     {"move_id": learn.move_id}, lock=True)  # fmt: skip
                values = {**_move_row(learn), "registered_at": timestamp_us(now)}
                tx.execute(_UPDATE_MOVE if known else _INSERT_MOVE, values)
            row = tx.query_one(f"{_SELECT_MOVE} WHERE move_id = :move_id", {"move_id": move_id})
            message = compose(None if row is None else _move(row))
            tx.execute(
                "INSERT INTO notifications (event_id, move_id, customer_email, kind, subject, message, status, "
                "attempts, created_at) VALUES (:event_id, :move_id, :customer_email, :kind, :subject, :message, "
                "'PENDING', 0, :created_at)",
                {"event_id": message.event_id, "move_id": message.move_id, "customer_email": message.customer_email,
                 "kind": message.kind, "subject": message.subject, "message": message.text,
                 "created_at": timestamp_us(now)},
            )  # fmt: skip
            return True

    def deliver(self, event_id: str, send: Callable[[Message], str], *, now: datetime) -> Sent | None:
        """Publish the event's message unless it went out already (None: the event has no message here)."""
        failure: Exception | None = None
        with self.db.transaction() as tx:
            row = tx.query_one(f"{_SELECT_NOTIFICATION} WHERE event_id = :event_id", {"event_id": event_id}, lock=True)
            if row is None:
                return None
            message = _message(row)
            if row["status"] == "SENT":
                return Sent(Delivery.ALREADY_SENT, message, row["sns_message_id"] or "")
            try:
                message_id = send(message)
            except Exception as e:  # recorded, then re-raised after the commit so the record is retried
                failure = e
                tx.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = :error WHERE event_id = :event_id",
                    {"event_id": event_id, "error": f"{type(e).__name__}: {e}"[:LAST_ERROR_MAX]},
                )
            else:
                tx.execute(
                    "UPDATE notifications SET status = 'SENT', attempts = attempts + 1, last_error = NULL, "
                    "sent_at = :sent_at, sns_message_id = :message_id WHERE event_id = :event_id",
                    {"event_id": event_id, "sent_at": timestamp_us(now), "message_id": message_id},
                )
        if failure is not None:
            raise failure
        return Sent(Delivery.SENT, message, message_id)

    def sent_for(self, move_id: str) -> list[dict[str, Any]]:
        """What the move's customer was told, oldest first (every column, for support and tests)."""
        with self.db.transaction() as tx:
            return tx.query(f"{_SELECT_NOTIFICATION} WHERE move_id = :move_id ORDER BY created_at, event_id",
                            {"move_id": move_id})  # fmt: skip


_MOVE_COLUMNS = "move_id, customer_id, customer_email, move_date, origin_city, destination_city"
_SELECT_MOVE = f"SELECT {_MOVE_COLUMNS} FROM moves"  # noqa: S608 (constant column list)
_INSERT_MOVE = (
    f"INSERT INTO moves ({_MOVE_COLUMNS}, registered_at) VALUES (:move_id, :customer_id, :customer_email, "  # noqa: S608
    ":move_date, :origin_city, :destination_city, :registered_at)"
)
_UPDATE_MOVE = (
    "UPDATE moves SET customer_id = :customer_id, customer_email = :customer_email, move_date = :move_date, "
    "origin_city = :origin_city, destination_city = :destination_city, registered_at = :registered_at "
    "WHERE move_id = :move_id"
)
_SELECT_NOTIFICATION = (
    "SELECT event_id, move_id, customer_email, kind, subject, message, status, attempts, last_error, created_at, "
    "sent_at, sns_message_id FROM notifications"
)


def _move_row(move: MoveInfo) -> dict[str, Any]:
    return {
        "move_id": move.move_id,
        "customer_id": move.customer_id,
        "customer_email": move.customer_email,
        "move_date": move.move_date.isoformat(),
        "origin_city": move.origin_city,
        "destination_city": move.destination_city,
    }


def _move(row: dict[str, Any]) -> MoveInfo:
    return MoveInfo(
        move_id=row["move_id"],
        customer_id=row["customer_id"],
        customer_email=row["customer_email"],
        move_date=date.fromisoformat(row["move_date"]),
        origin_city=row["origin_city"],
        destination_city=row["destination_city"],
    )


def _message(row: dict[str, Any]) -> Message:
    return Message(
        event_id=row["event_id"],
        move_id=row["move_id"],
        customer_email=row["customer_email"],
        kind=row["kind"],
        subject=row["subject"],
        text=row["message"],
    )
