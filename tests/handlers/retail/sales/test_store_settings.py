"""A sale is taxed with the rate saved in the settings table (moto DynamoDB), read through the shared store settings
reader (its own tests: ``tests/handlers/retail/test_store_settings.py``)."""

from __future__ import annotations

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
