"""Benchmark: 100 parallel sales of 1 unit against a stock of 10, on SQLite and on MariaDB.

    python -m bench.concurrent_sales                     # SQLite only
    MARIADB_URL=mysql://test:test@127.0.0.1:3306/ python -m bench.concurrent_sales   # both

Each sale is a real API Gateway event through the real sales routes (``router.app``), each thread on its own database
connection, all released at once by a barrier. Reported: successes and refusals (must be 10 and 90), the wall-clock
throughput of the 100 requests, and their p99 latency. The section of BENCHMARKS.md is rewritten.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

from bench import sections
from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.sales.api import router
from handlers.retail.sales.usecases import SalesUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.events import http_request

ROOT = Path(__file__).resolve().parent.parent
PARALLEL, STOCK = 100, 10
SELLER = {"sub": "seller-1", "email": "seller@retail.local", "cognito:groups": "[sellers]"}
NOW = "2026-01-01T00:00:00.000000+00:00"


def seed(db: Database) -> str:
    """One product with STOCK units, written as the catalog does."""
    apply_service_migrations(db, MIGRATIONS)
    product_id = str(uuid.uuid4())
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO products (id, sku, name, category, price, min_stock, active, created_at, updated_at) "
            "VALUES (:id, 'BENCH-1', 'Bench mug', 'home', '9.90', 0, 1, :now, :now)",
            {"id": product_id, "now": NOW},
        )
        tx.execute("INSERT INTO stock (product_id, stock, updated_at) VALUES (:id, :stock, :now)",
                   {"id": product_id, "stock": STOCK, "now": NOW})  # fmt: skip
    return product_id


def run(url: str) -> dict[str, float]:
    seed_db = Database.from_url(url)
    product_id = seed(seed_db)
    body = {"items": [{"product_id": product_id, "quantity": 1}], "payment_method": "cash"}
    databases = [Database.from_url(url) for _ in range(PARALLEL)]
    for db in databases:  # connect before the clock starts: a warm Lambda already holds its connection
        with db.transaction() as tx:
            tx.query_one("SELECT 1 AS one")
    apps = [router.app(SalesUseCases(d, tax_rate=lambda: Decimal("0.18"))) for d in databases]
    barrier, lock = threading.Barrier(PARALLEL + 1), threading.Lock()
    outcomes: list[tuple[int, float]] = []

    def sell(app) -> None:
        event = http_request("POST /sales", body=body, claims=SELLER)
        barrier.wait()
        started = time.perf_counter()
        status = app.resolve(event, None)["statusCode"]
        with lock:
            outcomes.append((status, time.perf_counter() - started))

    threads = [threading.Thread(target=sell, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    with seed_db.transaction() as tx:
        left = tx.query_one("SELECT stock FROM stock WHERE product_id = :id", {"id": product_id})
    for db in (*databases, seed_db):
        db.close()
    statuses = Counter(status for status, _ in outcomes)
    latencies = sorted(seconds for _, seconds in outcomes)
    return {
        "ok": statuses[201],
        "refused": statuses[409],
        "other": sum(n for s, n in statuses.items() if s not in (201, 409)),
        "stock_left": float((left or {}).get("stock", -1)),
        "throughput": PARALLEL / wall,
        "p99_ms": 1000 * latencies[max(0, int(len(latencies) * 0.99) - 1)],
    }


def mariadb_url(server: str) -> tuple[str, Database, str]:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = Database.from_url(server)
    with admin.transaction() as tx:
        tx.execute(f"CREATE DATABASE `{name}`")
    return server.rstrip("/") + f"/{name}", admin, name


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("SQLite (file)", run(f"sqlite:///{tmp}/bench.db")))
    server = os.environ.get("MARIADB_URL")
    if server:
        url, admin, name = mariadb_url(server)
        try:
            rows.append(("MariaDB", run(url)))
        finally:
            with admin.transaction() as tx:
                tx.execute(f"DROP DATABASE `{name}`")
            admin.close()
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')}: {PARALLEL} parallel sales of 1 unit against a stock of {STOCK}.",
            "",
            "| database | 201 | 409 | other | stock left | throughput (req/s) | p99 (ms) |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(
                f"| {name} | {r['ok']} | {r['refused']} | {r['other']} | {r['stock_left']:.0f} | "
                f"{r['throughput']:.0f} | {r['p99_ms']:.0f} |"
                for name, r in rows
            ),  # fmt: skip
        ]
    )
    print(table)
    print(json.dumps({name: r for name, r in rows}))
    sections.rewrite(
        "concurrent-sales",
        table,
        heading="Concurrent sales (retail)",
        intro="The sale and its stock decrements are one transaction; racing sales must never oversell. Reproduce: "
        "`MARIADB_URL=mysql://user:pass@127.0.0.1:3306/ .venv/bin/python -m bench.concurrent_sales` (without "
        "`MARIADB_URL`: SQLite only).",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
