"""The orders routes driven by canonical API Gateway events with JWT claims, on SQLite and MariaDB."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from handlers.shop.orders import api, logic
from handlers.shop.orders.api import router
from handlers.shop.orders.store import MIGRATIONS
from handlers.shop.orders.usecases import OrderUseCases
from tests.events import http_request, said, sqs_batch
from tests.handlers.shop.orders.conftest import (
    ADMIN,
    ANA,
    BOB,
    SOURCE,
    RecordingEvents,
    call_app,
    count,
    new_order,
    outbox,
    product_changed,
    released,
    reserved,
    twin,
)

KEY = {"Idempotency-Key": "checkout-1"}


def place(call: Any, who: dict[str, str] = ANA, **kw: Any) -> dict[str, Any]:
    status, body = call("POST /orders", who, body=kw.pop("body", new_order()), **kw)
    assert status == 201, body
    return body


def test_a_customer_places_an_order_priced_from_the_catalog(call, db, sent):
    status, order = call("POST /orders", ANA, body=new_order())
    assert status == 201
    assert order["status"] == "PENDING" and order["currency"] == "USD" and order["total"] == "34.99"
    assert order["items"] == [
        {"product_id": "p-mug", "name": "Mug", "quantity": 2, "unit_price": "12.50", "line_total": "25.00"},
        {"product_id": "p-tea", "name": "Green tea", "quantity": 3, "unit_price": "3.33", "line_total": "9.99"},
    ]
    assert order["created_at"].startswith("2026-03-10T10:00:00")
    [row] = outbox(db)
    assert row["detail_type"] == "OrderPlaced" and row["published_at"] is not None, "relayed after commit"
    assert row["detail"]["order_id"] == order["id"] and row["detail"]["customer_id"] == "c-ana"
    assert row["detail"]["items"] == [{"product_id": "p-mug", "quantity": 2}, {"product_id": "p-tea", "quantity": 3}]
    assert sent.types() == ["OrderPlaced"] and sent.entries[0]["Source"] == SOURCE
    assert count(db, "order_detail") == 2 and count(db, "order_payment_detail") == 0, "payment waits for CONFIRMED"
    assert call("GET /orders/{id}", ANA, order_id=order["id"]) == (200, order)


def test_a_card_number_is_refused_and_never_stored(call, db):
    payment = {"method": "card", "card_last4": "4242", "card_number": "4242424242424242"}
    status, body = call("POST /orders", ANA, body=new_order(payment=payment))
    assert status == 422
    assert [e["field"] for e in body["errors"]] == ["payment.card_number"]
    assert "4242424242424242" not in str(body)
    assert count(db, "orders") == 0 and count(db, "outbox") == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"product_id": "p-mug", "quantity": 1}, {"product_id": "p-mug", "quantity": 1}]}, "items"),
        ({"payment": {"method": "card"}}, "payment"),
        ({"payment": {"method": "cash_on_delivery", "card_last4": "1234"}}, "payment"),
        ({"shipping_address": {"line1": "x", "city": "y"}}, "shipping_address.country"),
        ({"coupon": "FREE"}, "coupon"),
    ],
)
def test_each_bad_field_is_a_422_naming_it_and_nothing_is_written(call, db, changes, field):
    status, body = call("POST /orders", ANA, body=new_order(**changes))
    assert status == 422 and field in [e["field"] for e in body["errors"]]
    assert count(db, "orders") == 0


def test_an_unknown_or_withdrawn_product_is_a_422_naming_it(call, store, db):
    from handlers.shop.orders.catalog import CatalogConsumer

    CatalogConsumer(OrderUseCases(store.db)).process(
        sqs_batch(product_changed("p-pot", "POT-1", "Teapot", "45.00", active=False, at="2026-03-02T00:00:00Z")), None
    )
    for pid in ("p-ghost", "p-pot"):
        status, body = call("POST /orders", ANA, body=new_order(items=[{"product_id": pid, "quantity": 1}]))
        assert status == 422 and pid in body["message"]
    assert count(db, "orders") == 0


def test_nobody_signed_in_is_a_401(call):
    assert call("POST /orders", None, body=new_order())[0] == 401
    assert call("GET /orders", None)[0] == 401


# --- idempotency ----------------------------------------------------------------------------------------------------


def test_the_same_key_and_body_returns_the_first_order_without_a_second(call, db, sent):
    first = place(call, headers=KEY)
    again = place(call, headers=KEY)
    assert again == first
    assert count(db, "orders") == 1 and sent.types() == ["OrderPlaced"] and len(outbox(db)) == 1


def test_the_same_key_with_another_body_is_a_422_naming_the_header(call, db):
    place(call, headers=KEY)
    status, body = call("POST /orders", ANA, body=new_order(items=[{"product_id": "p-pot", "quantity": 1}]),
                        headers=KEY)  # fmt: skip
    assert status == 422 and "Idempotency-Key" in body["message"]
    assert count(db, "orders") == 1


def test_keys_are_per_customer(call, db):
    mine, theirs = place(call, headers=KEY), place(call, BOB, headers=KEY)
    assert mine["id"] != theirs["id"] and count(db, "orders") == 2


def test_a_too_long_key_is_a_422_naming_the_header(call, db):
    status, body = call("POST /orders", ANA, body=new_order(), headers={"Idempotency-Key": "k" * 101})
    assert status == 422 and "Idempotency-Key" in body["message"] and count(db, "orders") == 0


def test_a_replay_still_answers_after_the_product_is_withdrawn(call, store):
    from handlers.shop.orders.catalog import CatalogConsumer

    first = place(call, headers=KEY)
    CatalogConsumer(OrderUseCases(store.db)).process(
        sqs_batch(product_changed("p-mug", "MUG-1", "Mug", "12.50", active=False, at="2026-03-05T00:00:00Z")), None
    )
    assert place(call, headers=KEY) == first


def test_concurrent_duplicates_make_one_order(call, db, monkeypatch):
    """Both requests pass the early key lookup; the primary key decides, and the loser answers as the winner."""
    decide = logic.place

    def slow_place(*args: Any, **kwargs: Any) -> Any:  # widens the window between the lookup and the insert
        time.sleep(0.2)
        return decide(*args, **kwargs)

    monkeypatch.setattr(logic, "place", slow_place)
    databases = [twin(db) for _ in range(3)]
    recorders = [RecordingEvents() for _ in databases]
    apps = [router.app(OrderUseCases(d, EventPublisher("shop", SOURCE, events_client=r)))
            for d, r in zip(databases, recorders, strict=True)]  # fmt: skip
    start, results = threading.Barrier(len(apps)), []

    def post(app: Any) -> None:
        start.wait()
        results.append(call_app(app, "POST /orders", ANA, body=new_order(), headers=KEY))

    threads = [threading.Thread(target=post, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.close()
    assert [status for status, _ in results] == [201, 201, 201]
    assert len({body["id"] for _, body in results}) == 1
    assert count(db, "orders") == 1 and [r["detail_type"] for r in outbox(db)] == ["OrderPlaced"]
    assert sum(len(r.entries) for r in recorders) == 1


# --- reading --------------------------------------------------------------------------------------------------------


def test_another_customers_order_is_a_404_like_a_missing_one_and_admins_see_it(call):
    order = place(call)
    assert said(call("GET /orders/{id}", BOB, order_id=order["id"])) == (404, f"no order {order['id']}")
    assert said(call("GET /orders/{id}", BOB, order_id="nope")) == (404, "no order nope")
    assert call("GET /orders/{id}", ADMIN, order_id=order["id"]) == (200, order)


def test_customers_list_their_own_orders_newest_first(call):
    mine = [place(call)["id"] for _ in range(3)]
    place(call, BOB)
    status, listing = call("GET /orders", ANA)
    assert status == 200 and [o["id"] for o in listing["items"]] == mine[::-1] and listing["next_cursor"] is None


def test_pages_walk_every_order_once(call):
    mine = [place(call)["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        query = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        status, listing = call("GET /orders", ANA, query=query)
        assert status == 200 and len(listing["items"]) <= 2
        seen += [o["id"] for o in listing["items"]]
        cursor = listing["next_cursor"]
        if cursor is None:
            break
    assert seen == mine[::-1]


@pytest.mark.parametrize(("query", "field"), [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit")])
def test_bad_listing_parameters_are_422(call, query, field):
    status, body = call("GET /orders", ANA, query=query)
    assert status == 422 and [e["field"] for e in body["errors"]] == [field]


def test_a_cursor_this_list_did_not_return_is_a_400(call):
    assert call("GET /orders", ANA, query={"cursor": "%%%"})[0] == 400


# --- cancelling -----------------------------------------------------------------------------------------------------


def test_the_owner_cancels_a_confirmed_order(call, consumer, db, sent):
    order = place(call)
    consumer.process(sqs_batch(reserved(order["id"])), None)
    status, body = call("POST /orders/{id}/cancel", ANA, order_id=order["id"])
    assert status == 200 and body["status"] == "CANCELLING"
    assert sent.types() == ["OrderPlaced", "OrderConfirmed", "OrderCancelled"]
    consumer.process(sqs_batch(released(order["id"])), None)
    assert call("GET /orders/{id}", ANA, order_id=order["id"])[1]["status"] == "CANCELLED"


def test_only_the_owner_cancels(call, db):
    order = place(call)
    for who in (BOB, ADMIN):
        assert call("POST /orders/{id}/cancel", who, order_id=order["id"])[0] == 404
    assert call("POST /orders/{id}/cancel", ANA, order_id="nope")[0] == 404
    assert [r["detail_type"] for r in outbox(db)] == ["OrderPlaced"]


@pytest.mark.parametrize("status", ["SHIPPED", "REJECTED", "CANCELLED", "CANCELLING"])
def test_cancelling_in_a_final_status_is_a_409_naming_it(call, db, status):
    order = place(call)
    with db.transaction() as tx:
        tx.execute("UPDATE orders SET status = :s WHERE id = :id", {"s": status, "id": order["id"]})
    code, body = call("POST /orders/{id}/cancel", ANA, order_id=order["id"])
    assert code == 409 and f"is {status}" in body["message"]
    assert [r["detail_type"] for r in outbox(db)] == ["OrderPlaced"]


def test_an_unreachable_database_is_a_503(sent):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = Database.mysql("127.0.0.1", port, user="orders", password="secret", database="orders")
    app = router.app(OrderUseCases(down, EventPublisher("shop", SOURCE, events_client=sent)))
    assert call_app(app, "GET /orders", ANA)[0] == 503
    assert call_app(app, "POST /orders", ANA, body=new_order())[0] == 503


def test_the_handler_wires_itself_from_the_environment(tmp_path, monkeypatch, moto):
    from tests.handlers.conftest import bus_to_queue, sessions_table
    from tests.handlers.shop.orders.conftest import seed_catalog

    subscriber = bus_to_queue("shop", "products-stock", "stock", {"source": [SOURCE]})
    url = f"sqlite:///{tmp_path}/orders.db"
    env = {"SYSTEM_NAME": "shop", "SERVICE_NAME": "orders", "DATABASE_URL": url, "EVENT_BUS_NAME": "shop",
           "EVENT_SOURCE": SOURCE, "TABLE_SESSIONS": sessions_table().table_name}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    seed_catalog(db)
    db.close()
    api.router.reset()
    try:
        ana = {**ANA, "iat": str(int(time.time()))}
        response = api.handler(http_request("POST /orders", body=new_order(), claims=ana), None)
    finally:
        api.router.reset()
    assert response["statusCode"] == 201
    [delivered] = subscriber.received()
    assert delivered["detail-type"] == "OrderPlaced" and delivered["source"] == SOURCE
