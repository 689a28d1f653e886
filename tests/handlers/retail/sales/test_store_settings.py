"""The tax rate comes from the settings table (moto DynamoDB), with defaults and a short cache; sales use it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest

from handlers.retail.sales.api import build_app
from handlers.retail.sales.store import SalesStore
from handlers.retail.sales.store_settings import TaxRate, parse_tax_rate
from tests.handlers.conftest import fake_aws
from tests.handlers.retail.catalog.helpers import SELLER, Clock, call_app, settings
from tests.handlers.retail.sales.conftest import NewProduct


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with fake_aws(monkeypatch):
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName="settings",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )  # fmt: skip
        yield dynamodb


def put_rate(dynamodb: Any, rate: str) -> None:
    dynamodb.put_item(
        TableName="settings",
        Item={
            "pk": {"S": "SETTINGS"},
            "sk": {"S": "STORE"},
            "store_name": {"S": "Shop"},
            "currency": {"S": "EUR"},
            "tax_rate": {"S": rate},
            "low_stock_threshold": {"N": "5"},
        },
    )


def test_defaults_when_the_item_is_missing(table: Any) -> None:
    assert TaxRate("settings")() == Decimal("0.00")


def test_reads_and_caches_the_rate(table: Any) -> None:
    now = [0.0]
    rate = TaxRate("settings", ttl_seconds=60, monotonic=lambda: now[0])
    put_rate(table, "0.18")
    assert rate() == Decimal("0.18")
    put_rate(table, "0.21")
    now[0] = 30
    assert rate() == Decimal("0.18")  # cached
    now[0] = 61
    assert rate() == Decimal("0.21")


@pytest.mark.parametrize("value", ["abc", "-0.1", "2", "NaN", None])
def test_bad_rates_fall_back_to_the_default(value: Any) -> None:
    assert parse_tax_rate(value) == Decimal("0.00")


def test_a_sale_is_taxed_with_the_table_rate(table: Any, store: SalesStore, product: NewProduct) -> None:
    put_rate(table, "0.21")
    app = build_app(settings("sales"), store, None, tax_rate=TaxRate("settings"), clock=Clock())
    mug = product(price="10.00")
    status, sale = call_app(
        app, "POST /sales", SELLER, body={"items": [{"product_id": mug.id, "quantity": 1}], "payment_method": "card"}
    )
    assert status == 201
    assert (sale["tax_rate"], sale["tax"], sale["total"]) == ("0.21", "2.10", "12.10")
