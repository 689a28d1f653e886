from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
from pydantic import ValidationError

from handlers.retail.catalog import logic
from handlers.shared.paging import InvalidCursor, encode_cursor
from handlers.shared.products import new_product, replaced_product
from tests.handlers.retail.catalog.helpers import START


def level(stock: int, min_stock: int = 5) -> logic.StockLevel:
    return logic.StockLevel("p-1", "MUG-1", "Mug", stock, min_stock)


def adjustment(delta: int) -> logic.Adjustment:
    return logic.Adjustment(product_id="p-1", delta=delta, reason="count")


def new(fields: logic.ProductFields, default_min_stock: Callable[[], int] = lambda: 5) -> logic.Product:
    return new_product(logic.Product, fields, "p-1", START, {"min_stock": default_min_stock})


def test_product_fields_normalize_sku_and_keep_decimal_price() -> None:
    fields = logic.ProductFields(sku="mug-1", name="Mug", category="kitchen", price=12.5)
    assert fields.sku == "MUG-1"
    assert fields.price == Decimal("12.5")
    assert logic.product_view(new(fields))["price"] == "12.50"


def unasked() -> int:
    raise AssertionError("the default min_stock was asked for although the body gives one")


def test_min_stock_omitted_is_the_default_on_create_and_kept_on_replace() -> None:
    omitted = logic.ProductFields(sku="A", name="A", category="c", price=1)
    assert omitted.min_stock is None
    product = new(omitted, lambda: 7)
    assert product.min_stock == 7
    replaced = replaced_product(replace(product, min_stock=3), product.id, omitted, START)
    assert replaced.min_stock == 3


def test_an_explicit_min_stock_wins_and_the_default_is_not_asked() -> None:
    fields = logic.ProductFields(sku="A", name="A", category="c", price=1, min_stock=0)
    product = new(fields, unasked)
    assert product.min_stock == 0
    assert replaced_product(replace(product, min_stock=9), product.id, fields, START).min_stock == 0


@pytest.mark.parametrize("price", [-1, "12.345", True, "abc"])
def test_bad_prices_are_refused(price: object) -> None:
    with pytest.raises(ValidationError):
        logic.ProductFields(sku="A", name="A", category="c", price=price)


def test_adjustment_delta_must_not_be_zero() -> None:
    with pytest.raises(ValidationError, match="must not be 0"):
        adjustment(0)


def test_stock_never_goes_below_zero() -> None:
    with pytest.raises(logic.InsufficientStock, match=r"MUG-1 \(p-1\) has a stock of 3"):
        logic.adjust(level(3), adjustment(-4), "m-1", "u", START)


@pytest.mark.parametrize(
    ("stock", "delta", "alert"),
    [(5, -1, True), (6, -2, True), (5, 0 + 1, False), (4, -1, False), (10, -4, False), (0, 3, False)],
)
def test_stock_low_only_when_crossing_below_the_minimum(stock: int, delta: int, alert: bool) -> None:
    change = logic.adjust(level(stock), adjustment(delta), "m-1", "u", START)
    assert change.level.stock == stock + delta
    assert (change.alert is not None) is alert
    if change.alert:
        assert (change.alert.stock, change.alert.min_stock, change.alert.sku) == (stock + delta, 5, "MUG-1")


def test_cursor_round_trip_and_rejects_garbage() -> None:
    assert logic.MovementQuery(cursor=encode_cursor("a", "b")).after_key == ("a", "b")
    with pytest.raises(InvalidCursor):
        logic.MovementQuery(cursor="!!!")
