"""The ``stock-results`` and ``catalog`` consumers driven by canonical SQS batches, on SQLite and MariaDB."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest

from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.money import money
from handlers.shared.outbox import relay_handler
from handlers.shop.orders import catalog, events
from handlers.shop.orders.api import router
from handlers.shop.orders.catalog import CatalogConsumer
from handlers.shop.orders.logic import Status
from handlers.shop.orders.store import MIGRATIONS
from handlers.shop.orders.usecases import OrderUseCases
from tests.events import sqs_batch
from tests.handlers.conftest import bus_to_queue
from tests.handlers.shop.orders.conftest import (
    ANA,
    StoredOrders,
    call_app,
    count,
    new_order,
    outbox,
    product_changed,
    rejected,
    released,
    reserved,
    seed_catalog,
    stock_event,
)

OK: dict[str, list[Any]] = {"batchItemFailures": []}


def failures(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def place(call: Any, **changes: Any) -> str:
    status, body = call("POST /orders", ANA, body=new_order(**changes))
    assert status == 201, body
    return str(body["id"])


def test_stock_reserved_confirms_records_the_payment_and_emits_order_confirmed(call, consumer, store, db, sent):
    order_id = place(call)
    assert consumer.process(sqs_batch(reserved(order_id)), None) == OK
    order = store.get(order_id)
    assert order is not None and order.status is Status.CONFIRMED
    with db.transaction() as tx:
        paid = tx.query_one("SELECT method, card_last4, amount FROM order_payment_detail WHERE order_id = :id",
                            {"id": order_id})  # fmt: skip
    assert paid is not None and (paid["method"], paid["card_last4"]) == ("card", "4242")
    assert money(paid["amount"]) == Decimal("34.99")
    assert sent.types() == ["OrderPlaced", "OrderConfirmed"] and sent.details()[1]["order_id"] == order_id


def test_stock_rejected_rejects_with_the_reason(call, consumer, store, sent):
    order_id = place(call)
    assert consumer.process(sqs_batch(rejected(order_id, reason="p-tea: only 2 left")), None) == OK
    body = call("GET /orders/{id}", ANA, order_id=order_id)[1]
    assert (body["status"], body["reason"]) == ("REJECTED", "p-tea: only 2 left")
    assert sent.types() == ["OrderPlaced"]


def test_a_pending_cancellation_that_products_rejected_ends_cancelled(call, consumer, store):
    order_id = place(call)
    assert call("POST /orders/{id}/cancel", ANA, order_id=order_id)[0] == 200
    consumer.process(sqs_batch(rejected(order_id)), None)
    assert store.get(order_id).status is Status.CANCELLED  # type: ignore[union-attr]


def test_a_redelivered_event_has_no_second_effect(call, consumer, store, db, sent, caplog):
    order_id = place(call)
    first, again = reserved(order_id, event_id="r1"), reserved(order_id, event_id="r1")
    with caplog.at_level(logging.INFO, logger=events.__name__):
        assert consumer.process(sqs_batch(first, again), None) == OK
        assert consumer.process(sqs_batch(reserved(order_id, event_id="r1")), None) == OK
    assert store.get(order_id).status is Status.CONFIRMED  # type: ignore[union-attr]
    assert count(db, "order_payment_detail") == 1
    assert [r["detail_type"] for r in outbox(db)] == ["OrderPlaced", "OrderConfirmed"]
    assert sum("already handled" in r.getMessage() for r in caplog.records) == 2


def test_an_event_the_status_cannot_take_is_logged_ignored_and_claimed(call, consumer, store, db, caplog):
    order_id = place(call)
    consumer.process(sqs_batch(rejected(order_id)), None)
    before = store.get(order_id)
    with caplog.at_level(logging.WARNING, logger=events.__name__):
        assert consumer.process(sqs_batch(reserved(order_id, event_id="late-1")), None) == OK
    assert store.get(order_id) == before and count(db, "order_payment_detail") == 0
    assert any("is REJECTED; cannot confirm it" in r.getMessage() for r in caplog.records)
    assert count(db, "processed_events", "WHERE event_id = 'late-1'") == 1


def test_stock_released_before_a_cancellation_is_ignored(call, consumer, store):
    order_id = place(call)
    assert consumer.process(sqs_batch(released(order_id)), None) == OK
    assert store.get(order_id).status is Status.PENDING  # type: ignore[union-attr]


def test_an_unknown_order_fails_only_its_record_and_the_claim_rolls_back(call, consumer, db):
    order_id = place(call)
    batch = sqs_batch(reserved("ghost", event_id="g1"), reserved(order_id))
    assert failures(consumer.process(batch, None)) == [batch["Records"][0]["messageId"]]
    assert count(db, "processed_events", "WHERE event_id = 'g1'") == 0


@pytest.mark.parametrize(
    "record",
    [
        ("StockReserved", "shop.products", {"event_id": "x1", "order_id": "o"}),  # lacks items
        stock_event("OrderPlaced", "o", customer_id="c", items=[{"product_id": "p", "quantity": 1}]),  # not ours
        ("Surprise", "shop.products", {"event_id": "x2"}),
    ],
)
def test_a_record_that_cannot_be_handled_is_reported(call, consumer, store, record):
    order_id = place(call)
    batch = sqs_batch(record, reserved(order_id))
    assert failures(consumer.process(batch, None)) == [batch["Records"][0]["messageId"]]
    assert store.get(order_id).status is Status.CONFIRMED  # type: ignore[union-attr]


# --- the catalog copy ---------------------------------------------------------------------------------------------


def test_product_changes_keep_the_catalog_current_and_late_ones_are_ignored(store, db, caplog):
    consumer = CatalogConsumer(OrderUseCases(store.db))
    newer = product_changed("p-mug", "MUG-1", "Big mug", "14.00", at="2026-03-05T00:00:00Z", event_id="n1")
    older = product_changed("p-mug", "MUG-1", "Old mug", "9.00", at="2026-03-03T00:00:00Z")
    with caplog.at_level(logging.INFO, logger=catalog.__name__):
        assert consumer.process(sqs_batch(newer, older, newer), None) == OK
    entry = store.catalog(["p-mug"])["p-mug"]
    assert (entry.name, entry.price, entry.active) == ("Big mug", Decimal("14.00"), True)
    messages = [r.getMessage() for r in caplog.records]
    assert any("has a later change" in m for m in messages) and any("already handled" in m for m in messages)
    removed = product_changed("p-mug", "MUG-1", "Big mug", "14.00", active=False, at="2026-03-06T00:00:00Z")
    assert consumer.process(sqs_batch(removed), None) == OK
    assert store.catalog(["p-mug"])["p-mug"].active is False


def test_prices_change_for_new_orders_only(call, store):
    first = call("POST /orders", ANA, body=new_order())[1]
    CatalogConsumer(OrderUseCases(store.db)).process(
        sqs_batch(product_changed("p-mug", "MUG-1", "Mug", "13.10", at="2026-03-05T00:00:00Z")), None
    )
    second = call("POST /orders", ANA, body=new_order())[1]
    assert (first["total"], second["total"]) == ("34.99", "36.19")
    assert call("GET /orders/{id}", ANA, order_id=first["id"])[1]["total"] == "34.99"


def test_the_handlers_wire_themselves_from_the_environment(tmp_path, monkeypatch, moto, clock):
    subscriber = bus_to_queue("shop", "products-stock", "stock", {"source": ["shop.orders"]})
    url = f"sqlite:///{tmp_path}/orders.db"
    env = {"SYSTEM_NAME": "shop", "SERVICE_NAME": "orders", "DATABASE_URL": url, "EVENT_BUS_NAME": "shop",
           "EVENT_SOURCE": "shop.orders"}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    events.handler.reset()
    catalog.handler.reset()
    try:
        assert catalog.handler(sqs_batch(product_changed("p-mug", "MUG-1", "Mug", "12.50")), None) == OK
        app = router.app(OrderUseCases(db, None, clock=clock))  # no publisher: OrderPlaced stays pending
        status, order = call_app(app, "POST /orders", ANA, body=new_order(items=[{"product_id": "p-mug",
                                                                                  "quantity": 1}]))  # fmt: skip
        assert status == 201 and order["total"] == "12.50"
        assert events.handler(sqs_batch(reserved(order["id"])), None) == OK
        assert {d["detail-type"] for d in subscriber.received()} == {"OrderConfirmed"}, "a write relays its own"
        assert relay_handler({}, None) == {"published": 1, "failed": 0}, "the schedule relays what was left"
    finally:
        events.handler.reset()
        catalog.handler.reset()
    assert StoredOrders(db).get(order["id"]).status is Status.CONFIRMED  # type: ignore[union-attr]
    assert {d["detail-type"] for d in subscriber.received()} == {"OrderPlaced"}
    db.close()


def test_seeding_helper_is_idempotent(store):
    seed_catalog(store.db)
    assert set(store.catalog(["p-mug", "p-tea", "p-pot"])) == {"p-mug", "p-tea", "p-pot"}
