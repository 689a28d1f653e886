"""The module-level handlers build their wiring from the environment on the first call (catalog and sales), reading
the variables that ``architectures/wiring.py`` names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from architectures.retail import SYSTEM
from architectures.wiring import service_environment
from handlers.retail.catalog import api as catalog_api
from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.sales import api as sales_api
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.events import http_request
from tests.handlers.conftest import fake_aws
from tests.handlers.retail.catalog.helpers import ADMIN, SELLER
from tests.handlers.retail.conftest import put_store_settings
from tests.handlers.retail.settings.conftest import TABLE, create_settings_table


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    url = f"sqlite:///{tmp_path}/retail.db"
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    db.close()
    monkeypatch.setenv("SYSTEM_NAME", "retail")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EVENT_BUS_NAME", "retail")
    catalog_api.router.reset()
    sales_api.router.reset()
    yield
    catalog_api.router.reset()
    sales_api.router.reset()


def service_env(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("SERVICE_NAME", name)
    monkeypatch.setenv("EVENT_SOURCE", f"retail.{name}")


def test_handlers_wire_themselves(environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    service_env(monkeypatch, "catalog")
    product = {"sku": "A", "name": "A", "category": "c", "price": "1.00"}
    created = catalog_api.handler(http_request("POST /products", body=product, claims=ADMIN), None)
    assert created["statusCode"] == 201
    service_env(monkeypatch, "sales")
    listed = sales_api.handler(http_request("GET /sales", claims=SELLER), None)
    assert listed["statusCode"] == 200
    assert json.loads(listed["body"]) == {"items": [], "next_cursor": None}


def test_both_read_the_store_settings_from_the_table_the_wiring_names(
    environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def deployed(name: str) -> None:
        service_env(monkeypatch, name)
        env = service_environment(SYSTEM, SYSTEM.service(name), "test", lambda kind, res: f"retail-{res}")
        tables = {key: value for key, value in env.items() if key.startswith("TABLE_")}
        assert tables == {"TABLE_SETTINGS": TABLE}, name
        for key, value in tables.items():
            monkeypatch.setenv(key, value)

    with fake_aws(monkeypatch):
        put_store_settings(create_settings_table(TABLE), tax_rate={"S": "0.10"}, low_stock_threshold={"N": "12"})
        deployed("catalog")
        product = {"sku": "A", "name": "A", "category": "c", "price": "1.00"}
        created = catalog_api.handler(http_request("POST /products", body=product, claims=ADMIN), None)
        assert created["statusCode"] == 201 and json.loads(created["body"])["min_stock"] == 12
        product_id = json.loads(created["body"])["id"]
        counted = {"product_id": product_id, "delta": 20, "reason": "delivery"}
        adjusted = catalog_api.handler(http_request("POST /stock/adjustments", body=counted, claims=ADMIN), None)
        assert adjusted["statusCode"] == 201
        deployed("sales")
        sale = {"items": [{"product_id": product_id, "quantity": 1}], "payment_method": "cash"}
        sold = sales_api.handler(http_request("POST /sales", body=sale, claims=SELLER), None)
        assert sold["statusCode"] == 201 and json.loads(sold["body"])["tax_rate"] == "0.10"
