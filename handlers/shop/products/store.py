"""All SQL of the products service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike.

Every catalog change is written with its ProductChanged event in one transaction (the outbox); each saga event is
claimed as handled in the same transaction as its effect, so a redelivery changes nothing.

Stock moves only through conditional updates (``... WHERE available >= :q``) on inventory rows locked in
product-id order: concurrent reservations of the same product serialize on its row and never deadlock each other,
and no count can go negative (the CHECK constraints say so too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.shared.clock import timestamp_us
from handlers.shared.db import Database, IntegrityConflict, Transaction
from handlers.shared.inbox import claim
from handlers.shared.money import money, money_text
from handlers.shared.outbox import add_to_outbox
from handlers.shop.contracts import OrderPlaced, StockReleased
from handlers.shop.products.logic import (
    DuplicateSku,
    Inventory,
    LineState,
    ListQuery,
    OrderStock,
    Outcome,
    Product,
    ProductNotFound,
    Reject,
    Stock,
    can_confirm,
    decide_reservation,
    placed_again,
    product_changed,
    releases,
    search_pattern,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = "id, sku, name, description, category, price, active, created_at, updated_at"
_SELECT = f"SELECT {_COLUMNS} FROM products"  # noqa: S608 (constant column list)


class StockInconsistent(RuntimeError):
    """A locked inventory row did not take a change the decision counted on (a bug): the transaction rolls back."""


class ProductStore:
    """Reads and writes products, inventory and reservations in the service's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- catalog -------------------------------------------------------------------------------------------------

    def get(self, product_id: str) -> Product | None:
        with self.db.transaction() as tx:
            row = tx.query_one(f"{_SELECT} WHERE id = :id", {"id": product_id})
        return None if row is None else _product(row)

    def create(self, product: Product) -> Product:
        """The product, its empty inventory row and its ProductChanged event; DuplicateSku when the SKU is taken."""
        try:
            with self.db.transaction() as tx:
                _check_sku_free(tx, product.sku, product.id)
                tx.execute(
                    f"INSERT INTO products ({_COLUMNS}) VALUES (:id, :sku, :name, :description, :category, :price, "  # noqa: S608
                    ":active, :created_at, :updated_at)",
                    _row(product),
                )
                tx.execute(
                    "INSERT INTO inventory (product_id, available, reserved, updated_at) VALUES (:id, 0, 0, :at)",
                    {"id": product.id, "at": timestamp_us(product.updated_at)},
                )
                add_to_outbox(tx, product_changed(product))
        except IntegrityConflict:  # the SKU was taken between the check and the insert
            raise DuplicateSku(product.sku) from None
        return product

    def change(self, product_id: str, decide: Callable[[Product | None], Product]) -> Product:
        """Lock the product, let ``decide`` compute its new state (or raise), write it with its ProductChanged event.
        Nothing is written (nor announced) when ``decide`` changes nothing but the time."""
        try:
            with self.db.transaction() as tx:
                row = tx.query_one(f"{_SELECT} WHERE id = :id", {"id": product_id}, lock=True)
                current = None if row is None else _product(row)
                product = decide(current)
                if current is not None and _same(current, product):
                    return current
                _check_sku_free(tx, product.sku, product.id)
                tx.execute(
                    "UPDATE products SET sku = :sku, name = :name, description = :description, "
                    "category = :category, price = :price, active = :active, updated_at = :updated_at "
                    "WHERE id = :id",
                    _row(product),
                )
                add_to_outbox(tx, product_changed(product))
        except IntegrityConflict:
            raise DuplicateSku(product.sku) from None
        return product

    def list_active(self, query: ListQuery) -> list[Product]:
        """Up to ``limit + 1`` sold products matching the query, in SKU order after the cursor."""
        where = ["active = 1"]
        params: dict[str, Any] = {"limit": query.limit + 1}
        if query.category is not None:
            where.append("category = :category")
            params["category"] = query.category
        if query.q is not None:
            where.append(
                "(LOWER(name) LIKE :pattern ESCAPE '!' OR LOWER(sku) LIKE :pattern ESCAPE '!' "
                "OR LOWER(COALESCE(description, '')) LIKE :pattern ESCAPE '!')"
            )
            params["pattern"] = search_pattern(query.q)
        if query.after_sku is not None:
            where.append("sku > :after")
            params["after"] = query.after_sku
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY sku LIMIT :limit"
        with self.db.transaction() as tx:
            rows = tx.query(sql, params)
        return [_product(r) for r in rows]

    # --- inventory -----------------------------------------------------------------------------------------------

    def inventory(self, product_id: str) -> Inventory | None:
        with self.db.transaction() as tx:
            row = tx.query_one(
                "SELECT product_id, available, reserved FROM inventory WHERE product_id = :id", {"id": product_id}
            )
        return None if row is None else _inventory(row)

    def set_available(self, product_id: str, quantity: int, now: datetime) -> Inventory:
        """Set the units available to sell (reserved ones unchanged); ProductNotFound for an unknown product."""
        with self.db.transaction() as tx:
            row = tx.query_one(
                "SELECT product_id, available, reserved FROM inventory WHERE product_id = :id",
                {"id": product_id},
                lock=True,
            )
            if row is None:
                raise ProductNotFound(product_id)
            tx.execute(  # (MySQL counts changed rows, not matched ones: the row was checked above)
                "UPDATE inventory SET available = :q, updated_at = :at WHERE product_id = :id",
                {"q": quantity, "at": timestamp_us(now), "id": product_id},
            )
        return Inventory(product_id, quantity, int(row["reserved"]))

    # --- the stock saga ------------------------------------------------------------------------------------------

    def place(self, order: OrderPlaced, consumer: str, now: datetime) -> Outcome | None:
        """Reserve every item of the order or none, once per order. None when the event was handled before.

        A second OrderPlaced for a decided order is ignored. Two deliveries of one order racing: both insert its
        ``stock_orders`` row, one fails on the primary key and rolls back (claim included), and its retry is
        ignored."""
        with self.db.transaction() as tx:
            if not claim(tx, consumer, order.event_id):
                return None
            state = _order_state(tx, order.order_id, lock=False)
            if state is not None:
                return placed_again(order.order_id, state)
            product_ids = sorted({item.product_id for item in order.items})
            decision = decide_reservation(order, _stock(tx, product_ids))
            at = timestamp_us(now)
            if isinstance(decision, Reject):
                _insert_order(tx, order.order_id, OrderStock.REJECTED, at, decision.reason)
                add_to_outbox(tx, decision.event)
                return Outcome(order.order_id, OrderStock.REJECTED)
            for item in decision.items:
                moved = tx.execute(
                    "UPDATE inventory SET available = available - :q, reserved = reserved + :q, updated_at = :at "
                    "WHERE product_id = :id AND available >= :q",
                    {"q": item.quantity, "id": item.product_id, "at": at},
                )
                if moved != 1:
                    raise StockInconsistent(f"inventory of {item.product_id} did not take the reservation")
                tx.execute(
                    "INSERT INTO reservations (order_id, product_id, quantity, state, created_at, updated_at) "
                    "VALUES (:order_id, :product_id, :q, :state, :at, :at)",
                    {"order_id": order.order_id, "product_id": item.product_id, "q": item.quantity,
                     "state": LineState.RESERVED.value, "at": at},
                )  # fmt: skip
            _insert_order(tx, order.order_id, OrderStock.RESERVED, at, None)
            add_to_outbox(tx, decision.event)
            return Outcome(order.order_id, OrderStock.RESERVED)

    def confirm(self, order_id: str, event_id: str, consumer: str, now: datetime) -> Outcome | None:
        """The reserved units are sold: they leave ``reserved``. None when the event was handled before."""
        with self.db.transaction() as tx:
            if not claim(tx, consumer, event_id):
                return None
            refused = can_confirm(order_id, _order_state(tx, order_id, lock=True))
            if refused is not None:
                return refused
            at = timestamp_us(now)
            for product_id, quantity, _ in _lines(tx, order_id, LineState.RESERVED):
                sold = tx.execute(
                    "UPDATE inventory SET reserved = reserved - :q, updated_at = :at "
                    "WHERE product_id = :id AND reserved >= :q",
                    {"q": quantity, "id": product_id, "at": at},
                )
                if sold != 1:
                    raise StockInconsistent(f"inventory of {product_id} holds less than order {order_id} reserved")
            _set_lines(tx, order_id, LineState.RESERVED, LineState.COMMITTED, at)
            _set_order(tx, order_id, OrderStock.COMMITTED, at)
            return Outcome(order_id, OrderStock.COMMITTED)

    def cancel(self, order_id: str, event_id: str, consumer: str, now: datetime) -> Outcome | None:
        """Put back what the order holds and answer StockReleased (also when it held nothing). None when the event
        was handled before. A cancellation before the order's OrderPlaced leaves the order RELEASED, so the late
        OrderPlaced is ignored."""
        with self.db.transaction() as tx:
            if not claim(tx, consumer, event_id):
                return None
            at = timestamp_us(now)
            state = _order_state(tx, order_id, lock=True)
            if state is None:
                _insert_order(tx, order_id, OrderStock.RELEASED, at, "cancelled before it was placed")
            else:
                for release in releases(_lines(tx, order_id, None)):
                    put_back = tx.execute(
                        "UPDATE inventory SET available = available + :back, reserved = reserved - :unreserve, "
                        "updated_at = :at WHERE product_id = :id AND reserved >= :unreserve",
                        {"back": release.to_available, "unreserve": release.from_reserved, "id": release.product_id,
                         "at": at},
                    )  # fmt: skip
                    if put_back != 1:
                        raise StockInconsistent(f"inventory of {release.product_id} cannot take back order {order_id}")
                tx.execute(
                    "UPDATE reservations SET state = :released, updated_at = :at "
                    "WHERE order_id = :order_id AND state <> :released",
                    {"released": LineState.RELEASED.value, "at": at, "order_id": order_id},
                )
                if state is not OrderStock.RELEASED:
                    _set_order(tx, order_id, OrderStock.RELEASED, at)
            add_to_outbox(tx, StockReleased(order_id=order_id))
            return Outcome(order_id, OrderStock.RELEASED)

    def order_state(self, order_id: str) -> OrderStock | None:
        with self.db.transaction() as tx:
            return _order_state(tx, order_id, lock=False)

    def reservations(self, order_id: str) -> list[tuple[str, int, LineState]]:
        """The order's lines (product id, quantity, state) in product order."""
        with self.db.transaction() as tx:
            return _lines(tx, order_id, None)


# --- helpers -----------------------------------------------------------------------------------------------------


def _check_sku_free(tx: Transaction, sku: str, product_id: str) -> None:
    other = tx.query_one("SELECT id FROM products WHERE sku = :sku AND id <> :id", {"sku": sku, "id": product_id})
    if other is not None:
        raise DuplicateSku(sku)


def _same(a: Product, b: Product) -> bool:
    return (a.sku, a.name, a.description, a.category, a.price, a.active) == (
        b.sku, b.name, b.description, b.category, b.price, b.active,
    )  # fmt: skip


def _stock(tx: Transaction, product_ids: Sequence[str]) -> dict[str, Stock]:
    """The products' inventory rows, locked in product-id order (one statement, scanning the primary key)."""
    if not product_ids:
        return {}
    names = {f"p{i}": pid for i, pid in enumerate(product_ids)}
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


def _order_state(tx: Transaction, order_id: str, *, lock: bool) -> OrderStock | None:
    row = tx.query_one("SELECT state FROM stock_orders WHERE order_id = :id", {"id": order_id}, lock=lock)
    return None if row is None else OrderStock(row["state"])


def _insert_order(tx: Transaction, order_id: str, state: OrderStock, at: str, reason: str | None) -> None:
    tx.execute(
        "INSERT INTO stock_orders (order_id, state, reason, created_at, updated_at) "
        "VALUES (:id, :state, :reason, :at, :at)",
        {"id": order_id, "state": state.value, "reason": reason, "at": at},
    )


def _set_order(tx: Transaction, order_id: str, state: OrderStock, at: str) -> None:
    tx.execute(
        "UPDATE stock_orders SET state = :state, updated_at = :at WHERE order_id = :id",
        {"state": state.value, "at": at, "id": order_id},
    )


def _lines(tx: Transaction, order_id: str, state: LineState | None) -> list[tuple[str, int, LineState]]:
    sql = "SELECT product_id, quantity, state FROM reservations WHERE order_id = :id"
    params: dict[str, Any] = {"id": order_id}
    if state is not None:
        sql += " AND state = :state"
        params["state"] = state.value
    rows = tx.query(sql + " ORDER BY product_id", params)
    return [(r["product_id"], int(r["quantity"]), LineState(r["state"])) for r in rows]


def _set_lines(tx: Transaction, order_id: str, old: LineState, new: LineState, at: str) -> None:
    tx.execute(
        "UPDATE reservations SET state = :new, updated_at = :at WHERE order_id = :id AND state = :old",
        {"new": new.value, "old": old.value, "at": at, "id": order_id},
    )


def _row(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": money_text(product.price),
        "active": 1 if product.active else 0,
        "created_at": timestamp_us(product.created_at),
        "updated_at": timestamp_us(product.updated_at),
    }


def _product(row: dict[str, Any]) -> Product:
    return Product(
        id=row["id"],
        sku=row["sku"],
        name=row["name"],
        description=row["description"],
        category=row["category"],
        price=money(row["price"]),
        active=bool(row["active"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _inventory(row: dict[str, Any]) -> Inventory:
    return Inventory(row["product_id"], int(row["available"]), int(row["reserved"]))
