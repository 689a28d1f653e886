"""All SQL of the orders service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike: orders and the
catalog copy in and out of rows, on the transaction the use case opened.

Money goes in as text and comes back through ``handlers.shared.money.money`` (SQLite returns DECIMAL as text or
float).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.money import money
from handlers.shared.paging import Cursor, newest_first
from handlers.shared.records import columns_of, record_of, row_of
from handlers.shop.orders.logic import (
    CatalogEntry,
    Line,
    Order,
    OrderNotFound,
    PaymentMethod,
    PaymentRecord,
    ShippingAddress,
    Status,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = (
    "id, customer_id, status, currency, total, payment_method, card_last4, ship_line1, ship_city, ship_postal_code, "
    "ship_country, reason, created_at, updated_at"
)
_SELECT = f"SELECT {_COLUMNS} FROM orders"  # noqa: S608 (constant column list)
_INSERT = insert_statement("orders", _COLUMNS)
_UPDATE = "UPDATE orders SET status = :status, reason = :reason, updated_at = :updated_at WHERE id = :id"
_INSERT_LINE = insert_statement("order_detail", "order_id, line_no, product_id, name, quantity, unit_price, line_total")
_SELECT_LINES = (
    "SELECT product_id, name, quantity, unit_price FROM order_detail WHERE order_id = :order_id ORDER BY line_no"
)
_SELECT_PAYMENT = "SELECT method, card_last4, amount, recorded_at FROM order_payment_detail WHERE order_id = :order_id"
_INSERT_PAYMENT = insert_statement("order_payment_detail", "order_id, method, card_last4, amount, recorded_at")
_CATALOG_COLUMNS = columns_of(CatalogEntry)
_SELECT_CATALOG = f"SELECT {_CATALOG_COLUMNS} FROM catalog"  # noqa: S608 (constant column list)
_INSERT_CATALOG = insert_statement("catalog", _CATALOG_COLUMNS)
_UPDATE_CATALOG = (
    "UPDATE catalog SET sku = :sku, name = :name, price = :price, active = :active, changed_at = :changed_at "
    "WHERE product_id = :product_id"
)


# --- orders -----------------------------------------------------------------------------------------------------


def insert(tx: Transaction, order: Order) -> None:
    """A new order and its lines."""
    tx.execute(_INSERT, _row(order))
    for number, line in enumerate(order.lines, start=1):
        tx.execute(_INSERT_LINE, _line_row(order.id, number, line))


def get(tx: Transaction, order_id: str) -> Order | None:
    row = tx.query_one(f"{_SELECT} WHERE id = :id", {"id": order_id})
    return None if row is None else _load(tx, row)


def lock(tx: Transaction, order_id: str) -> Order:
    """The order, locked until the transaction ends; :class:`OrderNotFound` for an unknown id."""
    row = tx.query_one(f"{_SELECT} WHERE id = :id", {"id": order_id}, lock=True)
    if row is None:
        raise OrderNotFound(order_id)
    return _load(tx, row)


def save(tx: Transaction, order: Order) -> None:
    """Write what may change on an order: its status, reason and ``updated_at``."""
    tx.execute(_UPDATE, {"id": order.id, "status": order.status.value, "reason": order.reason,
                         "updated_at": timestamp_us(order.updated_at)})  # fmt: skip


def record_payment(tx: Transaction, order_id: str, payment: PaymentRecord) -> None:
    tx.execute(_INSERT_PAYMENT, {"order_id": order_id, "method": payment.method.value,
                                 "card_last4": payment.card_last4, "amount": str(payment.amount),
                                 "recorded_at": timestamp_us(payment.recorded_at)})  # fmt: skip


def find(tx: Transaction, customer_id: str, after: Cursor | None, limit: int) -> list[Order]:
    """Up to ``limit`` of the customer's orders, newest first, starting after ``after``."""
    sql, params = newest_first(_SELECT, {"customer_id": customer_id}, after, limit)
    return [_load(tx, row) for row in tx.query(sql, params)]


# --- the catalog copy -------------------------------------------------------------------------------------------


def catalog(tx: Transaction, product_ids: Iterable[str]) -> dict[str, CatalogEntry]:
    """The known entries among ``product_ids`` (active or not)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    params = {f"p{i}": pid for i, pid in enumerate(ids)}
    marks = ", ".join(f":{name}" for name in params)
    rows = tx.query(f"{_SELECT_CATALOG} WHERE product_id IN ({marks})", params)  # noqa: S608 (placeholders)
    return {row["product_id"]: record_of(CatalogEntry, row) for row in rows}


def lock_product(tx: Transaction, product_id: str) -> CatalogEntry | None:
    """The copy's entry of a product, locked until the transaction ends; None when the copy does not know it."""
    row = tx.query_one(f"{_SELECT_CATALOG} WHERE product_id = :id", {"id": product_id}, lock=True)
    return None if row is None else record_of(CatalogEntry, row)


def save_product(tx: Transaction, entry: CatalogEntry, *, known: bool) -> None:
    """Write a product's entry: replace it when the copy ``known`` it, else add it."""
    tx.execute(_UPDATE_CATALOG if known else _INSERT_CATALOG, row_of(entry, timestamp_us))


# --- rows -------------------------------------------------------------------------------------------------------------


def _row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "status": order.status.value,
        "currency": order.currency,
        "total": str(order.total),
        "payment_method": order.payment_method.value,
        "card_last4": order.card_last4,
        "ship_line1": order.shipping.line1,
        "ship_city": order.shipping.city,
        "ship_postal_code": order.shipping.postal_code,
        "ship_country": order.shipping.country,
        "reason": order.reason,
        "created_at": timestamp_us(order.created_at),
        "updated_at": timestamp_us(order.updated_at),
    }


def _line_row(order_id: str, number: int, line: Line) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "line_no": number,
        "product_id": line.product_id,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "line_total": str(line.line_total),
    }


def _load(tx: Transaction, row: dict[str, Any]) -> Order:
    lines = tuple(
        Line(r["product_id"], r["name"], int(r["quantity"]), money(r["unit_price"]))
        for r in tx.query(_SELECT_LINES, {"order_id": row["id"]})
    )
    paid = tx.query_one(_SELECT_PAYMENT, {"order_id": row["id"]})
    payment = None
    if paid is not None:
        payment = PaymentRecord(PaymentMethod(paid["method"]), paid["card_last4"], money(paid["amount"]),
                                datetime.fromisoformat(paid["recorded_at"]))  # fmt: skip
    return Order(
        id=row["id"],
        customer_id=row["customer_id"],
        status=Status(row["status"]),
        lines=lines,
        payment_method=PaymentMethod(row["payment_method"]),
        card_last4=row["card_last4"],
        shipping=ShippingAddress(
            line1=row["ship_line1"],
            city=row["ship_city"],
            postal_code=row["ship_postal_code"],
            country=row["ship_country"],
        ),  # fmt: skip
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        reason=row["reason"],
        currency=row["currency"],
        payment=payment,
    )
