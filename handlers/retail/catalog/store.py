"""All SQL of the catalog service, on SQLite and MySQL/MariaDB alike, on the transaction the use case opened.
Catalog owns the ``retail`` schema (``migrations/``), sales tables included.

A product's stock row is written with it. Stock is read with its row locked (``SELECT ... FOR UPDATE``; SQLite's
write lock) before it changes, and the CHECK constraint forbids a negative count too. A product row and a client row
hold what the API shows of them (their views), so the two never drift apart.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.retail.catalog.logic import (
    Client,
    ClientQuery,
    DuplicateDocument,
    MovementQuery,
    Product,
    ProductQuery,
    StockLevel,
    StockQuery,
)
from handlers.retail.stock_movements import MOVEMENT_COLUMNS, Movement, movement_of
from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Transaction, insert_statement, write_unique
from handlers.shared.paging import newest_first
from handlers.shared.products import find_in_sku_order, write_product
from handlers.shared.records import columns_of, record_of, row_of

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_PRODUCT_COLUMNS = columns_of(Product)
_CLIENT_COLUMNS = columns_of(Client)
_SELECT_PRODUCT = f"SELECT {_PRODUCT_COLUMNS} FROM products"  # noqa: S608 (constant column list)
_SELECT_CLIENT = f"SELECT {_CLIENT_COLUMNS} FROM clients"  # noqa: S608 (constant column list)
_SELECT_LEVEL = (
    "SELECT s.product_id, p.sku, p.name, s.stock, p.min_stock FROM stock s JOIN products p ON p.id = s.product_id"
)
_SELECT_MOVEMENT = f"SELECT {MOVEMENT_COLUMNS} FROM stock_movements"  # noqa: S608 (constant column list)
_INSERT_PRODUCT = insert_statement("products", _PRODUCT_COLUMNS)
_INSERT_CLIENT = insert_statement("clients", _CLIENT_COLUMNS)
_UPDATE_PRODUCT = (
    "UPDATE products SET sku = :sku, name = :name, category = :category, price = :price, min_stock = :min_stock, "
    "active = :active, updated_at = :updated_at WHERE id = :id"
)
_UPDATE_CLIENT = (
    "UPDATE clients SET document_id = :document_id, name = :name, email = :email, phone = :phone, "
    "updated_at = :updated_at WHERE id = :id"
)


# --- products --------------------------------------------------------------------------------------------------------


def get_product(tx: Transaction, product_id: str, *, lock: bool = False) -> Product | None:
    row = tx.query_one(f"{_SELECT_PRODUCT} WHERE id = :id", {"id": product_id}, lock=lock)
    return None if row is None else record_of(Product, row)


def insert_product(tx: Transaction, product: Product) -> None:
    """The product and its stock row at 0; DuplicateSku when the SKU is taken."""
    write_product(tx, _INSERT_PRODUCT, product, timestamp_ms)
    tx.execute(
        "INSERT INTO stock (product_id, stock, updated_at) VALUES (:id, 0, :at)",
        {"id": product.id, "at": timestamp_ms(product.created_at)},
    )


def save_product(tx: Transaction, product: Product) -> None:
    """Write every field of a product that exists; DuplicateSku when its SKU is another product's."""
    write_product(tx, _UPDATE_PRODUCT, product, timestamp_ms)


def find_products(tx: Transaction, query: ProductQuery) -> list[Product]:
    """Up to ``limit + 1`` products in SKU order after the cursor (deleted ones only when asked), whose SKU or name
    contains ``q``."""
    where, params = [] if query.include_inactive else ["active = 1"], dict[str, Any]()
    if query.q is not None:
        where.append(contains(("sku", "name"), query.q, params))
    return [record_of(Product, r) for r in find_in_sku_order(tx, _SELECT_PRODUCT, query, where, params)]


# --- clients ---------------------------------------------------------------------------------------------------------


def get_client(tx: Transaction, client_id: str, *, lock: bool = False) -> Client | None:
    row = tx.query_one(f"{_SELECT_CLIENT} WHERE id = :id", {"id": client_id}, lock=lock)
    return None if row is None else record_of(Client, row)


def insert_client(tx: Transaction, client: Client) -> None:
    """DuplicateDocument when the document id is taken."""
    write_unique(tx, _INSERT_CLIENT, row_of(client, timestamp_ms), table="clients", unique="document_id",
                 clash=DuplicateDocument(client.document_id))  # fmt: skip


def save_client(tx: Transaction, client: Client) -> None:
    """Write every field of a client that exists; DuplicateDocument when its document id is another client's."""
    write_unique(tx, _UPDATE_CLIENT, row_of(client, timestamp_ms), table="clients", unique="document_id",
                 clash=DuplicateDocument(client.document_id))  # fmt: skip


def delete_client(tx: Transaction, client_id: str) -> None:
    """A hard delete (sales keep the id)."""
    tx.execute("DELETE FROM clients WHERE id = :id", {"id": client_id})


def find_clients(tx: Transaction, query: ClientQuery) -> list[Client]:
    """Up to ``limit + 1`` clients in (name, id) order after the cursor, whose name, document id or email contains
    ``q``."""
    where, params = ["1 = 1"], dict[str, Any](limit=query.limit + 1)
    if query.q is not None:
        where.append(contains(("name", "document_id", "email"), query.q, params))
    if query.after_key is not None:
        where.append("(name > :name OR (name = :name AND id > :id))")
        params.update(name=query.after_key[0], id=query.after_key[1])
    rows = tx.query(f"{_SELECT_CLIENT} WHERE {' AND '.join(where)} ORDER BY name, id LIMIT :limit", params)
    return [record_of(Client, r) for r in rows]


# --- stock -----------------------------------------------------------------------------------------------------------


def get_level(tx: Transaction, product_id: str, *, lock: bool = False) -> StockLevel | None:
    """A product's stock; ``lock``: its stock row stays locked until the transaction ends."""
    row = tx.query_one(f"{_SELECT_LEVEL} WHERE s.product_id = :id", {"id": product_id}, lock=lock)
    return None if row is None else _level(row)


def save_level(tx: Transaction, level: StockLevel, now: datetime) -> None:
    tx.execute(
        "UPDATE stock SET stock = :stock, updated_at = :at WHERE product_id = :id",
        {"stock": level.stock, "at": timestamp_ms(now), "id": level.product_id},
    )


def find_levels(tx: Transaction, query: StockQuery) -> list[StockLevel]:
    """Up to ``limit + 1`` sold products' stock in SKU order after the cursor; ``q``: SKU or name contains it;
    ``low``: below the minimum."""
    where, params = ["p.active = 1"], dict[str, Any](limit=query.limit + 1)
    if query.q is not None:
        where.append(contains(("p.sku", "p.name"), query.q, params))
    if query.low:
        where.append("s.stock < p.min_stock")
    if query.after_key is not None:
        where.append("p.sku > :after")
        params["after"] = query.after_key[0]
    rows = tx.query(f"{_SELECT_LEVEL} WHERE {' AND '.join(where)} ORDER BY p.sku LIMIT :limit", params)
    return [_level(r) for r in rows]


def find_movements(tx: Transaction, query: MovementQuery) -> list[Movement]:
    """Up to ``limit + 1`` movements (of one product, or all), newest first, after the cursor."""
    sql, params = newest_first(_SELECT_MOVEMENT, {"product_id": query.product_id}, query.after, query.limit + 1)
    return [movement_of(r) for r in tx.query(sql, params)]


# --- search ----------------------------------------------------------------------------------------------------------

_LIKE_ESCAPE = "!"
"""Not backslash: MySQL's default LIKE escape, which string literals would also need doubled for. ``ESCAPE '!'``
reads the same on SQLite and MySQL/MariaDB."""


def like_pattern(text: str) -> str:
    """A LIKE pattern matching any value that contains ``text`` literally: its ``%``, ``_`` and ``!`` escaped."""
    escaped = "".join(_LIKE_ESCAPE + c if c in "%_" + _LIKE_ESCAPE else c for c in text)
    return f"%{escaped}%"


def contains(columns: tuple[str, ...], text: str, params: dict[str, Any]) -> str:
    """The condition that one of ``columns`` (the store's names, never a request's) contains ``text``, ignoring case
    (``LOWER`` on both sides: the same folding on each engine); adds the bound pattern to ``params``."""
    params["search"] = like_pattern(text)
    matches = [f"LOWER({column}) LIKE LOWER(:search) ESCAPE '{_LIKE_ESCAPE}'" for column in columns]
    return f"({' OR '.join(matches)})"


# --- rows ------------------------------------------------------------------------------------------------------------


def _level(row: dict[str, Any]) -> StockLevel:
    return StockLevel(row["product_id"], row["sku"], row["name"], int(row["stock"]), int(row["min_stock"]))
