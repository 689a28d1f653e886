"""All SQL of the sales service. The tables live in the ``retail`` schema, whose migrations catalog owns
(``handlers/retail/catalog/migrations``): a sale and its stock decrements are one transaction in one database.

A sale, in one transaction: lock the products' stock rows in product-id order (one ``SELECT ... FOR UPDATE``; on
SQLite the transaction already holds the write lock), decide (422/409 raise and nothing is written), draw the next
sale number (``UPDATE counters ... value + 1`` locks the counter row until commit: numbers are unique and
sequential), write the sale, its lines, the decrements (``... WHERE stock >= :q``, checked), the SALE movements,
StockLow for each product crossing its minimum (outbox) and the idempotency key. Concurrent sales of one product
serialize on its stock row; they never deadlock because every sale locks in the same order (stock rows, then the
counter).

A void locks the sale row first: of two concurrent voids, one restores the stock and the other sees VOIDED (409).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from handlers.retail.sales.logic import (
    Line,
    NewSale,
    PaymentMethod,
    Sale,
    SaleNotFound,
    SaleStatus,
    Stocked,
    decide_sale,
    new_sale_id,
    sale_number,
    sale_view,
    voided,
)
from handlers.retail.stock_movements import Movement, MovementKind, insert_movement
from handlers.shared import idempotency
from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Database, Transaction
from handlers.shared.idempotency import Claim
from handlers.shared.money import money, money_text
from handlers.shared.outbox import add_to_outbox

_SALE_COLUMNS = (
    "id, number, client_id, seller_id, payment_method, subtotal, tax_rate, tax, total, status, created_at, "
    "voided_at, voided_by"
)


class StockInconsistent(RuntimeError):
    """A locked stock row did not take the decrement it was checked for (a bug, never an expected refusal)."""


class SalesStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def sell(self, new: NewSale, *, seller_id: str, tax_rate: Decimal, now: datetime,
             request: Claim | None = None, sale_id: str | None = None) -> Sale:  # fmt: skip
        """Record the sale and its stock decrements in one transaction (see the module docstring), with the
        Idempotency-Key ``request`` when there is one (a concurrent request that stored that key first makes it
        fail: the router answers as that request did)."""
        with self.db.transaction() as tx:
            stocked = _stocked(tx, new.product_ids)
            client_known = new.client_id is None or tx.query_one(
                "SELECT id FROM clients WHERE id = :id", {"id": new.client_id}, lock=True
            ) is not None  # fmt: skip
            decision = decide_sale(new, stocked, client_known=client_known, tax_rate=tax_rate,
                                   sale_id=sale_id or new_sale_id(), seller_id=seller_id, now=now)  # fmt: skip
            sale = _with_number(decision.sale, _next_number(tx))
            _insert_sale(tx, sale)
            at = timestamp_ms(now)
            for decrement in decision.decrements:
                taken = tx.execute(
                    "UPDATE stock SET stock = stock - :q, updated_at = :at WHERE product_id = :id AND stock >= :q",
                    {"q": decrement.quantity, "at": at, "id": decrement.product_id},
                )
                if taken != 1:
                    raise StockInconsistent(f"stock of {decrement.product_id} did not take the sale")
                insert_movement(tx, Movement(new_sale_id(), decrement.product_id, MovementKind.SALE,
                                             -decrement.quantity, None, sale.id, seller_id, now))  # fmt: skip
            for alert in decision.alerts:
                add_to_outbox(tx, alert)
            if request is not None:
                idempotency.store(tx, request, sale.id, dict(sale_view(sale)), now)
        return sale

    def get(self, sale_id: str) -> Sale | None:
        with self.db.transaction() as tx:
            return _sale(tx, sale_id, lock=False)

    def find(self, *, seller: str | None, since: str | None, before: str | None,
             after: tuple[str, str] | None, limit: int) -> list[Sale]:  # fmt: skip
        """Up to ``limit`` sales, newest first, after the cursor ``(created_at, id)``."""
        where, params = ["1 = 1"], dict[str, Any](limit=limit)
        if seller is not None:
            where.append("seller_id = :seller")
            params["seller"] = seller
        if since is not None:
            where.append("created_at >= :since")
            params["since"] = since
        if before is not None:
            where.append("created_at < :before")
            params["before"] = before
        if after is not None:
            where.append("(created_at < :at OR (created_at = :at AND id < :id))")
            params.update(at=after[0], id=after[1])
        with self.db.transaction() as tx:
            rows = tx.query(
                f"SELECT {_SALE_COLUMNS} FROM sales WHERE {' AND '.join(where)} "  # noqa: S608
                "ORDER BY created_at DESC, id DESC LIMIT :limit",
                params,
            )
            lines = _lines(tx, [r["id"] for r in rows])
        return [_from_row(r, lines.get(r["id"], ())) for r in rows]

    def void(self, sale_id: str, user_id: str, now: datetime) -> Sale:
        """Lock the sale; VOIDED once (409 naming the status after), its lines back to stock as VOID movements."""
        with self.db.transaction() as tx:
            sale = voided(_sale(tx, sale_id, lock=True), sale_id, user_id, now)
            changed = tx.execute(
                "UPDATE sales SET status = :voided, voided_at = :at, voided_by = :by "
                "WHERE id = :id AND status = :completed",
                {"voided": SaleStatus.VOIDED.value, "completed": SaleStatus.COMPLETED.value, "at": timestamp_ms(now),
                 "by": user_id, "id": sale_id},
            )  # fmt: skip
            if changed != 1:
                raise StockInconsistent(f"sale {sale_id} changed under its lock")
            for line in sorted(sale.lines, key=lambda x: x.product_id):
                tx.execute(
                    "UPDATE stock SET stock = stock + :q, updated_at = :at WHERE product_id = :id",
                    {"q": line.quantity, "at": timestamp_ms(now), "id": line.product_id},
                )
                insert_movement(tx, Movement(new_sale_id(), line.product_id, MovementKind.VOID, line.quantity, None,
                                             sale_id, user_id, now))  # fmt: skip
        return sale


# --- helpers -------------------------------------------------------------------------------------------------------


def _in(prefix: str, values: list[str]) -> tuple[str, dict[str, Any]]:
    names = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return ", ".join(f":{n}" for n in names), names


def _stocked(tx: Transaction, product_ids: list[str]) -> dict[str, Stocked]:
    """The products with their stock rows, locked in product-id order (one statement)."""
    placeholders, params = _in("p", product_ids)
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


def _next_number(tx: Transaction) -> int:
    tx.execute("UPDATE counters SET value = value + 1 WHERE name = 'sale'")
    row = tx.query_one("SELECT value FROM counters WHERE name = 'sale'", lock=True)
    if row is None:
        raise StockInconsistent("the sale counter is missing (migration 007)")
    return int(row["value"])


def _with_number(sale: Sale, value: int) -> Sale:
    return replace(sale, number=sale_number(value))


def _insert_sale(tx: Transaction, sale: Sale) -> None:
    tx.execute(
        f"INSERT INTO sales ({_SALE_COLUMNS}) VALUES (:id, :number, :client_id, :seller_id, :payment_method, "  # noqa: S608
        ":subtotal, :tax_rate, :tax, :total, :status, :created_at, NULL, NULL)",
        {"id": sale.id, "number": sale.number, "client_id": sale.client_id, "seller_id": sale.seller_id,
         "payment_method": sale.payment_method.value, "subtotal": money_text(sale.subtotal),
         "tax_rate": str(sale.tax_rate), "tax": money_text(sale.tax), "total": money_text(sale.total),
         "status": sale.status.value, "created_at": timestamp_ms(sale.created_at)},
    )  # fmt: skip
    for line in sale.lines:
        tx.execute(
            "INSERT INTO sale_items (sale_id, product_id, sku, name, quantity, unit_price, line_total) "
            "VALUES (:sale_id, :product_id, :sku, :name, :quantity, :unit_price, :line_total)",
            {"sale_id": sale.id, "product_id": line.product_id, "sku": line.sku, "name": line.name,
             "quantity": line.quantity, "unit_price": money_text(line.unit_price),
             "line_total": money_text(line.line_total)},
        )  # fmt: skip


def _lines(tx: Transaction, sale_ids: list[str]) -> dict[str, tuple[Line, ...]]:
    if not sale_ids:
        return {}
    placeholders, params = _in("s", sale_ids)
    rows = tx.query(
        "SELECT sale_id, product_id, sku, name, quantity, unit_price, line_total FROM sale_items "  # noqa: S608
        f"WHERE sale_id IN ({placeholders}) ORDER BY sale_id, sku",
        params,
    )
    out: dict[str, list[Line]] = {}
    for r in rows:
        out.setdefault(r["sale_id"], []).append(
            Line(
                r["product_id"], r["sku"], r["name"], int(r["quantity"]), money(r["unit_price"]), money(r["line_total"])
            )  # fmt: skip
        )
    return {k: tuple(v) for k, v in out.items()}


def _sale(tx: Transaction, sale_id: str, *, lock: bool) -> Sale | None:
    row = tx.query_one(f"SELECT {_SALE_COLUMNS} FROM sales WHERE id = :id", {"id": sale_id}, lock=lock)  # noqa: S608
    if row is None:
        return None
    return _from_row(row, _lines(tx, [sale_id]).get(sale_id, ()))


def _from_row(row: dict[str, Any], lines: tuple[Line, ...]) -> Sale:
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


__all__ = ["SaleNotFound", "SalesStore", "StockInconsistent"]
