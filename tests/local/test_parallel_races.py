"""Races that happen in AWS, raced locally: with functions in worker processes (``python -m local``'s default),
parallel HTTP requests through the gateway run at the same time, so the stock rules must hold under real concurrency.

- 100 one-unit sales against a stock of 10: exactly 10 sales, the stock at 0, the others refused (409) or throttled
  (429), none lost or doubled.
- 10 orders of 1 unit against a stock of 3: exactly 3 confirmed, 7 rejected, once every saga is over.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from architectures import topology
from local.demo import Api, runtime_target, wait_for
from local.runtime import LocalRuntime, throwaway_runtime
from local.workers import WorkerSettings

CONNECTIONS = 32


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    with throwaway_runtime(("retail", "shop"), workers=WorkerSettings(concurrency=8, queue_seconds=5)) as rt:
        yield rt


def at_once(count: int, request: Any) -> list[Any]:
    """``request(i)`` for i in 0..count-1, from many threads at once; the responses."""
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        return list(pool.map(request, range(count)))


def test_100_one_unit_sales_against_a_stock_of_10_make_exactly_10_sales(runtime: LocalRuntime):
    api = Api(runtime_target(runtime), "retail")
    admin, seller = api.as_("admins"), api.as_("sellers")
    product = admin.post("/products", json={"sku": "RACE-10", "name": "Race", "category": "test", "price": "1.00"})
    assert product.status_code == 201, product.text
    stocked = admin.post("/stock/adjustments", json={"product_id": product.json()["id"], "delta": 10, "reason": "race"})
    assert stocked.status_code == 201, stocked.text

    sale = {"items": [{"product_id": product.json()["id"], "quantity": 1}], "payment_method": "cash"}
    answers = at_once(100, lambda i: seller.post("/sales", json=sale, headers={"Idempotency-Key": str(uuid.uuid4())}))

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses[201] == 10, statuses
    assert set(statuses) <= {201, 409, 429}, statuses
    assert statuses[409] > 0, "the race was run: some sales found the stock gone"
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"out_of_stock"}
    assert admin.get("/stock", params={"q": "RACE-10"}).json()["items"][0]["stock"] == 0
    numbers = [a.json()["number"] for a in answers if a.status_code == 201]
    assert len(set(numbers)) == 10, "every sale has its own number"


def test_10_orders_for_3_units_confirm_exactly_3(runtime: LocalRuntime):
    api = Api(runtime_target(runtime), "shop")
    customer = api.as_("customers")
    cap = next(p for p in customer.get("/products", params={"q": "red cap"}).json()["items"])  # 3 in stock

    def order(i: int) -> Any:
        return customer.post("/orders", json={
            "items": [{"product_id": cap["id"], "quantity": 1}],
            "payment": {"method": "card", "card_last4": "4242"},
            "shipping_address": {"line1": f"Av. Larco {100 + i}", "city": "Lima", "country": "PE"},
        })  # fmt: skip

    wait_for(lambda: customer.get("/products", params={"q": "red cap"}).status_code == 200, "the catalog")
    placed = at_once(10, order)
    assert [answer.status_code for answer in placed] == [201] * 10, [a.text for a in placed if a.status_code != 201]
    ids = [answer.json()["id"] for answer in placed]

    def outcomes() -> Counter[str] | None:
        statuses = Counter(customer.get(f"/orders/{order_id}").json()["status"] for order_id in ids)
        return statuses if set(statuses) <= {"CONFIRMED", "REJECTED"} else None

    final = wait_for(outcomes, "every order's saga to end", timeout=60)
    assert final == Counter({"CONFIRMED": 3, "REJECTED": 7})


def test_declared_concurrency_is_the_local_limit(runtime: LocalRuntime):
    retail = runtime.systems["retail"]
    sales, catalog = retail.functions["sales"], retail.functions["catalog"]
    assert sales.concurrency == retail.system.service("sales").reserved_concurrency == 10
    assert sales.pool("handlers.retail.sales.api.handler").spec.concurrency == 10
    assert catalog.concurrency is None  # nothing declared: the runtime's default
    assert catalog.pool("handlers.retail.catalog.api.handler").spec.concurrency == 8
    [(_, alerts)] = [(s, sub) for s, sub in topology.subscriptions(retail.system) if sub.name == "low-stock-alerts"]
    [mapping] = [m for m in runtime.mappings if m.name == "retail/catalog/low-stock-alerts"]
    assert mapping.concurrency == alerts.max_concurrency == 2
