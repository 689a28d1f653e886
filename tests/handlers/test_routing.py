"""Binding routes to the declaration, and Idempotency-Key as one mechanism any write route opts into."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from pydantic import BaseModel, Field

from architectures.spec import Service
from handlers.shared.db import Database
from handlers.shared.entry import logger
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.routing import Request, RouteBindingError, Router
from handlers.shared.usecases import UseCases
from tests.events import http_request
from tests.handlers.test_api import CUSTOMER, DEMO, EMPLOYEE, demo_router

ORDERS = DEMO.model_copy(
    update={"services": (*DEMO.services, Service(name="orders", routes=(DEMO.services[0].routes[0],)))}
)


def test_binding_an_undeclared_route_fails_at_once():
    router = Router(DEMO, "things")
    with pytest.raises(RouteBindingError, match=r"demo/things: route PUT /things is not declared in architectures"):
        router.route("PUT /things")


def test_binding_a_route_twice_fails():
    router = Router(DEMO, "things")
    router.route("GET /things")(lambda request, _: None)
    with pytest.raises(RouteBindingError, match="bound twice"):
        router.route("GET /things")


def test_a_declared_route_without_a_function_fails_before_serving():
    router = Router(DEMO, "things")
    router.route("GET /things")(lambda request, _: None)
    with pytest.raises(RouteBindingError, match=r"no function: DELETE /things/\{id\}, GET /health, GET /things/\{id\}"):
        router.handler(lambda settings: None)


def test_every_service_binds_exactly_its_declared_routes():
    """Importing each API module runs its ``router.handler(...)``, which checks that nothing is left unbound."""
    from architectures import SYSTEMS
    from tools.openapi import bound_routes

    for system in SYSTEMS.values():
        for service in system.services:
            if service.routes:
                assert set(bound_routes(system, service)) == {r.key for r in service.routes}, service.name


def test_every_create_route_takes_an_idempotency_key():
    """A signed-in POST that creates something (201, or 202 for an accepted record) can be retried safely."""
    from architectures import SYSTEMS
    from tools.openapi import bound_routes

    for system in SYSTEMS.values():
        for service in system.services:
            for key, bound in bound_routes(system, service).items():
                if key.startswith("POST ") and bound.status in (201, 202) and not bound.route.public:
                    assert bound.idempotent, f"{system.name}: {key} is a create route without Idempotency-Key"


# --- Idempotency-Key -----------------------------------------------------------------------------------------------


class NewOrder(BaseModel):
    item: str = Field(min_length=1)


class Orders(UseCases):
    """A use case that creates a row: it knows nothing of Idempotency-Key."""

    def place(self, request: Request) -> dict:
        with self.writing() as write:
            order = {"id": self.new_id(), "item": request.body.item}
            write.tx.execute("INSERT INTO orders (id, item) VALUES (:id, :item)", order)
        return order


@pytest.fixture
def orders(database):
    apply_service_migrations(database, None)
    with database.transaction() as tx:
        tx.execute("CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY, item VARCHAR(20) NOT NULL)")
    return Orders(database)


def orders_app(orders: Orders):
    router = Router(ORDERS, "orders")
    router.route("POST /things", body=NewOrder, response=dict, status=201, idempotent=True)(
        lambda request, use_cases: use_cases.place(request)
    )
    return router.app(orders)


def post(app, body, key=None, who=CUSTOMER):
    event = http_request("POST /things", body=body, claims=who, headers={"Idempotency-Key": key} if key else {})
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"])


def count(orders: Orders) -> int:
    with orders.reading() as tx:
        return tx.query_one("SELECT COUNT(*) AS n FROM orders")["n"]


def test_the_same_key_and_body_give_the_first_response_and_one_record(orders):
    app = orders_app(orders)
    first = post(app, {"item": "box"}, key="k-1")
    assert first[0] == 201
    assert post(app, {"item": "box"}, key="k-1") == first
    assert post(app, {"item": "box"}) != first, "without a key every request acts"
    assert count(orders) == 2


def test_the_same_key_with_another_body_is_a_422_and_keys_belong_to_their_caller(orders):
    app = orders_app(orders)
    post(app, {"item": "box"}, key="k-1")
    status, body = post(app, {"item": "crate"}, key="k-1")
    assert status == 422 and "Idempotency-Key" in body["message"]
    assert post(app, {"item": "crate"}, key="k-1", who=EMPLOYEE)[0] == 201, "another caller may use the same key"
    assert count(orders) == 2


def test_a_repeat_while_the_first_answer_is_not_kept_waits_then_is_a_409(orders, monkeypatch):
    from handlers.shared import idempotency, routing

    monkeypatch.setattr(routing, "ANSWER_WAIT_SECONDS", 0.2)
    event = http_request("POST /things", body={"item": "box"}, claims=CUSTOMER, headers={"Idempotency-Key": "k-9"})
    claim = idempotency.Claim(CUSTOMER["sub"], "k-9", idempotency.fingerprint(NewOrder(item="box")))
    with orders.writing() as write:  # a first request that made its change, its answer not kept yet
        idempotency.claim_key(write.tx, claim, orders.clock())
    response = orders_app(orders).resolve(event, None)
    assert response["statusCode"] == 409 and "retry in a moment" in json.loads(response["body"])["message"]
    assert count(orders) == 0, "the repeat did not act again"
    orders.keep_response(claim, {"id": "o-1", "item": "box"})
    assert post(orders_app(orders), {"item": "box"}, key="k-9") == (201, {"id": "o-1", "item": "box"})


@pytest.mark.parametrize("key", ["", "x" * 101])
def test_a_key_of_the_wrong_length_is_refused(orders, key):
    event = http_request("POST /things", body={"item": "box"}, claims=CUSTOMER, headers={"Idempotency-Key": key})
    assert orders_app(orders).resolve(event, None)["statusCode"] == 422
    assert count(orders) == 0


def test_concurrent_duplicates_create_once_and_answer_alike(database, orders):
    twins = [Database(database.dialect, sqlite_path=database._sqlite_path, mysql=database._mysql) for _ in range(4)]
    apps = [orders_app(Orders(twin)) for twin in twins]
    start, answers = threading.Barrier(len(apps)), []

    def send(app) -> None:
        start.wait()
        answers.append(post(app, {"item": "box"}, key="same"))

    threads = [threading.Thread(target=send, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for twin in twins:
        twin.close()
    assert len({json.dumps(a, sort_keys=True) for a in answers}) == 1 and answers[0][0] == 201
    assert count(orders) == 1


# --- the entry wrapper ---------------------------------------------------------------------------------------------


def test_each_request_logs_under_its_request_id(caplog, monkeypatch):
    monkeypatch.setenv("SYSTEM_NAME", "demo")
    monkeypatch.setenv("SERVICE_NAME", "things")
    router = demo_router()
    handler = router.handler(lambda settings: object())
    event = http_request("GET /health")
    event["requestContext"]["requestId"] = "req-42"
    with caplog.at_level(logging.INFO):
        assert handler(event, None)["statusCode"] == 200
    assert logger.get_correlation_id() == "req-42"
