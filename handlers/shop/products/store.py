"""All SQL of the products service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike: products,
inventory and the saga's reservations in and out of rows, on the transaction the use case opened.

Stock moves only through conditional updates (``... WHERE available >= :q``) on inventory rows locked in
product-id order: concurrent reservations of the same product serialize on its row and never deadlock each other,
and no count can go negative (the CHECK constraints say so too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.products import find_in_sku_order, write_product
from handlers.shared.records import columns_of, record_of
from handlers.shop.contracts import OrderItem
from handlers.shop.products.logic import (
    Inventory,
    LineState,
    ListQuery,
    OrderStock,
    Product,
    Release,
    Reservation,
    Stock,
    search_pattern,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = columns_of(Product)
_SELECT = f"SELECT {_COLUMNS} FROM products"  # noqa: S608 (constant column list)
_INSERT = insert_statement("products", _COLUMNS)
_UPDATE = (
    "UPDATE products SET sku = :sku, name = :name, description = :description, category = :category, "
    "price = :price, active = :active, updated_at = :updated_at WHERE id = :id"
)
_SELECT_INVENTORY = "SELECT product_id, available, reserved FROM inventory WHERE product_id = :id"
_SEARCH = (
    "(LOWER(name) LIKE :pattern ESCAPE '!' OR LOWER(sku) LIKE :pattern ESCAPE '!' "
    "OR LOWER(COALESCE(description, '')) LIKE :pattern ESCAPE '!')"
)


class StockInconsistent(RuntimeError):
    """A locked inventory row did not take a change the decision counted on (a bug): the transaction rolls back."""


# --- the catalog ----------------------------------------------------------------------------------------------------


def get(tx: Transaction, product_id: str, *, lock: bool = False) -> Product | None:
    """The product (deleted or not); ``lock`` keeps it locked until the transaction ends."""
    row = tx.query_one(f"{_SELECT} WHERE id = :id", {"id": product_id}, lock=lock)
    return None if row is None else record_of(Product, row)


def insert(tx: Transaction, product: Product) -> None:
    """A new product and its empty inventory row; DuplicateSku when its SKU is taken."""
    write_product(tx, _INSERT, product, timestamp_us)
    tx.execute(
        "INSERT INTO inventory (product_id, available, reserved, updated_at) VALUES (:id, 0, 0, :at)",
        {"id": product.id, "at": timestamp_us(product.updated_at)},
    )


def save(tx: Transaction, product: Product) -> None:
    """Write every field of a product but its creation time; DuplicateSku when its SKU is another product's."""
    write_product(tx, _UPDATE, product, timestamp_us)


def find(tx: Transaction, query: ListQuery) -> list[Product]:
    """Up to ``limit + 1`` sold products matching the query, in SKU order after the cursor."""
    where, params = ["active = 1"], {}
    if query.q is not None:
        where.append(_SEARCH)
        params["pattern"] = search_pattern(query.q)
    return [record_of(Product, r) for r in find_in_sku_order(tx, _SELECT, query, where, params)]


# --- inventory ------------------------------------------------------------------------------------------------------


def inventory(tx: Transaction, product_id: str, *, lock: bool = False) -> Inventory | None:
    row = tx.query_one(_SELECT_INVENTORY, {"id": product_id}, lock=lock)
    return None if row is None else Inventory(row["product_id"], int(row["available"]), int(row["reserved"]))


def set_available(tx: Transaction, product_id: str, quantity: int, now: datetime) -> None:
    tx.execute(
        "UPDATE inventory SET available = :q, updated_at = :at WHERE product_id = :id",
        {"q": quantity, "at": timestamp_us(now), "id": product_id},
    )


def lock_stock(tx: Transaction, product_ids: Sequence[str]) -> dict[str, Stock]:
    """The products' inventory rows, locked in product-id order (one statement, scanning the primary key)."""
    if not product_ids:
        return {}
    names = {f"p{i}": pid for i, pid in enumerate(sorted(product_ids))}
    placeholders = ", ".join(f":{n}" for n in names)
    rows = tx.query(
        "SELECT i.product_id, p.sku, p.active, i.available, i.reserved FROM inventory i "  # noqa: S608
        f"JOIN products p ON p.id = i.product_id WHERE i.product_id IN ({placeholders}) ORDER BY i.product_id",
        names,
        lock=True,
    )
    return {
        r["product_id"]: Stock(r["product_id"], r["sku"], bool(r["active"]), int(r["available"]), int(r["reserved"]))
        for r in rows
    }


# --- the stock saga -------------------------------------------------------------------------------------------------


def order_state(tx: Transaction, order_id: str, *, lock: bool = False) -> OrderStock | None:
    """What was decided for the order, if anything."""
    row = tx.query_one("SELECT state FROM stock_orders WHERE order_id = :id", {"id": order_id}, lock=lock)
    return None if row is None else OrderStock(row["state"])


def insert_order(tx: Transaction, order_id: str, state: OrderStock, now: datetime, reason: str | None = None) -> None:
    """The decision for an order; a second one for the same order fails on the primary key."""
    tx.execute(
        "INSERT INTO stock_orders (order_id, state, reason, created_at, updated_at) "
        "VALUES (:id, :state, :reason, :at, :at)",
        {"id": order_id, "state": state.value, "reason": reason, "at": timestamp_us(now)},
    )


def set_order(tx: Transaction, order_id: str, state: OrderStock, now: datetime) -> None:
    tx.execute(
        "UPDATE stock_orders SET state = :state, updated_at = :at WHERE order_id = :id",
        {"state": state.value, "at": timestamp_us(now), "id": order_id},
    )


def reserve(tx: Transaction, order_id: str, item: OrderItem, now: datetime) -> None:
    """Move the item's units from available to reserved, and keep the order's line."""
    at = timestamp_us(now)
    _move_stock(
        tx,
        "available = available - :q, reserved = reserved + :q",
        "available >= :q",
        {"q": item.quantity, "id": item.product_id, "at": at},
        f"inventory of {item.product_id} did not take the reservation",
    )
    tx.execute(
        "INSERT INTO reservations (order_id, product_id, quantity, state, created_at, updated_at) "
        "VALUES (:order_id, :product_id, :q, :state, :at, :at)",
        {"order_id": order_id, "product_id": item.product_id, "q": item.quantity,
         "state": LineState.RESERVED.value, "at": at},
    )  # fmt: skip


def sell(tx: Transaction, order_id: str, line: Reservation, now: datetime) -> None:
    """The line's reserved units leave ``reserved``: they are sold."""
    _move_stock(
        tx,
        "reserved = reserved - :q",
        "reserved >= :q",
        {"q": line.quantity, "id": line.product_id, "at": timestamp_us(now)},
        f"inventory of {line.product_id} holds less than order {order_id} reserved",
    )


def put_back(tx: Transaction, order_id: str, release: Release, now: datetime) -> None:
    """What a cancelled order held goes back to ``available``."""
    _move_stock(
        tx,
        "available = available + :back, reserved = reserved - :unreserve",
        "reserved >= :unreserve",
        {"back": release.to_available, "unreserve": release.from_reserved, "id": release.product_id,
         "at": timestamp_us(now)},
        f"inventory of {release.product_id} cannot take back order {order_id}",
    )  # fmt: skip


def lines(tx: Transaction, order_id: str, state: LineState | None = None) -> list[Reservation]:
    """The order's lines (all of them, or those in ``state``) in product order."""
    sql = "SELECT product_id, quantity, state FROM reservations WHERE order_id = :id"
    params: dict[str, Any] = {"id": order_id}
    if state is not None:
        sql += " AND state = :state"
        params["state"] = state.value
    rows = tx.query(sql + " ORDER BY product_id", params)
    return [Reservation(r["product_id"], int(r["quantity"]), LineState(r["state"])) for r in rows]


def set_lines(tx: Transaction, order_id: str, new: LineState, now: datetime, *, old: LineState | None = None) -> None:
    """Move the order's lines in ``old`` (or every line not yet ``new``) to ``new``."""
    params = {"new": new.value, "at": timestamp_us(now), "id": order_id}
    which = "state <> :new"
    if old is not None:
        which, params["old"] = "state = :old", old.value
    tx.execute(f"UPDATE reservations SET state = :new, updated_at = :at WHERE order_id = :id AND {which}", params)  # noqa: S608


# --- rows -------------------------------------------------------------------------------------------------------------


def _move_stock(tx: Transaction, change: str, condition: str, params: dict[str, Any], inconsistent: str) -> None:
    """Change one locked inventory row, only where ``condition`` holds; StockInconsistent when it did not."""
    moved = tx.execute(
        f"UPDATE inventory SET {change}, updated_at = :at WHERE product_id = :id AND {condition}",  # noqa: S608
        params,
    )
    if moved != 1:
        raise StockInconsistent(inconsistent)
