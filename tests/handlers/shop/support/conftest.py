"""Fixtures of the support service: callers as the shop's JWT authorizer passes them, a clock, its migrated database,
an app on injected adapters, and calling it like API Gateway."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from architectures.shop import SYSTEM
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.settings import ServiceSettings
from handlers.shop.support import store
from handlers.shop.support.api import router
from handlers.shop.support.store import MIGRATIONS
from handlers.shop.support.usecases import SupportUseCases
from tests.events import http_request

SERVICE = next(s for s in SYSTEM.services if s.name == "support")
START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

# JWT claims as API Gateway's JWT authorizer passes them (``cognito:groups`` rendered like "[a b]").
ANA = {"sub": "c-ana", "email": "ana@example.com", "cognito:groups": "[customers]"}
BOB = {"sub": "c-bob", "email": "bob@example.com", "cognito:groups": "[customers]"}
EVE = {"sub": "a-eve", "email": "eve@example.com", "cognito:groups": "[agents]"}
MAX = {"sub": "a-max", "email": "max@example.com", "cognito:groups": "[admins agents]"}
ADMIN = {"sub": "ad-joe", "email": "joe@example.com", "cognito:groups": "[admins]"}


def settings() -> ServiceSettings:
    """The declared group rules of the service's routes, as the cloud and local runtimes pass them."""
    return ServiceSettings.from_env({"SYSTEM_NAME": "shop", "SERVICE_NAME": "support"})  # fmt: skip


class Clock:
    """Starts at a fixed moment and moves one second on each reading (``step=0`` freezes it)."""

    def __init__(self, start: datetime = START, step: int = 1) -> None:
        self.now, self.step = start, timedelta(seconds=step)

    def __call__(self) -> datetime:
        moment, self.now = self.now, self.now + self.step
        return moment


ANAS_ORDER = "7f9c2b1e-3d4a-4c5b-8e6f-0a1b2c3d4e5f"
"""An order placed by Ana, as support learnt it from OrderPlaced (the ``db`` fixture records it)."""


def new_ticket(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "My order arrived damaged",
        "description": "The mug was broken in the box.",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


Call = Callable[..., tuple[int, Any]]


def call_app(app: Any, route_key: str, who: dict[str, str] | None, *, ticket_id: str | None = None,
             body: Any = None, query: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    """Send a canonical API Gateway event through the resolver; the status and the decoded body."""
    path = route_key.split(" ", 1)[1]
    params = None
    if ticket_id is not None:
        path, params = path.replace("{id}", ticket_id), {"id": ticket_id}
    event = http_request(route_key, path=path, body=body, query=query, path_parameters=params, claims=who)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    with database.transaction() as tx:
        store.insert_order(tx, ANAS_ORDER, ANA["sub"], START)
    return database


@pytest.fixture
def app(db: Database, clock: Clock) -> Any:
    return router.app(SupportUseCases(db, clock=clock))


@pytest.fixture
def call(app: Any) -> Call:
    """``call_app`` on the ``app`` fixture."""
    return lambda route_key, who, **kw: call_app(app, route_key, who, **kw)


def count(db: Database, table: str) -> int:
    with db.transaction() as tx:
        row = tx.query_one(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 (test helper, fixed names)
    assert row is not None
    return int(row["n"])


def twin(db: Database) -> Database:
    """Another connection to the same database (a Database holds one connection)."""
    return Database(db.dialect, sqlite_path=db._sqlite_path, mysql=db._mysql)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
