"""All SQL of the reports service: read-only aggregates over the sales tables of the ``retail`` schema, whose
migrations catalog owns (``handlers/retail/catalog/migrations``).

The aggregation runs in SQL, on the same text on SQLite and MariaDB: ``created_at`` is ISO 8601 UTC text, so a UTC
hour is ``substr(created_at, 1, 13)`` (the use case folds hours into the store's days) and a period is a range on
``created_at`` (which ``sales_by_date`` indexes). Money is
summed in integer cents (``SUM(ROUND(amount * 100))``): exact on MariaDB (DECIMAL) and on SQLite, where DECIMAL
columns come back as floats and float cents stay exact far beyond any store's turnover. Only COMPLETED sales count, of
the whole store or of one seller.

The use case runs the queries of a report in one transaction (one consistent snapshot on MariaDB).
"""

from __future__ import annotations

from typing import Any

from handlers.retail.reports.logic import GroupBy, Period, ProductRow, SalesRow, from_cents
from handlers.shared.db import Transaction

_KEYS = {GroupBy.SELLER: "s.seller_id"}  # days are summed per UTC time bucket: see _key
_IN_PERIOD = "s.status = 'COMPLETED' AND s.created_at >= :since AND s.created_at < :before"
_OF_SELLER = " AND s.seller_id = :seller_id"


def _scope(span: Period, seller_id: str | None) -> tuple[str, dict[str, Any]]:
    """The condition and parameters of the period's completed sales, of one seller or of the whole store (None)."""
    params = {"since": span.since, "before": span.before}
    if seller_id is None:
        return _IN_PERIOD, params
    return _IN_PERIOD + _OF_SELLER, params | {"seller_id": seller_id}


def _key(key: GroupBy, span: Period) -> str:
    """A seller's id, or for days the UTC hour or minute of ``created_at`` (``Period.bucket_chars``): a UTC bucket
    lies within one of the store's days, which the use case folds the buckets into."""
    return f"substr(s.created_at, 1, {span.bucket_chars})" if key is GroupBy.DAY else _KEYS[key]


def sales_by(tx: Transaction, key: GroupBy, span: Period, seller_id: str | None) -> list[SalesRow]:
    """The period's sales summed per seller, or per UTC time bucket for days."""
    expr, (where, params) = _key(key, span), _scope(span, seller_id)
    rows = tx.query(
        f"SELECT {expr} AS k, COUNT(*) AS n, SUM(ROUND(s.subtotal * 100)) AS subtotal, "  # noqa: S608 (fixed keys)
        f"SUM(ROUND(s.tax * 100)) AS tax, SUM(ROUND(s.total * 100)) AS total "
        f"FROM sales s WHERE {where} GROUP BY {expr}",
        params,
    )
    return [SalesRow(str(r["k"]), int(r["n"]), from_cents(r["subtotal"]), from_cents(r["tax"]),
                     from_cents(r["total"])) for r in rows]  # fmt: skip


def units_by(tx: Transaction, key: GroupBy, span: Period, seller_id: str | None) -> dict[str, int]:
    """The units the period's sales took, per seller or per UTC time bucket."""
    expr, (where, params) = _key(key, span), _scope(span, seller_id)
    rows = tx.query(
        f"SELECT {expr} AS k, SUM(i.quantity) AS units FROM sale_items i "  # noqa: S608 (fixed keys)
        f"JOIN sales s ON s.id = i.sale_id WHERE {where} GROUP BY {expr}",
        params,
    )
    return {str(r["k"]): int(r["units"]) for r in rows}


def products_sold(tx: Transaction, span: Period, seller_id: str | None) -> list[ProductRow]:
    """Per product sold in ``span``: the sales including it (one line per product and sale), units and line totals.
    SKU and name are the product's current ones (products are only ever soft-deleted)."""
    where, params = _scope(span, seller_id)
    rows = tx.query(
        "SELECT i.product_id AS product_id, p.sku AS sku, p.name AS name, COUNT(*) AS n, "  # noqa: S608
        "SUM(i.quantity) AS units, SUM(ROUND(i.line_total * 100)) AS total "
        "FROM sale_items i JOIN sales s ON s.id = i.sale_id JOIN products p ON p.id = i.product_id "
        f"WHERE {where} GROUP BY i.product_id, p.sku, p.name",
        params,
    )
    return [ProductRow(str(r["product_id"]), str(r["sku"]), str(r["name"]), int(r["n"]), int(r["units"]),
                       from_cents(r["total"])) for r in rows]  # fmt: skip
