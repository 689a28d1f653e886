"""The ``stock`` subscription through the real batch handler with canonical SQS batches, on SQLite and MariaDB,
including 20 orders racing for 5 units."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from handlers.shared.db import Database
from handlers.shared.outbox import EventPublisher
from handlers.shop.products import store as product_store
from handlers.shop.products.events import StockConsumer
from handlers.shop.products.logic import LineState, OrderStock
from handlers.shop.products.usecases import ProductUseCases
from tests.events import sqs_batch
from tests.handlers.shop.products.conftest import (
    SOURCE,
    Clock,
    RecordingEvents,
    cancelled,
    confirmed,
    deliver,
    new_product,
    outbox_of,
    placed,
    stock,
)

OK: dict[str, Any] = {"batchItemFailures": []}


def test_an_order_is_reserved_confirmed_and_sold(call, consumer, store, db, sent):
    mug, tee = new_product(call, "MUG-1", available=5), new_product(call, "TEE-1", available=2)
    order_id = str(uuid.uuid4())
    assert deliver(consumer, placed(order_id, (mug["id"], 2), (tee["id"], 2), (mug["id"], 1))) == OK
    assert stock(store, mug["id"]) == (2, 3) and stock(store, tee["id"]) == (0, 2)
    [reserved] = outbox_of(db, "StockReserved")
    assert reserved["order_id"] == order_id
    assert sorted((i["product_id"], i["quantity"]) for i in reserved["items"]) == sorted(
        [(mug["id"], 3), (tee["id"], 2)]
    )
    assert ("StockReserved", reserved) in sent.sent(), "relayed after the commit"
    assert store.order_state(order_id) is OrderStock.RESERVED

    assert deliver(consumer, confirmed(order_id)) == OK
    assert stock(store, mug["id"]) == (2, 0) and stock(store, tee["id"]) == (0, 0)
    assert {s for _, _, s in store.reservations(order_id)} == {LineState.COMMITTED}
    assert store.order_state(order_id) is OrderStock.COMMITTED


def test_not_enough_of_one_item_reserves_nothing(call, consumer, store, db):
    mug, tee = new_product(call, "MUG-1", available=5), new_product(call, "TEE-1", available=1)
    order_id = str(uuid.uuid4())
    assert deliver(consumer, placed(order_id, (mug["id"], 2), (tee["id"], 3))) == OK
    assert stock(store, mug["id"]) == (5, 0) and stock(store, tee["id"]) == (1, 0)
    [rejected] = outbox_of(db, "StockRejected")
    assert rejected["order_id"] == order_id
    assert "TEE-1" in rejected["reason"] and "short by 2" in rejected["reason"]
    assert store.reservations(order_id) == [] and store.order_state(order_id) is OrderStock.REJECTED


def test_unknown_and_deleted_products_are_rejected(call, consumer, store, db):
    gone = new_product(call, "OLD-1", available=5)
    call("DELETE /products/{id}", {"sub": "a", "cognito:groups": "[admins]"}, product_id=gone["id"])
    deliver(consumer, placed("o-1", (gone["id"], 1)), placed("o-2", ("no-such-product", 1)))
    reasons = {r["order_id"]: r["reason"] for r in outbox_of(db, "StockRejected")}
    assert "no longer sold" in reasons["o-1"] and "no-such-product does not exist" in reasons["o-2"]
    assert stock(store, gone["id"]) == (5, 0)


def test_duplicates_have_no_second_effect(call, consumer, store, db):
    mug = new_product(call, "MUG-1", available=5)
    first = placed("o-1", (mug["id"], 2))
    assert deliver(consumer, first, first) == OK
    assert deliver(consumer, placed("o-1", (mug["id"], 2))) == OK, "the same order again, with a new event id"
    assert stock(store, mug["id"]) == (3, 2)
    assert len(outbox_of(db, "StockReserved")) == 1
    confirm = confirmed("o-1")
    deliver(consumer, confirm, confirm, confirmed("o-1"))
    assert stock(store, mug["id"]) == (3, 0)
    cancel = cancelled("o-1")
    deliver(consumer, cancel, cancel)
    assert stock(store, mug["id"]) == (5, 0) and len(outbox_of(db, "StockReleased")) == 1


def test_cancel_releases_what_the_order_holds(call, consumer, store, db):
    mug = new_product(call, "MUG-1", available=5)
    deliver(consumer, placed("held", (mug["id"], 2)), placed("sold", (mug["id"], 1)), confirmed("sold"))
    assert stock(store, mug["id"]) == (2, 2)
    assert deliver(consumer, cancelled("held")) == OK
    assert stock(store, mug["id"]) == (4, 0), "reserved units go back"
    assert deliver(consumer, cancelled("sold")) == OK
    assert stock(store, mug["id"]) == (5, 0), "sold but not shipped units go back too"
    assert {s for _, _, s in store.reservations("held") + store.reservations("sold")} == {LineState.RELEASED}
    assert sorted(r["order_id"] for r in outbox_of(db, "StockReleased")) == ["held", "sold"]
    deliver(consumer, cancelled("held"))
    assert stock(store, mug["id"]) == (5, 0), "a second cancellation releases nothing more"


def test_cancel_of_a_rejected_or_unseen_order_still_answers(call, consumer, store, db):
    mug = new_product(call, "MUG-1", available=1)
    deliver(consumer, placed("rejected", (mug["id"], 5)), cancelled("rejected"), cancelled("early"))
    assert sorted(r["order_id"] for r in outbox_of(db, "StockReleased")) == ["early", "rejected"]
    assert deliver(consumer, placed("early", (mug["id"], 1))) == OK
    assert stock(store, mug["id"]) == (1, 0), "an order cancelled before it was placed reserves nothing"
    assert store.order_state("early") is OrderStock.RELEASED
    deliver(consumer, confirmed("early"))
    assert stock(store, mug["id"]) == (1, 0)


def test_a_malformed_or_foreign_record_fails_alone(call, consumer, store):
    mug = new_product(call, "MUG-1", available=5)
    bad = placed("o-bad", (mug["id"], 1))
    del bad[2]["customer_id"]
    foreign = ("ProductChanged", SOURCE, {"event_id": str(uuid.uuid4())})
    batch = sqs_batch(bad, placed("o-ok", (mug["id"], 1)), foreign)
    failed = {f["itemIdentifier"] for f in consumer.process(batch, None)["batchItemFailures"]}
    assert failed == {batch["Records"][0]["messageId"], batch["Records"][2]["messageId"]}
    assert stock(store, mug["id"]) == (4, 1)


def test_a_failing_record_is_not_claimed_so_its_retry_applies(call, store, db, publisher, monkeypatch):
    mug = new_product(call, "MUG-1", available=5)
    event = placed("o-1", (mug["id"], 1))
    reserve, failures = product_store.reserve, [ConnectionError("database went away")]

    def fails_once(*args: Any) -> None:
        if failures:
            raise failures.pop()  # after the claim and the stock lock, in the same transaction
        reserve(*args)

    monkeypatch.setattr(product_store, "reserve", fails_once)
    consumer = StockConsumer(ProductUseCases(db, publisher, clock=Clock()))
    with pytest.raises(BatchProcessingError):  # the whole batch failed: Lambda retries all of it
        deliver(consumer, event)
    assert stock(store, mug["id"]) == (5, 0) and store.order_state("o-1") is None
    assert deliver(consumer, event) == OK
    assert stock(store, mug["id"]) == (4, 1)


def test_twenty_orders_race_for_five_units(call, db, store, request):
    """20 OrderPlaced of 1 unit each, on 20 connections released together: exactly 5 win."""
    mug = new_product(call, "MUG-1", available=5)
    databases = [_same_database(db, request) for _ in range(20)]
    barrier = threading.Barrier(len(databases))
    failures: list[Any] = []

    def place(index: int, database: Database) -> None:
        consumer = StockConsumer(ProductUseCases(database, EventPublisher("shop", SOURCE, RecordingEvents())))
        batch = sqs_batch(placed(f"o-{index:02d}", (mug["id"], 1)))
        barrier.wait()
        for _ in range(5):  # as SQS would redeliver a failed record (a lock timeout or deadlock)
            response = consumer.process(batch, None)
            if response == OK:
                return
        failures.append(response)

    threads = [threading.Thread(target=place, args=(i, d)) for i, d in enumerate(databases)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.close()
    assert failures == []
    assert stock(store, mug["id"]) == (0, 5)
    assert len(outbox_of(db, "StockReserved")) == 5 and len(outbox_of(db, "StockRejected")) == 15
    with db.transaction() as tx:
        row = tx.query_one("SELECT SUM(quantity) AS n FROM reservations WHERE state = 'RESERVED'")
    assert row is not None and int(row["n"]) == 5


def _same_database(db: Database, request: Any) -> Database:
    """Another connection to the test's database (one per thread: a Database holds one connection)."""
    if db.dialect == "sqlite":
        return Database.sqlite(db._sqlite_path)
    mariadb = request.getfixturevalue("mariadb")
    assert db._mysql is not None
    return Database.from_url(mariadb.url_for(db._mysql.database))
