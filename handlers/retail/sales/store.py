"""All SQL of the sales service, on the transaction the use case opened. The tables live in the ``retail`` schema,
whose migrations catalog owns (``handlers/retail/catalog/migrations``): a sale and its stock decrements are one
transaction in one database.

Locks, in the order a sale takes them so concurrent sales never deadlock: the products' stock rows in product-id
order (one ``SELECT ... FOR UPDATE``; on SQLite the transaction already holds the write lock), the client's row, then
the sale counter (``UPDATE counters ... value + 1`` holds its row until commit: numbers are unique and sequential).
A decrement is conditional (``... WHERE stock >= :q``) and checked. A void locks the sale row first: of two
concurrent voids, one restores the stock and the other sees VOIDED. A sale's rows hold what the API shows of it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from handlers.retail.sales.logic import (
    Decrement,
    Line,
    PaymentMethod,
    Sale,
    SaleQuery,
    SaleStatus,
    Stocked,
    sale_view,
)
from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.money import money

_SALE_COLUMNS = (
    "id, number, client_id, seller_id, payment_method, subtotal, tax_rate, tax, total, status, created_at, "
    "voided_at, voided_by"
)
_LINE_COLUMNS = "sale_id, product_id, sku, name, quantity, unit_price, line_total"
_SELECT_SALE = f"SELECT {_SALE_COLUMNS} FROM sales"  # noqa: S608 (constant column list)


class StockInconsistent(RuntimeError):
    """A locked row did not take the change it was checked for (a bug, never an expected refusal)."""


def lock_stock(tx: Transaction, product_ids: list[str]) -> dict[str, Stocked]:
    """The products with their stock rows, locked in product-id order (one statement)."""
    placeholders, params = _in("p", sorted(product_ids))
    rows = tx.query(
        "SELECT s.product_id, p.sku, p.name, p.price, p.active, s.stock, p.min_stock FROM stock s "  # noqa: S608
        f"JOIN products p ON p.id = s.product_id WHERE s.product_id IN ({placeholders}) ORDER BY s.product_id",
        params,
        lock=True,
    )
    return {
        r["product_id"]: Stocked(
            r["product_id"],
            r["sku"],
            r["name"],
            money(r["price"]),
            bool(r["active"]),
            int(r["stock"]),
            int(r["min_stock"]),
        )  # fmt: skip
        for r in rows
    }


def client_exists(tx: Transaction, client_id: str) -> bool:
    """Whether the client exists; its row stays locked, so it cannot be deleted under the sale."""
    return tx.query_one("SELECT id FROM clients WHERE id = :id", {"id": client_id}, lock=True) is not None


def next_number(tx: Transaction) -> int:
    """The next value of the sale counter, whose row stays locked until the transaction ends."""
    tx.execute("UPDATE counters SET value = value + 1 WHERE name = 'sale'")
    row = tx.query_one("SELECT value FROM counters WHERE name = 'sale'", lock=True)
    if row is None:
        raise StockInconsistent("the sale counter is missing (migration 007)")
    return int(row["value"])


def insert_sale(tx: Transaction, sale: Sale) -> None:
    """The sale and its lines."""
    view = sale_view(sale)
    tx.execute(insert_statement("sales", _SALE_COLUMNS), {k: v for k, v in view.items() if k != "items"})
    for line in view["items"]:
        tx.execute(insert_statement("sale_items", _LINE_COLUMNS), {"sale_id": sale.id, **line})


def take_stock(tx: Transaction, decrement: Decrement, now: datetime) -> None:
    """Take the decrement's units from its product's locked stock row."""
    taken = tx.execute(
        "UPDATE stock SET stock = stock - :q, updated_at = :at WHERE product_id = :id AND stock >= :q",
        {"q": decrement.quantity, "at": timestamp_ms(now), "id": decrement.product_id},
    )
    if taken != 1:
        raise StockInconsistent(f"stock of {decrement.product_id} did not take the sale")


def put_back(tx: Transaction, line: Line, now: datetime) -> None:
    """Return a line's units to its product's stock."""
    tx.execute(
        "UPDATE stock SET stock = stock + :q, updated_at = :at WHERE product_id = :id",
        {"q": line.quantity, "at": timestamp_ms(now), "id": line.product_id},
    )


def save_void(tx: Transaction, sale: Sale) -> None:
    """Mark a COMPLETED sale (locked by :func:`get`) as the voided ``sale``."""
    assert sale.voided_at is not None, "only a voided sale is saved"
    changed = tx.execute(
        "UPDATE sales SET status = :voided, voided_at = :at, voided_by = :by WHERE id = :id AND status = :completed",
        {"voided": SaleStatus.VOIDED, "completed": SaleStatus.COMPLETED, "at": timestamp_ms(sale.voided_at),
         "by": sale.voided_by, "id": sale.id},
    )  # fmt: skip
    if changed != 1:
        raise StockInconsistent(f"sale {sale.id} changed under its lock")


def get(tx: Transaction, sale_id: str, *, lock: bool = False) -> Sale | None:
    row = tx.query_one(f"{_SELECT_SALE} WHERE id = :id", {"id": sale_id}, lock=lock)
    if row is None:
        return None
    return _sale(row, _lines(tx, [sale_id]).get(sale_id, ()))


def find(tx: Transaction, seller: str | None, query: SaleQuery, window: tuple[str | None, str | None]) -> list[Sale]:
    """Up to ``limit + 1`` sales of ``seller`` (or everyone's) created within ``window`` (the query's days in the
    store's time zone), in the query's status, newest first, after the cursor."""
    since, before = window
    where, params = ["1 = 1"], dict[str, Any](limit=query.limit + 1)
    if seller is not None:
        where.append("seller_id = :seller")
        params["seller"] = seller
    if since is not None:
        where.append("created_at >= :since")
        params["since"] = since
    if before is not None:
        where.append("created_at < :before")
        params["before"] = before
    if query.status is not None:
        where.append("status = :status")
        params["status"] = query.status.value
    if query.after is not None:
        where.append("(created_at < :at OR (created_at = :at AND id < :id))")
        params.update(at=query.after.created_at, id=query.after.item_id)
    sql = f"{_SELECT_SALE} WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC LIMIT :limit"
    rows = tx.query(sql, params)
    lines = _lines(tx, [r["id"] for r in rows])
    return [_sale(r, lines.get(r["id"], ())) for r in rows]


# --- rows ------------------------------------------------------------------------------------------------------------


def _in(prefix: str, values: list[str]) -> tuple[str, dict[str, Any]]:
    names = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return ", ".join(f":{n}" for n in names), names


def _lines(tx: Transaction, sale_ids: list[str]) -> dict[str, tuple[Line, ...]]:
    if not sale_ids:
        return {}
    placeholders, params = _in("s", sale_ids)
    rows = tx.query(
        f"SELECT {_LINE_COLUMNS} FROM sale_items WHERE sale_id IN ({placeholders}) ORDER BY sale_id, sku",  # noqa: S608
        params,
    )
    lines: dict[str, list[Line]] = {}
    for r in rows:
        lines.setdefault(r["sale_id"], []).append(
            Line(
                r["product_id"], r["sku"], r["name"], int(r["quantity"]), money(r["unit_price"]), money(r["line_total"])
            )  # fmt: skip
        )
    return {sale_id: tuple(sale_lines) for sale_id, sale_lines in lines.items()}


def _sale(row: dict[str, Any], lines: tuple[Line, ...]) -> Sale:
    return Sale(
        id=row["id"],
        number=row["number"],
        client_id=row["client_id"],
        seller_id=row["seller_id"],
        payment_method=PaymentMethod(row["payment_method"]),
        lines=lines,
        subtotal=money(row["subtotal"]),
        tax_rate=Decimal(row["tax_rate"]),
        tax=money(row["tax"]),
        total=money(row["total"]),
        status=SaleStatus(row["status"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        voided_at=None if row["voided_at"] is None else datetime.fromisoformat(row["voided_at"]),
        voided_by=row["voided_by"],
    )
