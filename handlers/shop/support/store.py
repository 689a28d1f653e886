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
from handlers.shop.support.logic import Comment, Role, Status, Ticket, TicketNotFound

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_TICKET_COLUMNS = (
    "id, customer_id, customer_email, subject, description, order_id, status, assignee_id, created_at, updated_at"
)
_COMMENT_COLUMNS = "id, ticket_id, author_id, author_role, body, created_at"
_SELECT_TICKET = f"SELECT {_TICKET_COLUMNS} FROM tickets"  # noqa: S608 (constant column list)
_INSERT_TICKET = insert_statement("tickets", _TICKET_COLUMNS)
_UPDATE_TICKET = (
    "UPDATE tickets SET status = :status, assignee_id = :assignee_id, updated_at = :updated_at WHERE id = :id"
)
_SELECT_COMMENTS = f"SELECT {_COMMENT_COLUMNS} FROM comments WHERE ticket_id = :ticket_id ORDER BY created_at, id"  # noqa: S608
_INSERT_COMMENT = insert_statement("comments", _COMMENT_COLUMNS)


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
    return {
        "id": ticket.id,
        "customer_id": ticket.customer_id,
        "customer_email": ticket.customer_email,
        "subject": ticket.subject,
        "description": ticket.description,
        "order_id": ticket.order_id,
        "status": ticket.status.value,
        "assignee_id": ticket.assignee_id,
        "created_at": timestamp_us(ticket.created_at),
        "updated_at": timestamp_us(ticket.updated_at),
    }


def _ticket(row: dict[str, Any]) -> Ticket:
    return Ticket(
        id=row["id"],
        customer_id=row["customer_id"],
        customer_email=row["customer_email"],
        subject=row["subject"],
        description=row["description"],
        order_id=row["order_id"],
        status=Status(row["status"]),
        assignee_id=row["assignee_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _comment_row(note: Comment) -> dict[str, Any]:
    return {
        "id": note.id,
        "ticket_id": note.ticket_id,
        "author_id": note.author_id,
        "author_role": note.author_role.value,
        "body": note.body,
        "created_at": timestamp_us(note.created_at),
    }


def _comment(row: dict[str, Any]) -> Comment:
    return Comment(
        id=row["id"],
        ticket_id=row["ticket_id"],
        author_id=row["author_id"],
        author_role=Role(row["author_role"]),
        body=row["body"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )
