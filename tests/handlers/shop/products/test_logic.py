"""The products domain alone: catalog fields, money, listing cursors and the saga's decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from handlers.shared.money import money_text
from handlers.shared.paging import InvalidCursor, encode_cursor
from handlers.shared.products import ProductNotFound, deleted_product, new_product, replaced_product
from handlers.shop.contracts import OrderItem, OrderPlaced
from handlers.shop.products import logic
from handlers.shop.products.logic import LineState, OrderStock, Stock

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def fields(**changes: object) -> logic.ProductFields:
    body = {"sku": " mug-1 ", "name": "Mug", "category": "kitchen", "price": "12.5", **changes}
    return logic.ProductFields.model_validate(body)


def new(body: logic.ProductFields) -> logic.Product:
    return new_product(logic.Product, body, "p-1", NOW, {})


def test_fields_normalize_the_sku_and_keep_money_decimal():
    f = fields()
    assert f.sku == "MUG-1" and f.price == Decimal("12.5") and isinstance(f.price, Decimal)
    product = new(f)
    assert product.active and product.price == Decimal("12.50")
    assert logic.product_view(product)["price"] == "12.50"


@pytest.mark.parametrize(
    "price, shown", [(12.5, "12.50"), (0.1, "0.10"), (3, "3.00"), ("9999999999.99", "9999999999.99"), (0, "0.00")]
)
def test_json_numbers_with_at_most_two_decimals_are_accepted(price, shown):
    assert money_text(fields(price=price).price) == shown


@pytest.mark.parametrize("price", [12.345, "1.001", -1, "-0.01", "10000000000.00", True, "abc", "NaN", "Infinity"])
def test_prices_that_are_not_money_are_refused(price):
    with pytest.raises(ValidationError):
        fields(price=price)


@pytest.mark.parametrize("change", [{"sku": "has space"}, {"sku": ""}, {"name": ""}, {"category": ""}, {"extra": 1}])
def test_invalid_fields_are_refused(change):
    with pytest.raises(ValidationError):
        fields(**change)


def test_update_replaces_fields_and_delete_is_soft():
    product = new(fields())
    later = datetime(2026, 3, 11, tzinfo=UTC)
    updated = replaced_product(product, product.id, fields(name="Big mug", price="15"), later)
    assert updated.name == "Big mug" and updated.price == Decimal("15.00") and updated.active
    assert updated.created_at == NOW and updated.updated_at == later
    deleted = deleted_product(updated, product.id, later)
    assert not deleted.active
    with pytest.raises(ProductNotFound):
        logic.visible(deleted, product.id)
    restored = replaced_product(deleted, product.id, fields(active=True), later)
    assert restored.active
    with pytest.raises(ProductNotFound):
        replaced_product(None, "nope", fields(), later)


def test_product_changed_carries_the_decimal_price():
    event = logic.product_changed(new(fields(price="7.05")))
    assert event.price == Decimal("7.05") and '"price":"7.05"' in event.model_dump_json()


def test_cursor_round_trip_and_garbage():
    assert logic.ListQuery(cursor=encode_cursor("MUG-1")).after_key == ("MUG-1",)
    with pytest.raises(InvalidCursor):
        logic.ListQuery(cursor="!!!")
    with pytest.raises(ValidationError):
        logic.ListQuery(limit=0)
    with pytest.raises(ValidationError):
        logic.ListQuery(limit=101)
    assert logic.ListQuery().limit == 20


def test_search_pattern_escapes_wildcards():
    assert logic.search_pattern("50%_Off!") == "%50!%!_off!!%"


def order(*items: tuple[str, int]) -> OrderPlaced:
    return OrderPlaced(
        order_id="o-1", customer_id="c-1", items=tuple(OrderItem(product_id=p, quantity=q) for p, q in items)
    )


def test_reservation_takes_every_item_merging_repeated_products():
    stock = {"b": Stock("b", "B", True, 5, 0), "a": Stock("a", "A", True, 2, 1)}
    decision = logic.decide_reservation(order(("b", 2), ("a", 1), ("b", 3)), stock)
    assert isinstance(decision, logic.Reserve)
    assert decision.items == (OrderItem(product_id="a", quantity=1), OrderItem(product_id="b", quantity=5))
    assert decision.event.order_id == "o-1" and decision.event.items == decision.items


def test_reservation_is_all_or_none_and_names_the_shortfalls():
    stock = {"a": Stock("a", "A-1", True, 2, 0), "b": Stock("b", "B-1", False, 9, 0)}
    decision = logic.decide_reservation(order(("a", 5), ("b", 1), ("c", 1)), stock)
    assert isinstance(decision, logic.Reject)
    assert "A-1 (a): 5 requested, 2 available (short by 3)" in decision.reason
    assert "B-1 (b) is no longer sold" in decision.reason
    assert "product c does not exist" in decision.reason
    assert decision.event.reason == decision.reason


def test_confirm_needs_a_reserved_order():
    assert logic.can_confirm("o", OrderStock.RESERVED) is None
    for state in (None, OrderStock.REJECTED, OrderStock.RELEASED, OrderStock.COMMITTED):
        refused = logic.can_confirm("o", state)
        assert refused is not None and not refused.changed


def test_releases_put_back_reserved_and_sold_units():
    lines = [logic.Reservation("b", 2, LineState.COMMITTED), logic.Reservation("a", 3, LineState.RESERVED),
             logic.Reservation("c", 1, LineState.RELEASED)]  # fmt: skip
    assert logic.releases(lines) == (logic.Release("a", 3, 3), logic.Release("b", 2, 0))
