"""All SQL of the catalog service, on SQLite and MySQL/MariaDB alike. Catalog owns the ``retail`` schema
(``migrations/``), sales tables included.

A new product gets its stock row (0) in the same transaction. Stock moves only after its row is locked
(``SELECT ... FOR UPDATE``; SQLite's write lock), and the CHECK constraint forbids a negative count too. StockLow goes
to the outbox in the transaction that crosses the minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.retail.catalog.logic import (
    Adjustment,
    Client,
    ClientNotFound,
    ClientQuery,
    DuplicateDocument,
    DuplicateSku,
    MovementQuery,
    Product,
    ProductNotFound,
    ProductQuery,
    StockChange,
    StockLevel,
    StockQuery,
    adjust,
)
from handlers.retail.contracts import StockLow
from handlers.retail.stock_movements import Movement, MovementKind, insert_movement
from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Database, IntegrityConflict, Transaction
from handlers.shared.inbox import claim
from handlers.shared.money import money, money_text
from handlers.shared.outbox import add_to_outbox

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_PRODUCT_COLUMNS = "id, sku, name, category, price, min_stock, active, created_at, updated_at"
_SELECT_PRODUCT = f"SELECT {_PRODUCT_COLUMNS} FROM products"  # noqa: S608
_SELECT_CLIENT = "SELECT id, document_id, name, email, phone, created_at, updated_at FROM clients"
_SELECT_LEVEL = (
    "SELECT s.product_id, p.sku, p.name, s.stock, p.min_stock FROM stock s JOIN products p ON p.id = s.product_id"
)
_SELECT_MOVEMENT = "SELECT id, product_id, kind, delta, reason, sale_id, user_id, created_at FROM stock_movements"


class CatalogStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- products --------------------------------------------------------------------------------------------------

    def product(self, product_id: str) -> Product | None:
        with self.db.transaction() as tx:
            row = tx.query_one(f"{_SELECT_PRODUCT} WHERE id = :id", {"id": product_id})
        return None if row is None else _product(row)

    def create_product(self, product: Product) -> Product:
        """The product and its stock row at 0, in one transaction; DuplicateSku when the SKU is taken."""
        try:
            with self.db.transaction() as tx:
                _check_sku_free(tx, product.sku, product.id)
                tx.execute(
                    f"INSERT INTO products ({_PRODUCT_COLUMNS}) VALUES (:id, :sku, :name, :category, :price, "  # noqa: S608
                    ":min_stock, :active, :created_at, :updated_at)",
                    _product_row(product),
                )
                tx.execute(
                    "INSERT INTO stock (product_id, stock, updated_at) VALUES (:id, 0, :at)",
                    {"id": product.id, "at": timestamp_ms(product.created_at)},
                )
        except IntegrityConflict:  # the SKU was taken between the check and the insert
            raise DuplicateSku(product.sku) from None
        return product

    def change_product(self, product_id: str, decide: Callable[[Product | None], Product]) -> Product:
        """Lock the product, let ``decide`` compute its new state (or raise) and write it."""
        try:
            with self.db.transaction() as tx:
                row = tx.query_one(f"{_SELECT_PRODUCT} WHERE id = :id", {"id": product_id}, lock=True)
                product = decide(None if row is None else _product(row))
                _check_sku_free(tx, product.sku, product.id)
                tx.execute(
                    "UPDATE products SET sku = :sku, name = :name, category = :category, price = :price, "
                    "min_stock = :min_stock, active = :active, updated_at = :updated_at WHERE id = :id",
                    _product_row(product),
                )
        except IntegrityConflict:
            raise DuplicateSku(product.sku) from None
        return product

    def products(self, query: ProductQuery) -> list[Product]:
        """Up to ``limit + 1`` products in SKU order after the cursor."""
        where, params = ["1 = 1"], dict[str, Any](limit=query.limit + 1)
        if not query.include_inactive:
            where.append("active = 1")
        if query.category is not None:
            where.append("category = :category")
            params["category"] = query.category
        if query.after is not None:
            where.append("sku > :after")
            params["after"] = query.after[0]
        with self.db.transaction() as tx:
            rows = tx.query(f"{_SELECT_PRODUCT} WHERE {' AND '.join(where)} ORDER BY sku LIMIT :limit", params)
        return [_product(r) for r in rows]

    # --- clients ---------------------------------------------------------------------------------------------------

    def client(self, client_id: str) -> Client | None:
        with self.db.transaction() as tx:
            row = tx.query_one(f"{_SELECT_CLIENT} WHERE id = :id", {"id": client_id})
        return None if row is None else _client(row)

    def create_client(self, client: Client) -> Client:
        try:
            with self.db.transaction() as tx:
                _check_document_free(tx, client.document_id, client.id)
                tx.execute(
                    "INSERT INTO clients (id, document_id, name, email, phone, created_at, updated_at) "
                    "VALUES (:id, :document_id, :name, :email, :phone, :created_at, :updated_at)",
                    _client_row(client),
                )
        except IntegrityConflict:
            raise DuplicateDocument(client.document_id) from None
        return client

    def change_client(self, client_id: str, decide: Callable[[Client | None], Client]) -> Client:
        try:
            with self.db.transaction() as tx:
                row = tx.query_one(f"{_SELECT_CLIENT} WHERE id = :id", {"id": client_id}, lock=True)
                client = decide(None if row is None else _client(row))
                _check_document_free(tx, client.document_id, client.id)
                tx.execute(
                    "UPDATE clients SET document_id = :document_id, name = :name, email = :email, phone = :phone, "
                    "updated_at = :updated_at WHERE id = :id",
                    _client_row(client),
                )
        except IntegrityConflict:
            raise DuplicateDocument(client.document_id) from None
        return client

    def delete_client(self, client_id: str) -> None:
        """A hard delete (sales keep the id); ClientNotFound when there is none."""
        with self.db.transaction() as tx:
            if tx.query_one("SELECT id FROM clients WHERE id = :id", {"id": client_id}, lock=True) is None:
                raise ClientNotFound(client_id)
            tx.execute("DELETE FROM clients WHERE id = :id", {"id": client_id})

    def clients(self, query: ClientQuery) -> list[Client]:
        """Up to ``limit + 1`` clients in (name, id) order after the cursor."""
        where, params = "", dict[str, Any](limit=query.limit + 1)
        if query.after is not None:
            where = " WHERE (name > :name OR (name = :name AND id > :id))"
            params.update(name=query.after[0], id=query.after[1])
        with self.db.transaction() as tx:
            rows = tx.query(f"{_SELECT_CLIENT}{where} ORDER BY name, id LIMIT :limit", params)
        return [_client(r) for r in rows]

    # --- stock -----------------------------------------------------------------------------------------------------

    def levels(self, query: StockQuery) -> list[StockLevel]:
        """Up to ``limit + 1`` sold products' stock in SKU order after the cursor; ``low``: below the minimum."""
        where, params = ["p.active = 1"], dict[str, Any](limit=query.limit + 1)
        if query.low:
            where.append("s.stock < p.min_stock")
        if query.after is not None:
            where.append("p.sku > :after")
            params["after"] = query.after[0]
        with self.db.transaction() as tx:
            rows = tx.query(f"{_SELECT_LEVEL} WHERE {' AND '.join(where)} ORDER BY p.sku LIMIT :limit", params)
        return [_level(r) for r in rows]

    def level(self, product_id: str) -> StockLevel | None:
        with self.db.transaction() as tx:
            row = tx.query_one(f"{_SELECT_LEVEL} WHERE s.product_id = :id", {"id": product_id})
        return None if row is None else _level(row)

    def adjust(self, adjustment: Adjustment, user_id: str, now: datetime) -> StockChange:
        """Lock the product's stock row, apply the adjustment (409 below zero), record the movement and, when the
        stock crosses below its minimum, StockLow in the outbox: all in one transaction."""
        with self.db.transaction() as tx:
            row = tx.query_one(f"{_SELECT_LEVEL} WHERE s.product_id = :id", {"id": adjustment.product_id}, lock=True)
            if row is None:
                raise ProductNotFound(adjustment.product_id)
            change = adjust(_level(row), adjustment, user_id, now)
            tx.execute(
                "UPDATE stock SET stock = :stock, updated_at = :at WHERE product_id = :id",
                {"stock": change.level.stock, "at": timestamp_ms(now), "id": adjustment.product_id},
            )
            insert_movement(tx, change.movement)
            if change.alert is not None:
                add_to_outbox(tx, change.alert)
        return change

    def movements(self, query: MovementQuery) -> list[Movement]:
        """Up to ``limit + 1`` movements, newest first, after the cursor."""
        where, params = ["1 = 1"], dict[str, Any](limit=query.limit + 1)
        if query.product_id is not None:
            where.append("product_id = :product_id")
            params["product_id"] = query.product_id
        if query.after is not None:
            where.append("(created_at < :at OR (created_at = :at AND id < :id))")
            params.update(at=query.after[0], id=query.after[1])
        sql = f"{_SELECT_MOVEMENT} WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC LIMIT :limit"
        with self.db.transaction() as tx:
            rows = tx.query(sql, params)
        return [_movement(r) for r in rows]

    # --- alerts ----------------------------------------------------------------------------------------------------

    def alert_once(self, consumer: str, event: StockLow, send: Callable[[StockLow], None]) -> bool:
        """Claim the event and send its alert in one transaction: a failed send rolls the claim back (the record is
        retried); False when it was handled before."""
        with self.db.transaction() as tx:
            if not claim(tx, consumer, event.event_id):
                return False
            send(event)
        return True


# --- helpers ---------------------------------------------------------------------------------------------------------


def _check_sku_free(tx: Transaction, sku: str, product_id: str) -> None:
    if tx.query_one("SELECT id FROM products WHERE sku = :sku AND id <> :id", {"sku": sku, "id": product_id}):
        raise DuplicateSku(sku)


def _check_document_free(tx: Transaction, document_id: str, client_id: str) -> None:
    other = tx.query_one(
        "SELECT id FROM clients WHERE document_id = :doc AND id <> :id", {"doc": document_id, "id": client_id}
    )
    if other is not None:
        raise DuplicateDocument(document_id)


def _product_row(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "price": money_text(product.price),
        "min_stock": product.min_stock,
        "active": 1 if product.active else 0,
        "created_at": timestamp_ms(product.created_at),
        "updated_at": timestamp_ms(product.updated_at),
    }


def _product(row: dict[str, Any]) -> Product:
    return Product(
        id=row["id"],
        sku=row["sku"],
        name=row["name"],
        category=row["category"],
        price=money(row["price"]),
        min_stock=int(row["min_stock"]),
        active=bool(row["active"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _client_row(client: Client) -> dict[str, Any]:
    return {"id": client.id, "document_id": client.document_id, "name": client.name, "email": client.email,
            "phone": client.phone, "created_at": timestamp_ms(client.created_at),
            "updated_at": timestamp_ms(client.updated_at)}  # fmt: skip


def _client(row: dict[str, Any]) -> Client:
    return Client(row["id"], row["document_id"], row["name"], row["email"], row["phone"],
                  datetime.fromisoformat(row["created_at"]), datetime.fromisoformat(row["updated_at"]))  # fmt: skip


def _level(row: dict[str, Any]) -> StockLevel:
    return StockLevel(row["product_id"], row["sku"], row["name"], int(row["stock"]), int(row["min_stock"]))


def _movement(row: dict[str, Any]) -> Movement:
    return Movement(row["id"], row["product_id"], MovementKind(row["kind"]), int(row["delta"]), row["reason"],
                    row["sale_id"], row["user_id"], datetime.fromisoformat(row["created_at"]))  # fmt: skip
