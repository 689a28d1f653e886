"""The order saga through real EventBridge routing in moto: orders' events reach a products queue by the bus's rules,
and products' replies reach orders' queues the same way.

Products' side is simulated here: the test reads what reached products' queue and puts products' replies
(StockReserved, StockRejected, StockReleased, ProductChanged) on the moto bus with source ``shop.products``, as the
products service does, so this test does not depend on products' internals. Orders' side runs its real handlers:
the API with the real publisher, and the ``stock-results`` and ``catalog`` consumers fed with what moto delivered.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from architectures.shop import SYSTEM
from handlers.shared.outbox import EventPublisher
from handlers.shop.orders.api import router
from handlers.shop.orders.catalog import CatalogConsumer
from handlers.shop.orders.events import StockResultsConsumer
from handlers.shop.orders.usecases import OrderUseCases
from tests.events import sqs_batch
from tests.handlers.conftest import Subscriber
from tests.handlers.shop.orders.conftest import ANA, PRODUCTS, SERVICE, SOURCE, StoredOrders, call_app, new_order

PRODUCTS_SERVICE = next(s for s in SYSTEM.services if s.name == "products")


def subscription(service: Any, name: str) -> tuple[str, ...]:
    return next(s.events for s in service.subscriptions if s.name == name)


def route(events: Any, sqs: Any, name: str, detail_types: tuple[str, ...]) -> Subscriber:
    """A queue and a rule on the shop bus that delivers ``detail_types`` to it, as a subscription's."""
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName="shop", EventPattern=json.dumps({"detail-type": list(detail_types)}))
    events.put_targets(Rule=name, EventBusName="shop", Targets=[{"Id": "q", "Arn": arn}])
    return Subscriber(sqs, queue_url)


@pytest.fixture
def bus(moto: None) -> dict[str, Subscriber]:
    """The shop bus with the declared subscriptions' rules, each delivering to its own queue."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name="shop")
    return {
        "products-stock": route(events, sqs, "products-stock", subscription(PRODUCTS_SERVICE, "stock")),
        "orders-stock-results": route(events, sqs, "orders-stock-results", subscription(SERVICE, "stock-results")),
        "orders-catalog": route(events, sqs, "orders-catalog", subscription(SERVICE, "catalog")),
    }


def drain(subscriber: Subscriber) -> list[dict[str, Any]]:
    """Every envelope waiting in the queue, removed from it."""
    envelopes: list[dict[str, Any]] = []
    while True:
        got = subscriber.sqs.receive_message(QueueUrl=subscriber.queue_url, MaxNumberOfMessages=10)
        messages = got.get("Messages", [])
        if not messages:
            return envelopes
        for m in messages:
            envelopes.append(json.loads(m["Body"]))
            subscriber.sqs.delete_message(QueueUrl=subscriber.queue_url, ReceiptHandle=m["ReceiptHandle"])


def as_batch(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    """What the queue's event source mapping hands the function."""
    return sqs_batch(*((e["detail-type"], e["source"], e["detail"]) for e in envelopes))


def products_says(detail_type: str, **fields: Any) -> None:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T10:00:30Z", **fields}
    result = boto3.client("events").put_events(
        Entries=[{"EventBusName": "shop", "Source": PRODUCTS, "DetailType": detail_type, "Detail": json.dumps(detail)}]
    )
    assert result["FailedEntryCount"] == 0


def test_the_saga_confirms_rejects_and_cancels_through_the_bus(store: StoredOrders, bus: dict[str, Subscriber]):
    publisher = EventPublisher("shop", SOURCE)  # the real client, inside moto
    app = router.app(OrderUseCases(store.db, publisher))
    stock_results, catalog = (
        StockResultsConsumer(OrderUseCases(store.db, publisher)),
        CatalogConsumer(OrderUseCases(store.db)),
    )

    # products announces a product; the catalog subscription copies it
    products_says("ProductChanged", product_id="p-lamp", sku="LAMP-1", name="Lamp", category="home", price="19.90",
                  active=True)  # fmt: skip
    assert catalog.process(as_batch(drain(bus["orders-catalog"])), None) == {"batchItemFailures": []}

    # an order is placed; OrderPlaced reaches products' queue
    body = new_order(items=[{"product_id": "p-lamp", "quantity": 2}])
    status, order = call_app(app, "POST /orders", ANA, body=body)
    assert status == 201 and order["total"] == "39.80"
    [placed] = drain(bus["products-stock"])
    assert (placed["detail-type"], placed["source"]) == ("OrderPlaced", SOURCE)
    assert placed["detail"]["items"] == [{"product_id": "p-lamp", "quantity": 2}]

    # products reserves the stock; orders confirms and tells products
    products_says("StockReserved", order_id=order["id"], items=placed["detail"]["items"])
    assert stock_results.process(as_batch(drain(bus["orders-stock-results"])), None) == {"batchItemFailures": []}
    assert call_app(app, "GET /orders/{id}", ANA, order_id=order["id"])[1]["status"] == "CONFIRMED"
    [confirmed] = drain(bus["products-stock"])
    assert (confirmed["detail-type"], confirmed["detail"]["order_id"]) == ("OrderConfirmed", order["id"])

    # the owner cancels; products releases the stock; the order is cancelled
    assert call_app(app, "POST /orders/{id}/cancel", ANA, order_id=order["id"])[1]["status"] == "CANCELLING"
    [cancelled] = drain(bus["products-stock"])
    assert (cancelled["detail-type"], cancelled["detail"]["order_id"]) == ("OrderCancelled", order["id"])
    products_says("StockReleased", order_id=order["id"])
    delivered = drain(bus["orders-stock-results"])
    batch = as_batch(delivered + delivered)  # at-least-once delivery: the duplicate changes nothing
    assert stock_results.process(batch, None) == {"batchItemFailures": []}
    assert call_app(app, "GET /orders/{id}", ANA, order_id=order["id"])[1]["status"] == "CANCELLED"

    # another order meets too little stock and is rejected, with products' reason
    status, second = call_app(app, "POST /orders", ANA, body=body)
    assert status == 201
    drain(bus["products-stock"])
    products_says("StockRejected", order_id=second["id"], reason="p-lamp: only 1 available")
    stock_results.process(as_batch(drain(bus["orders-stock-results"])), None)
    shown = call_app(app, "GET /orders/{id}", ANA, order_id=second["id"])[1]
    assert (shown["status"], shown["reason"]) == ("REJECTED", "p-lamp: only 1 available")
    assert drain(bus["products-stock"]) == [], "a rejection emits nothing"
