"""Fixtures of the moves service: its migrated database, an app on injected adapters, move bodies and a moto bus."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from architectures.moving import SYSTEM
from handlers.moving.moves import store as move_store
from handlers.moving.moves.api import router
from handlers.moving.moves.events import ProgressConsumer
from handlers.moving.moves.logic import Move
from handlers.moving.moves.store import MIGRATIONS
from handlers.moving.moves.usecases import MoveUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from handlers.shared.settings import ServiceSettings
from tests.handlers.conftest import Subscriber, bus_to_queue
from tests.handlers.moving.conftest import Clock, RecordingEvents, service_settings

SOURCE = "moving.moves"
SERVICE = next(s for s in SYSTEM.services if s.name == "moves")


def in_days(days: int) -> str:
    """A move date relative to today in UTC, as the API checks it."""
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def new_move(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "origin": {"address": "Calle Mayor 1", "city": "Madrid"},
        "destination": {"address": "Rua Augusta 2", "city": "Lisboa"},
        "move_date": in_days(30),
        "volume_m3": 12.5,
        "notes": "Piano on the second floor",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def settings() -> ServiceSettings:
    return service_settings("moves")


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


class StoredMoves:
    """Moves read straight from the database, to check what a request or an event left there."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, move_id: str) -> Move | None:
        with self.db.transaction() as tx:
            return move_store.get(tx, move_id)


@pytest.fixture
def store(db: Database) -> StoredMoves:
    return StoredMoves(db)


def app_on(db: Database, publisher: EventPublisher | None = None, **adapters: Any) -> Any:
    """The moves API on a database, a bus publisher and (optionally) a clock."""
    return router.app(MoveUseCases(db, publisher, **adapters))


@pytest.fixture
def app(db: Database, sent: RecordingEvents, clock: Clock) -> Any:
    return app_on(db, EventPublisher("moving", SOURCE, events_client=sent), clock=clock)


@pytest.fixture
def consumer(db: Database, clock: Clock) -> ProgressConsumer:
    return ProgressConsumer(MoveUseCases(db, clock=clock))


@pytest.fixture
def moto_bus(moto: None) -> Subscriber:
    """The moving bus in moto with a rule that routes the moves service's events to a queue, as a subscriber's."""
    pattern = {"source": [SOURCE], "detail-type": ["MoveRegistered", "MoveCompleted"]}
    return bus_to_queue("moving", "subscriber", "moves-events", pattern)


def today() -> date:
    return datetime.now(UTC).date()
