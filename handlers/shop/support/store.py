"""All SQL of the support service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike: tickets and
their comments in and out of rows, on the transaction the use case opened.

A change to a ticket locks its row first (:func:`lock`: ``SELECT ... FOR UPDATE`` on MySQL; SQLite's transaction
holds the write lock), so two agents taking the same ticket at once are decided one after the other.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.paging import Cursor, OwnerScope, newest_first
from handlers.shared.records import columns_of, record_of, row_of
from handlers.shop.support.logic import Comment, Ticket, TicketNotFound

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_TICKET_COLUMNS = columns_of(Ticket)
_COMMENT_COLUMNS = columns_of(Comment)
_SELECT_TICKET = f"SELECT {_TICKET_COLUMNS} FROM tickets"  # noqa: S608 (constant column list)
_INSERT_TICKET = insert_statement("tickets", _TICKET_COLUMNS)
_UPDATE_TICKET = (
    "UPDATE tickets SET status = :status, assignee_id = :assignee_id, updated_at = :updated_at WHERE id = :id"
)
_SELECT_COMMENTS = f"SELECT {_COMMENT_COLUMNS} FROM comments WHERE ticket_id = :ticket_id ORDER BY created_at, id"  # noqa: S608
_INSERT_COMMENT = insert_statement("comments", _COMMENT_COLUMNS)


def order_owner(tx: Transaction, order_id: str) -> str | None:
    """Who placed the order, as its OrderPlaced said; None for an order support does not know."""
    row = tx.query_one("SELECT customer_id FROM known_orders WHERE order_id = :id", {"id": order_id})
    return None if row is None else str(row["customer_id"])


def insert_order(tx: Transaction, order_id: str, customer_id: str, placed_at: datetime) -> None:
    tx.execute(
        "INSERT INTO known_orders (order_id, customer_id, placed_at) VALUES (:id, :customer, :at)",
        {"id": order_id, "customer": customer_id, "at": timestamp_us(placed_at)},
    )


def insert(tx: Transaction, ticket: Ticket) -> None:
    tx.execute(_INSERT_TICKET, _ticket_row(ticket))


def get(tx: Transaction, ticket_id: str) -> Ticket | None:
    row = tx.query_one(f"{_SELECT_TICKET} WHERE id = :id", {"id": ticket_id})
    return None if row is None else _ticket(row)


def lock(tx: Transaction, ticket_id: str) -> Ticket:
    """The ticket, locked until the transaction ends; :class:`TicketNotFound` for an unknown id."""
    row = tx.query_one(f"{_SELECT_TICKET} WHERE id = :id", {"id": ticket_id}, lock=True)
    if row is None:
        raise TicketNotFound(ticket_id)
    return _ticket(row)


def save(tx: Transaction, ticket: Ticket) -> None:
    """Write what may change on a ticket: its status, assignee and ``updated_at``."""
    row = _ticket_row(ticket)
    tx.execute(_UPDATE_TICKET, {k: row[k] for k in ("id", "status", "assignee_id", "updated_at")})


def comments(tx: Transaction, ticket_id: str) -> list[Comment]:
    """The ticket's comments, oldest first."""
    return [_comment(row) for row in tx.query(_SELECT_COMMENTS, {"ticket_id": ticket_id})]


def insert_comment(tx: Transaction, note: Comment) -> None:
    tx.execute(_INSERT_COMMENT, _comment_row(note))


def find(tx: Transaction, scope: OwnerScope, after: Cursor | None, limit: int) -> list[Ticket]:
    """Up to ``limit`` tickets in ``scope``, newest first, starting after ``after``."""
    sql, params = newest_first(_SELECT_TICKET, scope.columns, after, limit)
    return [_ticket(row) for row in tx.query(sql, params)]


def _ticket_row(ticket: Ticket) -> dict[str, Any]:
    return row_of(ticket, timestamp_us)


def _ticket(row: dict[str, Any]) -> Ticket:
    return record_of(Ticket, row)


def _comment_row(note: Comment) -> dict[str, Any]:
    return row_of(note, timestamp_us)


def _comment(row: dict[str, Any]) -> Comment:
    return record_of(Comment, row)
