"""The products functions as deployed: wiring from the environment (as ``architectures/wiring.py`` writes it) on a
SQLite file, with moto's ``shop`` bus routing the products' events to a subscriber queue, as the cloud does for
orders."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from architectures.shop import SYSTEM
from architectures.wiring import service_environment
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shop.products import api, events
from handlers.shop.products.store import MIGRATIONS
from tests.events import http_request, sqs_batch
from tests.handlers.conftest import bus_to_queue, fake_aws, sessions_table
from tests.handlers.shop.products.conftest import ADMIN, placed


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path}/products.db"
    service = next(s for s in SYSTEM.services if s.name == "products")
    names = {"bus": "shop", "table": "shop-sessions"}
    env = service_environment(SYSTEM, service, "test", lambda kind, name: names.get(kind, "unused"))
    env.pop("DB_SECRET_ARN", None)
    env["DATABASE_URL"] = url
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    api.router.reset()
    events.handler.reset()
    with fake_aws(monkeypatch):
        pattern = {"source": [env["EVENT_SOURCE"]]}
        subscriber = bus_to_queue("shop", "orders-stock-results", "stock-results", pattern)
        sessions_table(env["TABLE_SESSIONS"])
        yield {"db": db, "received": subscriber.received, "source": env["EVENT_SOURCE"]}
    db.close()
    api.router.reset()
    events.handler.reset()


def test_the_deployed_functions_create_stock_and_reserve_it_on_the_bus(deployed):
    admin = {**ADMIN, "iat": str(int(time.time()))}
    body = {"sku": "MUG-1", "name": "Mug", "category": "kitchen", "price": "3.10"}
    created = api.handler(http_request("POST /products", body=body, claims=admin), None)
    assert created["statusCode"] == 201, created
    product = json.loads(created["body"])
    path = f"/products/{product['id']}/inventory"
    request = http_request("PUT /products/{id}/inventory", path=path, path_parameters={"id": product["id"]},
                           body={"quantity": 3}, claims=admin)  # fmt: skip
    assert api.handler(request, None)["statusCode"] == 200
    assert events.handler(sqs_batch(placed("o-1", (product["id"], 2))), None) == {"batchItemFailures": []}
    delivered = deployed["received"]()
    assert {d["source"] for d in delivered} == {deployed["source"]}
    by_type = {d["detail-type"]: d["detail"] for d in delivered}
    assert by_type["ProductChanged"]["price"] == "3.10"
    assert by_type["StockReserved"]["order_id"] == "o-1"
    warm = api.router._warm
    assert warm is not None and api.handler(request, None) and api.router._warm is warm, "the warm app is reused"
