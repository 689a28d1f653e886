"""All SQL of the notifications service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike: the moves it
knows and the messages it wrote, on the transaction the use case opened."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from handlers.moving.notifications.logic import Message, MoveInfo
from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction, insert_statement

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

LAST_ERROR_MAX = 500

_MOVE_COLUMNS = "move_id, customer_id, customer_email, move_date, origin_city, destination_city"
_SELECT_MOVE = f"SELECT {_MOVE_COLUMNS} FROM moves"  # noqa: S608 (constant column list)
_INSERT_MOVE = insert_statement("moves", f"{_MOVE_COLUMNS}, registered_at")
_UPDATE_MOVE = (
    "UPDATE moves SET customer_id = :customer_id, customer_email = :customer_email, move_date = :move_date, "
    "origin_city = :origin_city, destination_city = :destination_city, registered_at = :registered_at "
    "WHERE move_id = :move_id"
)
_INSERT_PENDING = (
    "INSERT INTO notifications (event_id, move_id, customer_email, kind, subject, message, status, attempts, "
    "created_at) VALUES (:event_id, :move_id, :customer_email, :kind, :subject, :message, 'PENDING', 0, :created_at)"
)
_SELECT_NOTIFICATION = (
    "SELECT event_id, move_id, customer_email, kind, subject, message, status, attempts, last_error, created_at, "
    "sent_at, sns_message_id FROM notifications"
)


class Notification(NamedTuple):
    """A message as written, and whether it went out."""

    message: Message
    sent: bool


def remember_move(tx: Transaction, move: MoveInfo, now: datetime) -> None:
    """Keep what MoveRegistered says about the move (a repeated registration overwrites the earlier one)."""
    known = tx.query_one("SELECT move_id FROM moves WHERE move_id = :move_id", {"move_id": move.move_id}, lock=True)
    tx.execute(_UPDATE_MOVE if known else _INSERT_MOVE, {**_move_row(move), "registered_at": timestamp_us(now)})


def get_move(tx: Transaction, move_id: str) -> MoveInfo | None:
    row = tx.query_one(f"{_SELECT_MOVE} WHERE move_id = :move_id", {"move_id": move_id})
    return None if row is None else _move(row)


def insert_pending(tx: Transaction, message: Message, now: datetime) -> None:
    """Write the message before it is published, so a retry publishes the same content."""
    tx.execute(_INSERT_PENDING, {"event_id": message.event_id, "move_id": message.move_id,
                                 "customer_email": message.customer_email, "kind": message.kind,
                                 "subject": message.subject, "message": message.text,
                                 "created_at": timestamp_us(now)})  # fmt: skip


def lock_notification(tx: Transaction, event_id: str) -> Notification | None:
    """The event's message, locked until the transaction ends, so concurrent deliveries of it take turns."""
    row = tx.query_one(f"{_SELECT_NOTIFICATION} WHERE event_id = :event_id", {"event_id": event_id}, lock=True)
    return None if row is None else Notification(_message(row), row["status"] == "SENT")


def mark_sent(tx: Transaction, event_id: str, sns_message_id: str, now: datetime) -> None:
    tx.execute(
        "UPDATE notifications SET status = 'SENT', attempts = attempts + 1, last_error = NULL, sent_at = :sent_at, "
        "sns_message_id = :message_id WHERE event_id = :event_id",
        {"event_id": event_id, "sent_at": timestamp_us(now), "message_id": sns_message_id},
    )


def record_failure(tx: Transaction, event_id: str, error: str) -> None:
    """Count a failed publish and keep its error (cut to the column's size); the row stays PENDING."""
    tx.execute("UPDATE notifications SET attempts = attempts + 1, last_error = :error WHERE event_id = :event_id",
               {"event_id": event_id, "error": error[:LAST_ERROR_MAX]})  # fmt: skip


def sent_for(tx: Transaction, move_id: str) -> list[dict[str, Any]]:
    """What the move's customer was told, oldest first (every column, for support and tests)."""
    return tx.query(f"{_SELECT_NOTIFICATION} WHERE move_id = :move_id ORDER BY created_at, event_id",
                    {"move_id": move_id})  # fmt: skip


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
