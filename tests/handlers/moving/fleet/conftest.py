"""Fleet test fixtures: a migrated database on SQLite and MariaDB, a recording bus, and canonical events."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from handlers.moving.contracts import MoveCompleted, MoveRegistered, Place
from handlers.moving.fleet.store import MIGRATIONS
from handlers.moving.fleet.usecases import FleetUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from tests.handlers.moving.conftest import RecordingEvents

MOVES_SOURCE = "moving.moves"
EMPLOYEE = {"user_id": "u-emp", "email": "eve@example.com", "groups": "employees"}
CUSTOMER = {"user_id": "u-cus", "email": "ana@example.com", "groups": "customers"}


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def bus() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def publisher(bus: RecordingEvents) -> EventPublisher:
    return EventPublisher("moving", "moving.fleet", events_client=bus)


@pytest.fixture
def fleet(db: Database, publisher: EventPublisher) -> FleetUseCases:
    return FleetUseCases(db, publisher)


def another_connection(db: Database) -> Database:
    """A second Database object on the same database, for a transaction that runs in parallel with ``db``'s."""
    if db.dialect == "sqlite":
        return Database.sqlite(db._sqlite_path)
    return Database("mysql", mysql=db._mysql)


def move_registered(
    move_id: str | None = None,
    *,
    on: str = "2026-12-01",
    volume: float = 20.0,
    city: str = "Lyon",
    event_id: str | None = None,
) -> MoveRegistered:
    return MoveRegistered(
        event_id=event_id or str(uuid.uuid4()),
        move_id=move_id or str(uuid.uuid4()),
        customer_id="u-cus",
        customer_email="ana@example.com",
        move_date=date.fromisoformat(on),
        volume_m3=volume,
        origin=Place(address="1 rue de la République", city=city),
        destination=Place(address="2 quai Saint-Antoine", city="Paris"),
    )


def move_completed(move_id: str, truck_id: str) -> MoveCompleted:
    return MoveCompleted(move_id=move_id, truck_id=truck_id)


def as_sqs(*events: MoveRegistered | MoveCompleted) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """The (detail_type, source, detail) triples of ``events`` as the moves service publishes them."""
    return tuple((e.DETAIL_TYPE, MOVES_SOURCE, json.loads(e.model_dump_json())) for e in events)


def outbox(db: Database) -> list[tuple[str, dict[str, Any]]]:
    """Every event fleet wrote to its outbox, oldest first, as (detail_type, detail)."""
    with db.transaction() as tx:
        rows = tx.query("SELECT detail_type, detail FROM outbox ORDER BY created_at, event_id")
    return [(r["detail_type"], json.loads(r["detail"])) for r in rows]


def bookings(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as tx:
        return tx.query("SELECT truck_id, move_id, move_date, assigned_by FROM bookings ORDER BY move_date, move_id")
