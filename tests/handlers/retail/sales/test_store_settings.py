"""A sale is taxed with the rate saved in the settings table (moto DynamoDB), read through the shared store settings
reader (its own tests: ``tests/handlers/retail/test_store_settings.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from handlers.retail.sales.api import router
from handlers.retail.sales.usecases import SalesUseCases
from handlers.retail.store_settings import StoreSettingsReader
from handlers.shared.db import Database
from tests.handlers.retail.catalog.helpers import SELLER, Clock, call_app
from tests.handlers.retail.conftest import put_store_settings
from tests.handlers.retail.sales.conftest import NewProduct
from tests.handlers.retail.settings.conftest import TABLE


def test_a_sale_is_taxed_with_the_table_rate(settings_table: Any, db: Database, product: NewProduct) -> None:
    put_store_settings(settings_table, tax_rate={"S": "0.21"}, low_stock_threshold={"N": "5"})
    app = router.app(SalesUseCases(db, tax_rate=StoreSettingsReader(TABLE).tax_rate, clock=Clock()))
    mug = product(price="10.00")
    status, sale = call_app(
        app, "POST /sales", SELLER, body={"items": [{"product_id": mug.id, "quantity": 1}], "payment_method": "card"}
    )
    assert status == 201
    assert (sale["tax_rate"], sale["tax"], sale["total"]) == ("0.21", "2.10", "12.10")


def test_sales_are_listed_by_the_days_of_the_store_time_zone(db: Database, product: NewProduct) -> None:
    # 03:00 UTC on 10 March is still 9 March in Lima (UTC-5)
    app = router.app(
        SalesUseCases(db, time_zone=lambda: "America/Lima", clock=Clock(datetime(2026, 3, 10, 3, tzinfo=UTC)))
    )
    mug = product(price="10.00")
    body: dict[str, Any] = {"items": [{"product_id": mug.id, "quantity": 1}], "payment_method": "cash"}
    assert call_app(app, "POST /sales", SELLER, body=body)[0] == 201

    def listed(day: str) -> int:
        status, page = call_app(app, "GET /sales", SELLER, query={"from": day, "to": day})
        assert status == 200
        return len(page["items"])

    assert (listed("2026-03-09"), listed("2026-03-10")) == (1, 0)
