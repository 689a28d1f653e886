"""Fixtures of the sales service: the retail schema (catalog's migrations), products and clients written through
the catalog store, and the sales app on injected adapters (a fixed tax rate, recorded metrics)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from handlers.retail.catalog import logic as catalog
from handlers.retail.catalog.store import MIGRATIONS, CatalogStore
from handlers.retail.sales.api import router
from handlers.retail.sales.store import SalesStore
from handlers.retail.sales.usecases import SalesUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from tests.handlers.retail.catalog.helpers import START, Call, Clock, RecordingEvents, call_app


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def catalog_store(db: Database) -> CatalogStore:
    return CatalogStore(db)


@pytest.fixture
def store(db: Database) -> SalesStore:
    return SalesStore(db)


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


def make_app(store: SalesStore, sent: RecordingEvents | None, tax: list[Decimal],
             metrics: list[Decimal] | None = None) -> Any:  # fmt: skip
    publisher = None if sent is None else EventPublisher("retail", "retail.sales", events_client=sent)
    return router.app(SalesUseCases(store.db, publisher, tax_rate=lambda: tax[0],
                                    metrics=None if metrics is None else metrics.append, clock=Clock()))  # fmt: skip


@pytest.fixture
def app(store: SalesStore, sent: RecordingEvents, tax: list[Decimal], metrics: list[Decimal]) -> Any:
    return make_app(store, sent, tax, metrics)


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who=None, **kw: call_app(app, route_key, who, **kw)


NewProduct = Callable[..., catalog.Product]


@pytest.fixture
def product(catalog_store: CatalogStore) -> NewProduct:
    """Create a product with a stock (written through the catalog store, as the catalog API does)."""

    def create(sku: str = "MUG-1", price: str = "12.50", stock: int = 10, min_stock: int = 0,
               active: bool = True) -> catalog.Product:  # fmt: skip
        fields = catalog.ProductFields(sku=sku, name=f"Product {sku}", category="kitchen", price=Decimal(price),
                                       min_stock=min_stock, active=active)  # fmt: skip
        before = START - timedelta(hours=1)  # the app's clock starts at START
        made = catalog_store.create_product(catalog.new_product(fields, before, lambda: min_stock))
        if stock:
            catalog_store.adjust(catalog.Adjustment(product_id=made.id, delta=stock, reason="initial"), "u", before)
        return made

    return create


def stock_of(catalog_store: CatalogStore, product_id: str) -> int:
    level = catalog_store.level(product_id)
    assert level is not None
    return level.stock
