"""Fixtures of the tracking service: its migrated database, an app and a consumer on injected adapters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from handlers.moving.tracking.api import build_app
from handlers.moving.tracking.events import SessionsConsumer
from handlers.moving.tracking.store import MIGRATIONS, TrackingStore
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from handlers.shared.settings import ServiceSettings
from tests.handlers.moving.conftest import Clock, RecordingEvents, service_settings

SOURCE = "moving.tracking"


def settings() -> ServiceSettings:
    return service_settings("tracking")


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def store(db: Database) -> TrackingStore:
    return TrackingStore(db)


@pytest.fixture
def app(store: TrackingStore, sent: RecordingEvents, clock: Clock) -> Any:
    return build_app(settings(), store, EventPublisher("moving", SOURCE, events_client=sent), clock=clock)


@pytest.fixture
def consumer(store: TrackingStore, clock: Clock) -> SessionsConsumer:
    return SessionsConsumer(store, clock=clock)


def position(recorded_at: datetime | str, lat: float = -12.05, lon: float = -77.04) -> dict[str, Any]:
    when = recorded_at if isinstance(recorded_at, str) else recorded_at.isoformat()
    return {"lat": lat, "lon": lon, "recorded_at": when}
