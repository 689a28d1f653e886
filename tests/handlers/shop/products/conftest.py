"""Fixtures of the products service: its migrated database, an app and a consumer on injected adapters, callers with
JWT claims as the shop's gateway passes them, and saga events as the orders service sends them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from handlers.shop.products import store as product_store
from handlers.shop.products.api import router
from handlers.shop.products.events import StockConsumer
from handlers.shop.products.logic import Inventory, LineState, OrderStock, Product
from handlers.shop.products.store import MIGRATIONS
from handlers.shop.products.usecases import ProductUseCases
from tests.events import http_request, sqs_batch

SOURCE = "shop.products"
ORDERS = "shop.orders"
START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

ADMIN = {"sub": "u-admin", "email": "admin@example.com", "cognito:groups": "[admins]"}
CUSTOMER = {"sub": "u-ana", "email": "ana@example.com", "cognito:groups": "[customers]"}

Event = tuple[str, str, dict[str, Any]]


class Clock:
    """Starts at a fixed moment and moves one second on each reading."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        moment, self.now = self.now, self.now + timedelta(seconds=1)
        return moment


@dataclass
class RecordingEvents:
    """An EventBridge client that accepts every entry and keeps it."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3's argument name)
        self.entries.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": f"eb-{i}"} for i, _ in enumerate(Entries)]}

    def sent(self) -> list[tuple[str, dict[str, Any]]]:
        return [(e["DetailType"], json.loads(e["Detail"])) for e in self.entries]


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


class StoredProducts:
    """Products, stock and the saga's decisions read straight from the database, to check what a request or an
    event left there."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, product_id: str) -> Product | None:
        with self.db.transaction() as tx:
            return product_store.get(tx, product_id)

    def inventory(self, product_id: str) -> Inventory | None:
        with self.db.transaction() as tx:
            return product_store.inventory(tx, product_id)

    def order_state(self, order_id: str) -> OrderStock | None:
        with self.db.transaction() as tx:
            return product_store.order_state(tx, order_id)

    def reservations(self, order_id: str) -> list[tuple[str, int, LineState]]:
        """The order's lines (product id, quantity, state) in product order."""
        with self.db.transaction() as tx:
            return [(line.product_id, line.quantity, line.state) for line in product_store.lines(tx, order_id)]


@pytest.fixture
def store(db: Database) -> StoredProducts:
    return StoredProducts(db)


@pytest.fixture
def sent() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def publisher(sent: RecordingEvents) -> EventPublisher:
    return EventPublisher("shop", SOURCE, events_client=sent)


@pytest.fixture
def app(store: StoredProducts, publisher: EventPublisher) -> Any:
    return router.app(ProductUseCases(store.db, publisher, clock=Clock()))


@pytest.fixture
def consumer(store: StoredProducts, publisher: EventPublisher) -> StockConsumer:
    return StockConsumer(ProductUseCases(store.db, publisher, clock=Clock()))


Call = Callable[..., tuple[int, Any]]


def call_app(app: Any, route_key: str, who: dict[str, str] | None = None, *, product_id: str | None = None,
             body: Any = None, query: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    """Send a canonical API Gateway event (JWT claims, or none for a public route); the status and decoded body."""
    path = route_key.split(" ", 1)[1]
    params = None
    if product_id is not None:
        path, params = path.replace("{id}", product_id), {"id": product_id}
    event = http_request(route_key, path=path, body=body, query=query, path_parameters=params, claims=who)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who=None, **kw: call_app(app, route_key, who, **kw)


def new_product(call: Call, sku: str = "MUG-1", price: Any = "12.50", available: int | None = None,
                **fields: Any) -> dict[str, Any]:  # fmt: skip
    """Create a product as an admin (and set its stock); the created product."""
    body = {"sku": sku, "name": f"Product {sku}", "category": "kitchen", "price": price, **fields}
    status, product = call("POST /products", ADMIN, body=body)
    assert status == 201, product
    if available is not None:
        status, _ = call("PUT /products/{id}/inventory", ADMIN, product_id=product["id"], body={"quantity": available})
        assert status == 200
    return dict(product)


def deliver(consumer: StockConsumer, *events: Event) -> dict[str, Any]:
    """Send events through the real batch handler, as one SQS batch; the batch response."""
    return consumer.process(sqs_batch(*events), None)


def _detail(**fields: Any) -> dict[str, Any]:
    return {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T09:00:00Z", **fields}


def placed(order_id: str, *items: tuple[str, int], customer_id: str = "u-ana", **changes: Any) -> Event:
    lines = [{"product_id": p, "quantity": q} for p, q in items]
    return "OrderPlaced", ORDERS, {**_detail(order_id=order_id, customer_id=customer_id, items=lines), **changes}


def confirmed(order_id: str, **changes: Any) -> Event:
    return "OrderConfirmed", ORDERS, {**_detail(order_id=order_id), **changes}


def cancelled(order_id: str, **changes: Any) -> Event:
    return "OrderCancelled", ORDERS, {**_detail(order_id=order_id), **changes}


def outbox(db: Database) -> list[dict[str, Any]]:
    """Every outbox row, oldest first, with its detail decoded."""
    with db.transaction() as tx:
        rows = tx.query("SELECT event_id, detail_type, detail, published_at FROM outbox ORDER BY created_at, event_id")
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def outbox_of(db: Database, detail_type: str) -> list[dict[str, Any]]:
    return [r["detail"] for r in outbox(db) if r["detail_type"] == detail_type]


def stock(store: StoredProducts, product_id: str) -> tuple[int, int]:
    inventory = store.inventory(product_id)
    assert inventory is not None
    return inventory.available, inventory.reserved
