"""The stock movement record, written by catalog (adjustments) and sales (sales and voids) to one table.

Every change to a product's stock is a row in ``stock_movements`` (the ``retail`` schema, whose migrations catalog
owns): an ADJUSTMENT from ``POST /stock/adjustments``, a SALE for each line of a sale, a VOID for each line a void puts
back. Catalog reads them (``GET /stock/movements``); both services write them in the transaction that moves the stock.
A movement is a record that never changes: the row holds exactly what the API shows, so one type is both.

This module sits at the system's level (``handlers/retail/*.py``) because every retail service's archive includes
those modules, and no service's archive includes another service's package.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.views import IsoTimestamp


class MovementKind(StrEnum):
    ADJUSTMENT = "ADJUSTMENT"
    SALE = "SALE"
    VOID = "VOID"


class Movement(TypedDict):
    """A change to a product's stock: ``delta`` units (negative: taken), by ``user_id``; a SALE or VOID names its
    sale, an ADJUSTMENT its reason."""

    id: str
    product_id: str
    kind: MovementKind
    delta: int
    reason: str | None
    sale_id: str | None
    user_id: str
    created_at: IsoTimestamp


def movement(movement_id: str, product_id: str, kind: MovementKind, delta: int, user_id: str, at: datetime, *,
             reason: str | None = None, sale_id: str | None = None) -> Movement:  # fmt: skip
    """A new movement; its time is stored as ISO 8601 in UTC to the millisecond, like every retail time."""
    return {"id": movement_id, "product_id": product_id, "kind": kind, "delta": delta, "reason": reason,
            "sale_id": sale_id, "user_id": user_id, "created_at": timestamp_ms(at)}  # fmt: skip


MOVEMENT_COLUMNS = "id, product_id, kind, delta, reason, sale_id, user_id, created_at"
_INSERT = insert_statement("stock_movements", MOVEMENT_COLUMNS)


def insert_movement(tx: Transaction, record: Movement) -> None:
    tx.execute(_INSERT, dict(record))


def movement_of(row: dict[str, Any]) -> Movement:
    """A ``stock_movements`` row (the columns of :data:`MOVEMENT_COLUMNS`) as the movement it records."""
    at = datetime.fromisoformat(row["created_at"])
    return movement(row["id"], row["product_id"], MovementKind(row["kind"]), int(row["delta"]), row["user_id"], at,
                    reason=row["reason"], sale_id=row["sale_id"])  # fmt: skip
