"""Fixtures of the tracking service: its migrated database, an app and a consumer on injected adapters, a clock."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from architectures.moving import SYSTEM
from architectures.wiring import route_groups
from handlers.moving.tracking.api import build_app
from handlers.moving.tracking.events import SessionsConsumer, process
from handlers.moving.tracking.store import MIGRATIONS, TrackingStore
from handlers.shared.db import Database
from handlers.shared.events import EventPublisher
from handlers.shared.migrations import apply_service_migrations
from handlers.shared.settings import ServiceSettings
from tests.events import http_request, sqs_batch

SOURCE = "moving.tracking"
SERVICE = next(s for s in SYSTEM.services if s.name == "tracking")
START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

CUSTOMER = {"user_id": "c-ana", "email": "ana@example.com", "groups": "customers"}
OTHER_CUSTOMER = {"user_id": "c-bob", "email": "bob@example.com", "groups": "customers"}
EMPLOYEE = {"user_id": "e-eve", "email": "eve@example.com", "groups": "employees"}


def settings() -> ServiceSettings:
    """The declared group rules of the tracking routes, as the cloud and local runtimes pass them."""
    return ServiceSettings(SYSTEM_NAME="moving", SERVICE_NAME="tracking", ROUTE_GROUPS=route_groups(SERVICE))


class Clock:
    """Starts at a fixed moment and moves one second on each reading (``step=0`` freezes it)."""

    def __init__(self, start: datetime = START, step: int = 1) -> None:
        self.now, self.step = start, timedelta(seconds=step)

    def __call__(self) -> datetime:
        moment, self.now = self.now, self.now + self.step
        return moment


@dataclass
class RecordingEvents:
    """An EventBridge client that accepts every entry and keeps it."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3's argument name)
        self.entries.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": f"eb-{i}"} for i, _ in enumerate(Entries)]}

    def details(self) -> list[dict[str, Any]]:
        return [json.loads(e["Detail"]) for e in self.entries]


class UnreachableBus:
    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        raise ConnectionError("bus unreachable")


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def store(db: Database) -> TrackingStore:
    return TrackingStore(db)


@pytest.fixture
def sent() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(store: TrackingStore, sent: RecordingEvents, clock: Clock) -> Any:
    return build_app(settings(), store, EventPublisher("moving", SOURCE, events_client=sent), clock=clock)


@pytest.fixture
def consumer(store: TrackingStore, clock: Clock) -> SessionsConsumer:
    return SessionsConsumer(store, clock=clock)


Call = Callable[..., tuple[int, Any]]


def call_app(
    app: Any, route_key: str, who: dict[str, str] | None, *, move_id: str, body: Any = None
) -> tuple[int, Any]:
    """Send a canonical API Gateway event through the resolver; the status and the decoded body."""
    path = route_key.split(" ", 1)[1].replace("{id}", move_id)
    event = http_request(route_key, path=path, body=body, path_parameters={"id": move_id}, lambda_context=who)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who, **kw: call_app(app, route_key, who, **kw)


# --- events as the producers send them -------------------------------------------------------------------------


def registered(move_id: str, customer_id: str = "c-ana", **changes: Any) -> tuple[str, str, dict[str, Any]]:
    detail = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-03-10T09:00:00Z",
        "move_id": move_id,
        "customer_id": customer_id,
        "customer_email": "ana@example.com",
        "move_date": "2026-12-01",
        "volume_m3": 12.5,
        "origin": {"address": "Av. Arequipa 100", "city": "Lima"},
        "destination": {"address": "Calle Plateros 3", "city": "Cusco"},
    }
    return "MoveRegistered", "moving.moves", {**detail, **changes}


def assigned(move_id: str, truck_id: str = "t-1", **changes: Any) -> tuple[str, str, dict[str, Any]]:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T09:01:00Z", "move_id": move_id,
              "truck_id": truck_id, "plate": "ABC-123", "assigned_by": "auto"}  # fmt: skip
    return "TruckAssigned", "moving.fleet", {**detail, **changes}


def completed(move_id: str, truck_id: str = "t-1", **changes: Any) -> tuple[str, str, dict[str, Any]]:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T12:00:00Z", "move_id": move_id,
              "truck_id": truck_id}  # fmt: skip
    return "MoveCompleted", "moving.moves", {**detail, **changes}


def deliver(consumer: SessionsConsumer, *events: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """Send events through the real batch handler, as one SQS batch; the batch response."""
    return process(sqs_batch(*events), None, consumer)


def position(recorded_at: datetime | str, lat: float = -12.05, lon: float = -77.04) -> dict[str, Any]:
    when = recorded_at if isinstance(recorded_at, str) else recorded_at.isoformat()
    return {"lat": lat, "lon": lon, "recorded_at": when}


def outbox(db: Database) -> list[dict[str, Any]]:
    """Every outbox row, oldest first, with its detail decoded."""
    with db.transaction() as tx:
        rows = tx.query("SELECT event_id, detail_type, detail, published_at FROM outbox ORDER BY created_at")
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def count(db: Database, table: str) -> int:
    with db.transaction() as tx:
        row = tx.query_one(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 (test helper, fixed names)
    assert row is not None
    return int(row["n"])
