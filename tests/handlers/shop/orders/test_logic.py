"""The orders rules alone: pricing with Decimal, the payment rules, the status machine and the stock events."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from handlers.shared.idempotency import fingerprint
from handlers.shared.paging import Cursor, InvalidCursor
from handlers.shop.contracts import (
    OrderCancelled,
    OrderConfirmed,
    OrderPlaced,
    ProductChanged,
    StockRejected,
    StockReleased,
    StockReserved,
    event_order_id,
)
from handlers.shop.orders import logic
from handlers.shop.orders.logic import Action, CatalogEntry, NewOrder, OrderRefused, Status, TransitionRefused
from tests.handlers.shop.orders.conftest import new_order

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def entry(pid: str, price: str, active: bool = True, name: str | None = None) -> CatalogEntry:
    return CatalogEntry(pid, pid.upper(), name or pid, Decimal(price), active, NOW)


CATALOG = {"p-mug": entry("p-mug", "12.50"), "p-tea": entry("p-tea", "3.33"), "p-old": entry("p-old", "1", False)}


def placed(**changes: Any) -> logic.Order:
    new = NewOrder.model_validate(new_order(**changes))
    return logic.place(new, CATALOG, order_id="o1", customer_id="c-ana", now=NOW).order


def test_prices_come_from_the_catalog_in_decimal():
    change = logic.place(NewOrder.model_validate(new_order()), CATALOG, order_id="o1", customer_id="c-ana", now=NOW)
    order = change.order
    assert [(line.unit_price, line.line_total) for line in order.lines] == [
        (Decimal("12.50"), Decimal("25.00")),
        (Decimal("3.33"), Decimal("9.99")),
    ]
    assert order.total == Decimal("34.99") and isinstance(order.total, Decimal)
    assert order.status is Status.PENDING
    [event] = change.events
    assert isinstance(event, OrderPlaced)
    assert (event.order_id, event.customer_id, [(i.product_id, i.quantity) for i in event.items]) == (
        "o1", "c-ana", [("p-mug", 2), ("p-tea", 3)]
    )  # fmt: skip


def test_cents_add_up_exactly_where_floats_would_not():
    catalog = {"p-a": entry("p-a", "0.10"), "p-b": entry("p-b", "0.20")}
    items = [{"product_id": "p-a", "quantity": 1}, {"product_id": "p-b", "quantity": 1}]
    order = logic.place(NewOrder.model_validate(new_order(items=items)), catalog, order_id="o", customer_id="c",
                        now=NOW).order  # fmt: skip
    assert order.total == Decimal("0.30") and logic.view(order)["total"] == "0.30"


def test_the_view_shows_money_as_strings_with_two_places():
    view = logic.view(placed())
    assert view["total"] == "34.99" and view["currency"] == "USD"
    assert view["items"][0] == {"product_id": "p-mug", "name": "p-mug", "quantity": 2, "unit_price": "12.50",
                                "line_total": "25.00"}  # fmt: skip
    assert view["payment"] == {"method": "card", "card_last4": "4242"}


@pytest.mark.parametrize("pid", ["p-ghost", "p-old"])
def test_an_unknown_or_inactive_product_is_refused_by_name(pid):
    items = [{"product_id": "p-mug", "quantity": 1}, {"product_id": pid, "quantity": 1}]
    new = NewOrder.model_validate(new_order(items=items))
    with pytest.raises(OrderRefused, match=pid) as refused:
        logic.place(new, CATALOG, order_id="o1", customer_id="c", now=NOW)
    assert refused.value.http_status == 422


def test_a_total_beyond_the_column_is_refused():
    catalog = {"p-gold": entry("p-gold", "9999999999.99")}
    new = NewOrder.model_validate(new_order(items=[{"product_id": "p-gold", "quantity": 2}]))
    with pytest.raises(OrderRefused, match="exceeds"):
        logic.place(new, catalog, order_id="o1", customer_id="c", now=NOW)


@pytest.mark.parametrize(
    ("payment", "message"),
    [
        ({"method": "card"}, "card_last4 is required"),
        ({"method": "card", "card_last4": "424"}, "should match pattern"),
        ({"method": "card", "card_last4": "42a2"}, "should match pattern"),
        ({"method": "card", "card_last4": "42424"}, "should match pattern"),
        ({"method": "cash_on_delivery", "card_last4": "4242"}, "not allowed for cash"),
        ({"method": "card", "card_last4": "4242", "card_number": "4242424242424242"}, "Extra inputs"),
        ({"method": "bitcoin"}, "Input should be"),
    ],
)
def test_payment_rules(payment, message):
    with pytest.raises(ValidationError, match=message):
        NewOrder.model_validate(new_order(payment=payment))


def test_cash_on_delivery_needs_no_card():
    order = placed(payment={"method": "cash_on_delivery"})
    assert (order.payment_method, order.card_last4) == (logic.PaymentMethod.CASH_ON_DELIVERY, None)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least 1"),
        ([{"product_id": f"p{i}", "quantity": 1} for i in range(51)], "at most 50"),
        ([{"product_id": "p-mug", "quantity": 1}, {"product_id": "p-mug", "quantity": 2}], "repeated: p-mug"),
        ([{"product_id": "p-mug", "quantity": 0}], "greater than 0"),
    ],
)
def test_item_rules(items, message):
    with pytest.raises(ValidationError, match=message):
        NewOrder.model_validate(new_order(items=items))


def test_the_fingerprint_ignores_layout_but_not_content():
    a = NewOrder.model_validate(new_order())
    b = NewOrder.model_validate(dict(reversed(list(new_order().items()))))
    c = NewOrder.model_validate(new_order(items=[{"product_id": "p-mug", "quantity": 3}]))
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)


# --- the status machine -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (Status.PENDING, Action.CONFIRM, Status.CONFIRMED),
        (Status.PENDING, Action.REJECT, Status.REJECTED),
        (Status.PENDING, Action.CANCEL, Status.CANCELLING),
        (Status.CONFIRMED, Action.CANCEL, Status.CANCELLING),
        (Status.CANCELLING, Action.RELEASE, Status.CANCELLED),
        (Status.CANCELLING, Action.REJECT, Status.CANCELLED),
    ],
)
def test_allowed_transitions(status, action, after):
    assert logic.MACHINE.next("o1", status, action) is after


@pytest.mark.parametrize("status", [Status.SHIPPED, Status.REJECTED, Status.CANCELLED, Status.CANCELLING])
def test_cancelling_is_refused_naming_the_status(status):
    order = placed()
    with pytest.raises(TransitionRefused, match=f"is {status.value}; cannot cancel it") as refused:
        logic.cancel(logic.replace(order, status=status), NOW)
    assert refused.value.http_status == 409


def test_every_other_transition_is_refused():
    allowed = set(logic.MACHINE.transitions)
    for status in Status:
        for action in Action:
            if (status, action) not in allowed:
                with pytest.raises(TransitionRefused):
                    logic.MACHINE.next("o1", status, action)


def test_cancel_emits_order_cancelled():
    change = logic.cancel(placed(), NOW)
    assert change.order.status is Status.CANCELLING
    assert [type(e) for e in change.events] == [OrderCancelled]


def test_stock_reserved_confirms_and_records_the_payment():
    order = placed()
    change = logic.apply_event(order, StockReserved(order_id="o1", items=()), NOW)
    assert change.order.status is Status.CONFIRMED and [type(e) for e in change.events] == [OrderConfirmed]
    assert change.payment == logic.PaymentRecord(logic.PaymentMethod.CARD, "4242", Decimal("34.99"), NOW)


def test_stock_rejected_rejects_with_the_reason():
    change = logic.apply_event(placed(), StockRejected(order_id="o1", reason="p-mug: only 1 left"), NOW)
    assert (change.order.status, change.order.reason, change.events) == (Status.REJECTED, "p-mug: only 1 left", ())


def test_stock_released_finishes_a_cancellation_and_is_ignored_otherwise():
    cancelling = logic.cancel(placed(), NOW).order
    assert logic.apply_event(cancelling, StockReleased(order_id="o1"), NOW).order.status is Status.CANCELLED
    ignored = logic.apply_event(placed(), StockReleased(order_id="o1"), NOW)
    assert not ignored.changed and "is PENDING" in (ignored.ignored or "")


def test_a_late_reservation_does_not_confirm_a_cancelling_order():
    cancelling = logic.cancel(placed(), NOW).order
    change = logic.apply_event(cancelling, StockReserved(order_id="o1", items=()), NOW)
    assert not change.changed and change.payment is None and "is CANCELLING" in (change.ignored or "")


def test_only_admins_see_other_peoples_orders_and_only_owners_cancel():
    order = placed()
    assert logic.can_see(order, "c-ana", frozenset({"customers"}))
    assert not logic.can_see(order, "c-bob", frozenset({"customers"}))
    assert logic.can_see(order, "a-ada", frozenset({"admins"}))
    assert logic.can_cancel(order, "c-ana") and not logic.can_cancel(order, "a-ada")


def test_cursors_round_trip_and_garbage_is_refused():
    cursor = Cursor("2026-03-10T10:00:00.000000+00:00", "o1")
    assert Cursor.decode(cursor.encode()) == cursor
    with pytest.raises(InvalidCursor):
        logic.ListQuery.model_validate({"cursor": "not-a-cursor"})


def test_a_saga_event_names_its_order_and_a_catalog_event_names_none():
    assert event_order_id(StockReleased(order_id="o1")) == "o1"
    product = ProductChanged(product_id="p1", sku="P-1", name="P", category="c", price=Decimal("1"), active=True)
    with pytest.raises(TypeError, match="ProductChanged does not name an order"):
        event_order_id(product)
