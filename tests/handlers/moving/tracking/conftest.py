"""Fixtures of the tracking service: its migrated database, an app and a consumer on injected adapters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from handlers.moving.tracking import store as tracking_store
from handlers.moving.tracking.api import router
from handlers.moving.tracking.events import SessionsConsumer
from handlers.moving.tracking.logic import Position, Tracking
from handlers.moving.tracking.store import MIGRATIONS
from handlers.moving.tracking.usecases import TrackingUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from tests.handlers.moving.conftest import Clock, RecordingEvents

SOURCE = "moving.tracking"


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


class StoredTracking:
    """Sessions and positions read straight from the database, to check what a request or an event left there."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, move_id: str) -> Tracking | None:
        with self.db.transaction() as tx:
            return tracking_store.get(tx, move_id)

    def path(self, move_id: str, limit: int) -> list[Position]:
        with self.db.transaction() as tx:
            return tracking_store.path(tx, move_id, limit)


def app_on(db: Database, publisher: EventPublisher | None = None, **adapters: Any) -> Any:
    """The tracking API on a database, a bus publisher and (optionally) a clock."""
    return router.app(TrackingUseCases(db, publisher, **adapters))


@pytest.fixture
def store(db: Database) -> StoredTracking:
    return StoredTracking(db)


@pytest.fixture
def app(db: Database, sent: RecordingEvents, clock: Clock) -> Any:
    return app_on(db, EventPublisher("moving", SOURCE, events_client=sent), clock=clock)


@pytest.fixture
def consumer(db: Database, clock: Clock) -> SessionsConsumer:
    return SessionsConsumer(TrackingUseCases(db, clock=clock))


def position(recorded_at: datetime | str, lat: float = -12.05, lon: float = -77.04) -> dict[str, Any]:
    when = recorded_at if isinstance(recorded_at, str) else recorded_at.isoformat()
    return {"lat": lat, "lon": lon, "recorded_at": when}
