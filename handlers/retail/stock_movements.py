"""The stock movement record, written by catalog (adjustments) and sales (sales and voids) to one table.

Every change to a product's stock is a row in ``stock_movements`` (the ``retail`` schema, whose migrations catalog
owns): an ADJUSTMENT from ``POST /stock/adjustments``, a SALE for each line of a sale, a VOID for each line a void puts
back. Catalog reads them (``GET /stock/movements``); both services write them in the transaction that moves the stock.

This module sits at the system's level (``handlers/retail/*.py``) because every retail service's archive includes
those modules, and no service's archive includes another service's package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Transaction


class MovementKind(StrEnum):
    ADJUSTMENT = "ADJUSTMENT"
    SALE = "SALE"
    VOID = "VOID"


@dataclass(frozen=True)
class Movement:
    id: str
    product_id: str
    kind: MovementKind
    delta: int
    reason: str | None
    sale_id: str | None
    user_id: str
    created_at: datetime


def insert_movement(tx: Transaction, movement: Movement) -> None:
    """Write the movement; ``created_at`` is stored as ISO 8601 in UTC to the millisecond, like every retail time."""
    tx.execute(
        "INSERT INTO stock_movements (id, product_id, kind, delta, reason, sale_id, user_id, created_at) "
        "VALUES (:id, :product_id, :kind, :delta, :reason, :sale_id, :user_id, :created_at)",
        {"id": movement.id, "product_id": movement.product_id, "kind": movement.kind.value, "delta": movement.delta,
         "reason": movement.reason, "sale_id": movement.sale_id, "user_id": movement.user_id,
         "created_at": timestamp_ms(movement.created_at)},
    )  # fmt: skip
