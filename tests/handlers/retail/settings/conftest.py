"""Fixtures of the settings service: the settings table in moto (keys pk/sk, TTL on expires_at, as the declaration
makes it), an app on it, callers with JWT claims as the store's gateway passes them, and a stepping clock."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from handlers.retail.settings.api import router
from handlers.retail.settings.store import SettingsServiceSettings, SettingsTable
from handlers.retail.settings.usecases import SettingsUseCases
from tests.events import http_request

TABLE = "retail-settings"
START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

ADMIN = {"sub": "u-admin", "email": "admin@example.com", "cognito:groups": "[admins]"}
SELLER = {"sub": "u-seller", "email": "seller@example.com", "cognito:groups": "[sellers]"}
WAREHOUSE = {"sub": "u-stock", "email": "stock@example.com", "cognito:groups": "[warehouse]"}
STRANGER = {"sub": "u-nobody", "email": "nobody@example.com", "cognito:groups": "[]"}

VALID = {"store_name": "Corner Shop", "currency": "EUR", "tax_rate": "0.18", "low_stock_threshold": 3}


def settings() -> SettingsServiceSettings:
    env = {"SYSTEM_NAME": "retail", "SERVICE_NAME": "settings", "TABLE_SETTINGS": TABLE}
    return SettingsServiceSettings.from_env(env)


class Clock:
    """Starts at a fixed moment and moves one second on each reading (or as set)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        moment, self.now = self.now, self.now + timedelta(seconds=1)
        return moment


def create_settings_table(name: str = TABLE) -> Any:
    """The table as ``architectures/retail.py`` declares it: pk/sk strings, TTL on ``expires_at``."""
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    return client


@pytest.fixture
def dynamodb(moto: None) -> Any:
    return create_settings_table()


@pytest.fixture
def table(dynamodb: Any) -> SettingsTable:
    return SettingsTable(TABLE)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(table: SettingsTable, clock: Clock) -> Any:
    return router.app(SettingsUseCases(table, clock=clock))


Call = Callable[..., tuple[int, Any]]


def call_app(app: Any, route_key: str, who: dict[str, str] | None = None, *, body: Any = None) -> tuple[int, Any]:
    """Send a canonical API Gateway event (JWT claims, or none); the status and decoded body."""
    event = http_request(route_key, path=route_key.split(" ", 1)[1], body=body, claims=who)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def call(app: Any) -> Call:
    return lambda route_key, who=None, **kw: call_app(app, route_key, who, **kw)


def raw_item(client: Any, pk: str, sk: str) -> dict[str, Any] | None:
    item = client.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True).get("Item")
    return None if item is None else dict(item)


@pytest.fixture
def unreachable_table() -> Iterator[SettingsTable]:
    """A table behind an endpoint nobody listens on (a closed local port), failing fast without retries."""
    from botocore.config import Config

    client = boto3.client(
        "dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:9", aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )  # fmt: skip
    yield SettingsTable(TABLE, client=client)
