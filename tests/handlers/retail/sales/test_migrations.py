"""Idempotency-Key records of sales stored before the shared table existed keep answering after the upgrade."""

from __future__ import annotations

import json
from pathlib import Path

from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.sales.api import router
from handlers.retail.sales.logic import NewSale
from handlers.retail.sales.usecases import SalesUseCases
from handlers.shared.db import Database
from handlers.shared.idempotency import fingerprint
from handlers.shared.migrate import apply_service_migrations
from tests.handlers.conftest import migrated_as_before, table_names
from tests.handlers.retail.catalog.helpers import SELLER, call_app

BODY = {"items": [{"product_id": "p1", "quantity": 1}], "payment_method": "cash"}
ANSWER = {"id": "s1", "number": "S-000001", "total": "9.90"}


def as_deployed_before_the_move(database: Database, tmp_path: Path) -> None:
    """The retail schema up to the sales' own key table (012), with one key stored in it."""
    migrated_as_before(database, MIGRATIONS, 12, tmp_path)
    with database.transaction() as tx:
        tx.execute(
            "INSERT INTO sales (id, number, client_id, seller_id, payment_method, subtotal, tax_rate, tax, total, "
            "status, created_at) VALUES ('s1', 'S-000001', NULL, :seller, 'cash', '9.90', '0', '0', '9.90', "
            "'COMPLETED', '2026-01-01')",
            {"seller": SELLER["sub"]},
        )
        tx.execute(
            "INSERT INTO sale_idempotency_keys (seller_id, idem_key, request_hash, sale_id, response, created_at) "
            "VALUES (:seller, 'k1', :hash, 's1', :answer, '2026-01-01')",
            {"seller": SELLER["sub"], "hash": fingerprint(NewSale.model_validate(BODY)), "answer": json.dumps(ANSWER)},
        )


def test_a_key_of_the_old_table_answers_its_retry_after_the_upgrade(database: Database, tmp_path: Path) -> None:
    as_deployed_before_the_move(database, tmp_path)
    apply_service_migrations(database, MIGRATIONS)
    app = router.app(SalesUseCases(database))
    status, answer = call_app(app, "POST /sales", SELLER, body=BODY, headers={"Idempotency-Key": "k1"})
    assert (status, answer) == (201, ANSWER)
    with database.transaction() as tx:
        assert tx.query("SELECT id FROM sales") == [{"id": "s1"}], "the retry sold nothing"
    assert "sale_idempotency_keys" not in table_names(database)
