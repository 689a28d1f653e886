"""Idempotency-Key records stored before the shared table existed keep answering after the upgrade."""

from __future__ import annotations

import shutil

from handlers.shared.migrate import apply_service_migrations
from handlers.shop.orders.store import MIGRATIONS
from handlers.shop.orders.usecases import OrderUseCases


def test_keys_of_the_old_table_move_to_the_shared_one(database, tmp_path):
    before = tmp_path / "before"
    before.mkdir()
    for path in sorted(MIGRATIONS.glob("*.sql"))[:6]:  # up to the catalog copy, as deployed before the move
        shutil.copy(path, before)
    apply_service_migrations(database, before)
    with database.transaction() as tx:
        tx.execute(
            "INSERT INTO orders (id, customer_id, status, currency, total, payment_method, card_last4, ship_line1, "
            "ship_city, ship_postal_code, ship_country, reason, created_at, updated_at) VALUES ('o1', 'c1', 'PENDING', "
            "'USD', '1.00', 'card', '4242', 'l', 'c', NULL, 'PE', NULL, '2026-01-01', '2026-01-01')"
        )
        tx.execute(
            "INSERT INTO idempotency_keys (customer_id, idem_key, request_hash, order_id, response, created_at) "
            "VALUES ('c1', 'k1', 'h1', 'o1', '{\"id\": \"o1\"}', '2026-01-01')"
        )
    apply_service_migrations(database, MIGRATIONS)
    record = OrderUseCases(database).earlier_response("c1", "k1")
    assert record is not None and (record.resource_id, record.response) == ("o1", {"id": "o1"})
    with database.transaction() as tx:
        tables = {r["name"].lower() for r in tx.query(_TABLES[database.dialect])}
    assert "idempotency_keys" not in tables


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "mysql": "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
}
