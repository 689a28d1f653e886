"""What the moving services' tests share: callers, a clock, fake buses, events as the producers send them, calling an
app like API Gateway, and reading a service's tables."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers.shared.consumer import EventConsumer
from handlers.shared.db import Database
from handlers.shared.settings import ServiceSettings
from tests.events import http_request, sqs_batch

START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

CUSTOMER = {"user_id": "c-ana", "email": "ana@example.com", "groups": "customers"}
OTHER_CUSTOMER = {"user_id": "c-bob", "email": "bob@example.com", "groups": "customers"}
EMPLOYEE = {"user_id": "e-eve", "email": "eve@example.com", "groups": "employees"}

Event = tuple[str, str, dict[str, Any]]


def service_settings(name: str) -> ServiceSettings:
    """A moving service's settings, as the runtimes name it (its routers take the group rules from the
    declaration)."""
    return ServiceSettings.from_env({"SYSTEM_NAME": "moving", "SERVICE_NAME": name})


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

    def sent(self) -> list[tuple[str, dict[str, Any]]]:
        return [(e["DetailType"], json.loads(e["Detail"])) for e in self.entries]


class UnreachableBus:
    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        raise ConnectionError("bus unreachable")


@pytest.fixture
def sent() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def clock() -> Clock:
    return Clock()


# --- calling an app and a consumer -------------------------------------------------------------------------------

Call = Callable[..., tuple[int, Any]]


def call_app(app: Any, route_key: str, who: dict[str, str] | None, *, move_id: str | None = None,
             body: Any = None, query: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    """Send a canonical API Gateway event through the resolver; the status and the decoded body."""
    path = route_key.split(" ", 1)[1]
    params = None
    if move_id is not None:
        path, params = path.replace("{id}", move_id), {"id": move_id}
    event = http_request(route_key, path=path, body=body, query=query, path_parameters=params, lambda_context=who,
                         headers=headers)  # fmt: skip
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def call(app: Any) -> Call:
    """``call_app`` on the service's ``app`` fixture."""
    return lambda route_key, who, **kw: call_app(app, route_key, who, **kw)


def deliver(consumer: EventConsumer, *events: Event) -> dict[str, Any]:
    """Send events through the real batch handler, as one SQS batch; the batch response."""
    return consumer.process(sqs_batch(*events), None)


def run_together(threads: list[threading.Thread], databases: list[Database]) -> None:
    """Start the threads, wait for all of them, then close the connections they used."""
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.close()


# --- events as the producers send them -------------------------------------------------------------------------


def registered(move_id: str, customer_id: str = "c-ana", **changes: Any) -> Event:
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


def assigned(move_id: str, truck_id: str = "t-1", **changes: Any) -> Event:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T09:01:00Z", "move_id": move_id,
              "truck_id": truck_id, "plate": "ABC-123", "assigned_by": "auto"}  # fmt: skip
    return "TruckAssigned", "moving.fleet", {**detail, **changes}


def completed(move_id: str, truck_id: str = "t-1", **changes: Any) -> Event:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T12:00:00Z", "move_id": move_id,
              "truck_id": truck_id}  # fmt: skip
    return "MoveCompleted", "moving.moves", {**detail, **changes}


# --- reading a service's tables ----------------------------------------------------------------------------------


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
