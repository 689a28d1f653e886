"""The ``orders`` subscription: OrderPlaced tells support who placed each order, once per event."""

from __future__ import annotations

import uuid

from handlers.shop.support.events import OrdersConsumer
from handlers.shop.support.usecases import SupportUseCases
from tests.events import sqs_batch
from tests.handlers.shop.support.conftest import ANA, BOB, count, new_ticket

OK = {"batchItemFailures": []}


def placed(order_id: str, customer_id: str, event_id: str | None = None) -> tuple[str, str, dict]:
    detail = {"event_id": event_id or str(uuid.uuid4()), "occurred_at": "2026-03-10T09:00:00Z", "order_id": order_id,
              "customer_id": customer_id, "items": [{"product_id": "p-1", "quantity": 1}]}  # fmt: skip
    return "OrderPlaced", "shop.orders", detail


def test_a_placed_order_becomes_one_its_customer_can_name_in_a_ticket(db, call):
    consumer = OrdersConsumer(SupportUseCases(db))
    assert consumer.name == "support-orders"
    assert consumer.process(sqs_batch(placed("o-bob", BOB["sub"])), None) == OK
    status, ticket = call("POST /tickets", BOB, body=new_ticket(order_id="o-bob"))
    assert status == 201 and ticket["order_id"] == "o-bob"
    assert call("POST /tickets", ANA, body=new_ticket(order_id="o-bob"))[0] == 422, "not Ana's order"


def test_a_redelivered_event_changes_nothing(db):
    consumer = OrdersConsumer(SupportUseCases(db))
    event = placed("o-bob", BOB["sub"], event_id="e-1")
    assert consumer.process(sqs_batch(event), None) == OK
    assert consumer.process(sqs_batch(event), None) == OK
    assert count(db, "known_orders") == 2, "Ana's order from the fixture, and Bob's once"


def test_a_malformed_event_goes_back_to_the_queue(db):
    consumer = OrdersConsumer(SupportUseCases(db))
    bad = ("OrderPlaced", "shop.orders", {"event_id": "e-2", "order_id": "o-x"})
    assert len(consumer.process(sqs_batch(bad, placed("o-bob", BOB["sub"])), None)["batchItemFailures"]) == 1
    assert count(db, "known_orders") == 2, "the good record of the batch was kept"
