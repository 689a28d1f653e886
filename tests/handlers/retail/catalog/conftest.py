"""Fixtures of the catalog service: the migrated retail schema, an app on injected adapters (the default
low-stock threshold, a ticking clock)."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.retail.catalog.api import router
from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.retail.store_settings import DEFAULT_LOW_STOCK_THRESHOLD
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from tests.handlers.retail.catalog.helpers import Call, Clock, RecordingEvents, call_app


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def sent() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def app(db: Database, sent: RecordingEvents) -> Any:
    publisher = EventPublisher("retail", "retail.catalog", events_client=sent)
    return router.app(CatalogUseCases(db, publisher, low_stock_threshold=lambda: DEFAULT_LOW_STOCK_THRESHOLD,
                                      clock=Clock()))  # fmt: skip


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who=None, **kw: call_app(app, route_key, who, **kw)
