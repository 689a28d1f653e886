"""A product's min_stock defaults to the store's low-stock threshold, read from the settings table (moto DynamoDB)
through the shared store settings reader; a replacement that leaves it out keeps the current value."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from handlers.retail.catalog.api import router
from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.retail.store_settings import StoreSettingsReader
from handlers.shared.db import Database
from tests.handlers.retail.catalog.helpers import ADMIN, SELLER, Call, Clock, call_app
from tests.handlers.retail.conftest import put_store_settings
from tests.handlers.retail.settings.conftest import TABLE

MUG = {"sku": "MUG-1", "name": "Mug", "category": "kitchen", "price": "12.50"}


@pytest.fixture
def call(settings_table: Any, db: Database) -> Call:
    """The catalog app reading the threshold from the settings table, with no cache (a change applies at once)."""
    reader = StoreSettingsReader(TABLE, ttl_seconds=0)
    app = router.app(CatalogUseCases(db, low_stock_threshold=reader.low_stock_threshold, clock=Clock()))
    return lambda route_key, who=None, **kw: call_app(app, route_key, who, **kw)


def create(call: Call, **fields: Any) -> dict[str, Any]:
    status, product = call("POST /products", ADMIN, body={**MUG, **fields})
    assert status == 201, product
    return dict(product)


def test_a_new_product_gets_the_stored_threshold(call: Call, settings_table: Any) -> None:
    put_store_settings(settings_table, tax_rate={"S": "0.18"}, low_stock_threshold={"N": "12"})
    product = create(call)
    assert product["min_stock"] == 12
    _, stock = call("GET /stock", SELLER)
    assert [(s["min_stock"], s["low"]) for s in stock["items"]] == [(12, True)]


def test_without_saved_settings_the_default_threshold_applies(call: Call) -> None:
    assert create(call)["min_stock"] == 5


def test_an_explicit_min_stock_wins(call: Call, settings_table: Any) -> None:
    put_store_settings(settings_table, low_stock_threshold={"N": "12"})
    assert create(call, min_stock=0)["min_stock"] == 0
    assert create(call, sku="MUG-2", min_stock=30)["min_stock"] == 30


def test_a_replacement_without_min_stock_keeps_it(call: Call, settings_table: Any) -> None:
    product = create(call, min_stock=7)
    put_store_settings(settings_table, low_stock_threshold={"N": "12"})  # a later threshold does not reach it
    status, body = call("PUT /products/{id}", ADMIN, id=product["id"], body={**MUG, "name": "Big mug"})
    assert status == 200 and (body["name"], body["min_stock"]) == ("Big mug", 7)
    status, body = call("PUT /products/{id}", ADMIN, id=product["id"], body={**MUG, "min_stock": 2})
    assert status == 200 and body["min_stock"] == 2
    _, shown = call("GET /products/{id}", SELLER, id=product["id"])
    assert shown["min_stock"] == 2


def test_an_invalid_stored_threshold_is_logged_and_the_default_applies(
    call: Call, settings_table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    put_store_settings(settings_table, low_stock_threshold={"N": "-3"})
    with caplog.at_level(logging.WARNING, logger="handlers.retail.store_settings"):
        product = create(call)
    assert product["min_stock"] == 5
    assert any("low_stock_threshold '-3'" in r.getMessage() for r in caplog.records)


def test_a_negative_or_fractional_min_stock_is_refused(call: Call) -> None:
    for bad in (-1, 2.5, "3"):
        status, body = call("POST /products", ADMIN, body={**MUG, "min_stock": bad})
        assert status == 422 and [e["field"] for e in body["errors"]] == ["min_stock"], (bad, body)
