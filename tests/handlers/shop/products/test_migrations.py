"""Timestamps stored to the millisecond before the shop settled on microseconds are rewritten to microseconds."""

from __future__ import annotations

import shutil
from datetime import datetime

from handlers.shared.migrate import apply_service_migrations
from handlers.shop.products.store import MIGRATIONS

MS = "2026-03-10T10:00:00.123+00:00"
US = "2026-03-10T10:00:00.123000+00:00"
LATER_US = "2026-03-10T10:00:00.123456+00:00"


def test_millisecond_timestamps_become_microseconds_and_others_stay(database, tmp_path):
    before = tmp_path / "before"
    before.mkdir()
    for path in sorted(MIGRATIONS.glob("*.sql"))[:5]:  # the schema as deployed while products wrote milliseconds
        shutil.copy(path, before)
    apply_service_migrations(database, before)
    with database.transaction() as tx:
        tx.execute(
            "INSERT INTO products (id, sku, name, description, category, price, active, created_at, updated_at) "
            "VALUES ('p1', 'MUG-1', 'Mug', NULL, 'kitchen', '1.00', 1, :ms, :later)",
            {"ms": MS, "later": LATER_US},
        )
        tx.execute("INSERT INTO inventory (product_id, available, reserved, updated_at) VALUES ('p1', 1, 1, :ms)",
                   {"ms": MS})  # fmt: skip
        tx.execute("INSERT INTO stock_orders (order_id, state, reason, created_at, updated_at) "
                   "VALUES ('o1', 'RESERVED', NULL, :ms, :ms)", {"ms": MS})  # fmt: skip
        tx.execute("INSERT INTO reservations (order_id, product_id, quantity, state, created_at, updated_at) "
                   "VALUES ('o1', 'p1', 1, 'RESERVED', :ms, :ms)", {"ms": MS})  # fmt: skip
    apply_service_migrations(database, MIGRATIONS)
    with database.transaction() as tx:
        stored = [
            *tx.query("SELECT created_at, updated_at FROM products").pop().values(),
            *tx.query("SELECT updated_at FROM inventory").pop().values(),
            *tx.query("SELECT created_at, updated_at FROM stock_orders").pop().values(),
            *tx.query("SELECT created_at, updated_at FROM reservations").pop().values(),
        ]
    assert stored == [US, LATER_US, US, US, US, US, US]
    assert datetime.fromisoformat(US) == datetime.fromisoformat(MS), "the same moment, in the one width"
