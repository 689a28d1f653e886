"""Concurrent sales and voids, each thread on its own connection (a Database holds one), on SQLite and MariaDB."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal
from typing import Any

from handlers.retail.catalog.logic import MovementQuery
from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.shared.db import Database
from tests.handlers.retail.catalog.helpers import ADMIN, SELLER, call_app
from tests.handlers.retail.sales.conftest import NewProduct, make_app, stock_of


def twin(db: Database) -> Database:
    """Another connection to the same database."""
    return Database(db.dialect, sqlite_path=db._sqlite_path, mysql=db._mysql)


def run_parallel(db: Database, n: int, route_key: str, who: dict[str, str], **kw: Any) -> list[tuple[int, Any]]:
    databases = [twin(db) for _ in range(n)]
    apps = [make_app(d, None, [Decimal("0.10")]) for d in databases]
    start, results, lock = threading.Barrier(n), [], threading.Lock()

    def run(app: Any) -> None:
        start.wait()
        outcome = call_app(app, route_key, who, **kw)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.close()
    return results


def test_100_parallel_sales_of_1_unit_against_a_stock_of_10(db: Database, product: NewProduct,
                                                            catalog: CatalogUseCases) -> None:  # fmt: skip
    mug = product(stock=10, min_stock=3)
    body = {"items": [{"product_id": mug.id, "quantity": 1}], "payment_method": "card"}
    results = run_parallel(db, 100, "POST /sales", SELLER, body=body)
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 10, 409: 90}, [b for s, b in results if s not in (201, 409)][:3]
    assert stock_of(catalog, mug.id) == 0
    numbers = sorted(b["number"] for s, b in results if s == 201)
    assert numbers == [f"S-{i:06d}" for i in range(1, 11)]  # unique and sequential
    assert all("MUG-1" in b["message"] for s, b in results if s == 409)
    sales = [m for m in catalog.movements(MovementQuery(limit=100))["items"] if m["kind"] == "SALE"]
    assert len(sales) == 10
    with db.transaction() as tx:
        low = tx.query("SELECT detail FROM outbox WHERE detail_type = 'StockLow'")
    assert len(low) == 1  # 3 → 2 crossed once


def test_concurrent_voids_restore_once(db: Database, product: NewProduct, catalog: CatalogUseCases) -> None:
    mug = product(stock=10)
    status, sale = call_app(
        make_app(db, None, [Decimal(0)]),
        "POST /sales",
        SELLER,
        body={"items": [{"product_id": mug.id, "quantity": 4}], "payment_method": "cash"},
    )
    assert status == 201
    results = run_parallel(db, 8, "POST /sales/{id}/void", ADMIN, id=sale["id"])
    assert Counter(s for s, _ in results) == {200: 1, 409: 7}
    assert stock_of(catalog, mug.id) == 10
