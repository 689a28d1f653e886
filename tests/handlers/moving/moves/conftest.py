"""Fixtures of the moves service: its migrated database, an app on injected adapters, callers and a clock."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from architectures.moving import SYSTEM
from architectures.wiring import route_groups
from handlers.moving.moves.api import build_app
from handlers.moving.moves.events import ProgressConsumer
from handlers.moving.moves.store import MIGRATIONS, MoveStore
from handlers.shared import aws
from handlers.shared.db import Database
from handlers.shared.events import EventPublisher
from handlers.shared.migrations import apply_service_migrations
from handlers.shared.settings import ServiceSettings
from tests.events import http_request

REGION = "us-east-1"
SOURCE = "moving.moves"
SERVICE = next(s for s in SYSTEM.services if s.name == "moves")

CUSTOMER = {"user_id": "c-ana", "email": "ana@example.com", "groups": "customers"}
OTHER_CUSTOMER = {"user_id": "c-bob", "email": "bob@example.com", "groups": "customers"}
EMPLOYEE = {"user_id": "e-eve", "email": "eve@example.com", "groups": "employees"}


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
    """The declared group rules of the moves routes, as the cloud and local runtimes pass them."""
    return ServiceSettings.from_env(
        {"SYSTEM_NAME": "moving", "SERVICE_NAME": "moves", "ROUTE_GROUPS": route_groups(SERVICE)}
    )


class Clock:
    """Starts at a fixed moment and moves one second on each reading (``step=0`` freezes it)."""

    def __init__(self, start: datetime = datetime(2026, 3, 10, 10, 0, tzinfo=UTC), step: int = 1) -> None:
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


class UnreachableBus:
    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        raise ConnectionError("bus unreachable")


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def store(db: Database) -> MoveStore:
    return MoveStore(db)


@pytest.fixture
def sent() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(store: MoveStore, sent: RecordingEvents, clock: Clock) -> Any:
    return build_app(settings(), store, EventPublisher("moving", SOURCE, events_client=sent), clock=clock)


@pytest.fixture
def consumer(store: MoveStore, clock: Clock) -> ProgressConsumer:
    return ProgressConsumer(store, clock=clock)


Call = Callable[..., tuple[int, Any]]


def call_app(app: Any, route_key: str, who: dict[str, str] | None, *, move_id: str | None = None,
             body: Any = None, query: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    """Send a canonical API Gateway event through the resolver; the status and the decoded body."""
    path = route_key.split(" ", 1)[1]
    params = None
    if move_id is not None:
        path, params = path.replace("{id}", move_id), {"id": move_id}
    event = http_request(route_key, path=path, body=body, query=query, path_parameters=params, lambda_context=who)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who, **kw: call_app(app, route_key, who, **kw)


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


@pytest.fixture
def moto_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The moving bus in moto with a rule that routes the moves service's events to a queue, as a subscriber's."""
    for key, value in {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    aws.client.cache_clear()
    with mock_aws():
        events, sqs = boto3.client("events"), boto3.client("sqs")
        events.create_event_bus(Name="moving")
        queue_url = sqs.create_queue(QueueName="subscriber")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        pattern = {"source": [SOURCE], "detail-type": ["MoveRegistered", "MoveCompleted"]}
        events.put_rule(Name="moves-events", EventBusName="moving", EventPattern=json.dumps(pattern))
        events.put_targets(Rule="moves-events", EventBusName="moving", Targets=[{"Id": "q", "Arn": arn}])

        def received() -> list[dict[str, Any]]:
            got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            return [json.loads(m["Body"]) for m in got.get("Messages", [])]

        yield {"received": received}
    aws.client.cache_clear()


def today() -> date:
    return datetime.now(UTC).date()
