"""Fixtures of the sales service: the retail schema (catalog's migrations), products and clients written through
the catalog's use cases, and the sales app on injected adapters (a fixed tax rate, recorded metrics)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from handlers.retail.catalog import logic as catalog_logic
from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.retail.sales.api import router
from handlers.retail.sales.usecases import SalesUseCases
from handlers.shared.api import Caller
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from tests.handlers.retail.catalog.helpers import START, Call, Clock, RecordingEvents, call_app


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def catalog(db: Database) -> CatalogUseCases:
    """The catalog's use cases on the same database, an hour before the sales app's clock starts."""
    return CatalogUseCases(db, clock=lambda: START - timedelta(hours=1))


@pytest.fixture
def sent() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def metrics() -> list[Decimal]:
    return []


@pytest.fixture
def tax() -> list[Decimal]:
    """The tax rate the app sees (a one-element list, so a test can change it)."""
    return [Decimal("0.18")]


def make_app(db: Database, sent: RecordingEvents | None, tax: list[Decimal],
             metrics: list[Decimal] | None = None) -> Any:  # fmt: skip
    publisher = None if sent is None else EventPublisher("retail", "retail.sales", events_client=sent)
    return router.app(SalesUseCases(db, publisher, tax_rate=lambda: tax[0],
                                    metrics=None if metrics is None else metrics.append, clock=Clock()))  # fmt: skip


@pytest.fixture
def app(db: Database, sent: RecordingEvents, tax: list[Decimal], metrics: list[Decimal]) -> Any:
    return make_app(db, sent, tax, metrics)


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who=None, **kw: call_app(app, route_key, who, **kw)


NewProduct = Callable[..., catalog_logic.Product]


@pytest.fixture
def product(catalog: CatalogUseCases) -> NewProduct:
    """Create a product with a stock (through the catalog's use cases, as the catalog API does)."""

    def create(sku: str = "MUG-1", price: str = "12.50", stock: int = 10, min_stock: int = 0,
               active: bool = True) -> catalog_logic.Product:  # fmt: skip
        fields = catalog_logic.ProductFields(sku=sku, name=f"Product {sku}", category="kitchen", price=Decimal(price),
                                       min_stock=min_stock, active=active)  # fmt: skip
        made = catalog.create_product(fields)
        if stock:
            catalog.adjust(STOCK_KEEPER, catalog_logic.Adjustment(product_id=made.id, delta=stock, reason="initial"))
        return made

    return create


STOCK_KEEPER = Caller("u-wes", "wes@example.com", frozenset({"warehouse"}))


def stock_of(catalog: CatalogUseCases, product_id: str) -> int:
    return catalog.level(product_id).stock
