"""The module-level handlers build their wiring from the environment on the first call (catalog and sales)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from architectures.retail import SYSTEM
from architectures.wiring import route_groups
from handlers.retail.catalog import api as catalog_api
from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.sales import api as sales_api
from handlers.shared.db import Database
from handlers.shared.migrations import apply_service_migrations
from tests.events import http_request
from tests.handlers.retail.catalog.helpers import ADMIN, SELLER


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    url = f"sqlite:///{tmp_path}/retail.db"
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    db.close()
    monkeypatch.setenv("SYSTEM_NAME", "retail")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EVENT_BUS_NAME", "retail")
    catalog_api.default_app.cache_clear()
    sales_api.default_app.cache_clear()
    yield
    catalog_api.default_app.cache_clear()
    sales_api.default_app.cache_clear()


def service_env(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    service = next(s for s in SYSTEM.services if s.name == name)
    monkeypatch.setenv("SERVICE_NAME", name)
    monkeypatch.setenv("EVENT_SOURCE", f"retail.{name}")
    monkeypatch.setenv("ROUTE_GROUPS", route_groups(service))


def test_handlers_wire_themselves(environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    service_env(monkeypatch, "catalog")
    product = {"sku": "A", "name": "A", "category": "c", "price": "1.00"}
    created = catalog_api.handler(http_request("POST /products", body=product, claims=ADMIN), None)
    assert created["statusCode"] == 201
    service_env(monkeypatch, "sales")
    listed = sales_api.handler(http_request("GET /sales", claims=SELLER), None)
    assert listed["statusCode"] == 200
    assert json.loads(listed["body"]) == {"items": [], "next_cursor": None}
