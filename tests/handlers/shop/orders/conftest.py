"""Fixtures of the orders service: its migrated database with a catalog, an app and consumers on injected adapters,
order bodies, callers with JWT claims, and events as products sends them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from architectures.shop import SYSTEM
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from handlers.shared.settings import ServiceSettings
from handlers.shop.orders import store as order_store
from handlers.shop.orders.api import router
from handlers.shop.orders.catalog import CatalogConsumer
from handlers.shop.orders.events import StockResultsConsumer
from handlers.shop.orders.logic import CatalogEntry, Order
from handlers.shop.orders.store import MIGRATIONS
from handlers.shop.orders.usecases import OrderUseCases
from tests.events import http_request, sqs_batch

SOURCE = "shop.orders"
PRODUCTS = "shop.products"
SERVICE = next(s for s in SYSTEM.services if s.name == "orders")
START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

ANA = {"sub": "c-ana", "email": "ana@example.com", "cognito:groups": "[customers]"}
BOB = {"sub": "c-bob", "email": "bob@example.com", "cognito:groups": "[customers]"}
ADMIN = {"sub": "a-ada", "email": "ada@example.com", "cognito:groups": "[admins customers]"}

Event = tuple[str, str, dict[str, Any]]

PRODUCTS_IN_CATALOG = {
    "p-mug": ("MUG-1", "Mug", "12.50"),
    "p-tea": ("TEA-1", "Green tea", "3.33"),
    "p-pot": ("POT-1", "Teapot", "45.00"),
}


def settings() -> ServiceSettings:
    return ServiceSettings.from_env({"SYSTEM_NAME": "shop", "SERVICE_NAME": "orders"})


class Clock:
    """Starts at a fixed moment and moves one second on each reading."""

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

    def types(self) -> list[str]:
        return [e["DetailType"] for e in self.entries]

    def details(self) -> list[dict[str, Any]]:
        return [json.loads(e["Detail"]) for e in self.entries]


def new_order(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": [{"product_id": "p-mug", "quantity": 2}, {"product_id": "p-tea", "quantity": 3}],
        "payment": {"method": "card", "card_last4": "4242"},
        "shipping_address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def product_changed(product_id: str, sku: str, name: str, price: str, *, active: bool = True,
                    at: str = "2026-03-01T00:00:00Z", event_id: str | None = None) -> Event:  # fmt: skip
    detail = {"event_id": event_id or str(uuid.uuid4()), "occurred_at": at, "product_id": product_id, "sku": sku,
              "name": name, "category": "kitchen", "price": price, "active": active}  # fmt: skip
    return "ProductChanged", PRODUCTS, detail


def stock_event(detail_type: str, order_id: str, event_id: str | None = None, **fields: Any) -> Event:
    detail = {"event_id": event_id or str(uuid.uuid4()), "occurred_at": "2026-03-10T10:05:00Z", "order_id": order_id,
              **fields}  # fmt: skip
    return detail_type, PRODUCTS, detail


def reserved(order_id: str, event_id: str | None = None, items: list[dict[str, Any]] | None = None) -> Event:
    return stock_event("StockReserved", order_id, event_id, items=items or [{"product_id": "p-mug", "quantity": 2}])


def rejected(order_id: str, event_id: str | None = None, reason: str = "p-mug: only 1 left") -> Event:
    return stock_event("StockRejected", order_id, event_id, reason=reason)


def released(order_id: str, event_id: str | None = None) -> Event:
    return stock_event("StockReleased", order_id, event_id)


def twin(db: Database) -> Database:
    """Another connection to the same database (a Database holds one connection)."""
    return Database(db.dialect, sqlite_path=db._sqlite_path, mysql=db._mysql)


def call_app(
    app: Any,
    route_key: str,
    who: dict[str, str] | None,
    *,
    order_id: str | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Send a canonical API Gateway event through the resolver; the status and the decoded body."""
    path = route_key.split(" ", 1)[1]
    params = None
    if order_id is not None:
        path, params = path.replace("{id}", order_id), {"id": order_id}
    event = http_request(route_key, path=path, body=body, query=query, path_parameters=params, claims=who,
                         headers=headers)  # fmt: skip
    if who is None:
        event["requestContext"].pop("authorizer", None)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


Call = Callable[..., tuple[int, Any]]


def seed_catalog(db: Database) -> None:
    CatalogConsumer(OrderUseCases(db)).process(
        sqs_batch(*(product_changed(pid, *values) for pid, values in PRODUCTS_IN_CATALOG.items())), None
    )


class StoredOrders:
    """Orders and the catalog copy read straight from the database, to check what a request or an event left."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, order_id: str) -> Order | None:
        with self.db.transaction() as tx:
            return order_store.get(tx, order_id)

    def catalog(self, product_ids: list[str]) -> dict[str, CatalogEntry]:
        with self.db.transaction() as tx:
            return order_store.catalog(tx, product_ids)


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def store(db: Database) -> StoredOrders:
    """The orders database with the catalog copy seeded."""
    seed_catalog(db)
    return StoredOrders(db)


@pytest.fixture
def sent() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def publisher(sent: RecordingEvents) -> EventPublisher:
    return EventPublisher("shop", SOURCE, events_client=sent)


@pytest.fixture
def app(store: StoredOrders, publisher: EventPublisher, clock: Clock) -> Any:
    return router.app(OrderUseCases(store.db, publisher, clock=clock))


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who, **kw: call_app(app, route_key, who, **kw)


@pytest.fixture
def consumer(store: StoredOrders, publisher: EventPublisher, clock: Clock) -> StockResultsConsumer:
    return StockResultsConsumer(OrderUseCases(store.db, publisher, clock=clock))


def outbox(db: Database) -> list[dict[str, Any]]:
    """Every outbox row, oldest first, with its detail decoded."""
    with db.transaction() as tx:
        rows = tx.query("SELECT event_id, detail_type, detail, published_at FROM outbox ORDER BY created_at")
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def count(db: Database, table: str, where: str = "") -> int:
    with db.transaction() as tx:
        row = tx.query_one(f"SELECT COUNT(*) AS n FROM {table} {where}")  # noqa: S608 (test helper, fixed names)
    assert row is not None
    return int(row["n"])
