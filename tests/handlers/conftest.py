"""Database fixtures: every database test runs on SQLite and, when ``MARIADB_URL`` is set, on MariaDB. And AWS in
moto: :func:`fake_aws` (the ``moto`` fixture) and an EventBridge bus routing to a queue (:func:`bus_to_queue`).

``MARIADB_URL`` is an admin URL without a database, e.g. ``mysql://test:test@127.0.0.1:3306/``; each MariaDB
test gets a fresh, randomly named database that is dropped afterwards. Without it MariaDB cases skip, unless
``REQUIRE_MARIADB=1`` (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import boto3
import pytest
from moto import mock_aws

from handlers.shared import aws, correlation
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.sessions import RevokedSessions

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def no_correlation_id() -> Iterator[None]:
    """Each test starts outside any request: a correlation id set by an earlier test's invocation does not leak into
    the events this one makes."""
    correlation.use(None)
    yield
    correlation.use(None)


def require_mariadb(what: str = "MARIADB_URL not set") -> None:
    """Skip (or fail under ``REQUIRE_MARIADB=1``) because MariaDB, or a feature of it, is missing."""
    if os.environ.get("REQUIRE_MARIADB") == "1":
        pytest.fail(f"{what}, but REQUIRE_MARIADB=1")
    pytest.skip(what)


@dataclass(frozen=True)
class MariaDB:
    """The server under test: where it is and an admin connection to it."""

    url: str
    host: str
    port: int
    user: str
    password: str
    admin: Database

    def url_for(self, database: str) -> str:
        """The server URL pointing at ``database``, keeping its credentials and query."""
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDB]:
    url = os.environ.get("MARIADB_URL")
    if not url:
        require_mariadb()
    admin = Database.from_url(url)
    parts = urlsplit(url)
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    yield MariaDB(url, parts.hostname or "", parts.port or 3306, user, password, admin)
    admin.close()


def fresh_name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(5)}"


@pytest.fixture
def mariadb_database(mariadb: MariaDB) -> Iterator[Database]:
    """A new, empty MariaDB database, dropped after the test."""
    name = fresh_name("t")
    with mariadb.admin.transaction() as tx:
        tx.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    db = Database.from_url(mariadb.url_for(name))
    try:
        yield db
    finally:
        db.close()
        with mariadb.admin.transaction() as tx:
            tx.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on a SQLite file and on MariaDB."""
    if request.param == "mariadb":
        yield request.getfixturevalue("mariadb_database")
        return
    db = Database.from_url(f"sqlite:///{tmp_path}/test.db")
    yield db
    db.close()


def migrated_as_before(database: Database, migrations: Path, count: int, scratch: Path) -> None:
    """Apply the shared migrations and only the first ``count`` of ``migrations``: the schema as an earlier release
    deployed it, to test what a later migration does to the data it left."""
    before = scratch / "migrations-before"
    before.mkdir()
    for path in sorted(migrations.glob("*.sql"))[:count]:
        shutil.copy(path, before)
    apply_service_migrations(database, before)


def table_names(database: Database) -> set[str]:
    """The tables of the database, in lower case."""
    sql = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
        "mysql": "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
    }[database.dialect]
    with database.transaction() as tx:
        return {str(r["name"]).lower() for r in tx.query(sql)}


# --- AWS in moto -------------------------------------------------------------------------------------------------


def aws_environment(region: str = REGION) -> dict[str, str]:
    """Fake credentials and a region, as boto3 reads them from the environment."""
    return {"AWS_REGION": region, "AWS_DEFAULT_REGION": region, "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing"}  # fmt: skip


@contextmanager
def fake_aws(monkeypatch: pytest.MonkeyPatch, region: str = REGION) -> Iterator[None]:
    """moto, with the handlers' lazy boto3 clients reset so they are created inside the mock (not at a local
    ``AWS_ENDPOINT_URL``) and again after it."""
    for key, value in aws_environment(region).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    aws.client.cache_clear()
    try:
        with mock_aws():
            yield
    finally:
        aws.client.cache_clear()


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with fake_aws(monkeypatch):
        yield


@dataclass(frozen=True)
class Subscriber:
    """An SQS queue that a bus rule delivers to, as a subscribing service's queue."""

    sqs: Any
    queue_url: str

    def received(self) -> list[dict[str, Any]]:
        """The EventBridge envelopes waiting in the queue (left there)."""
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def bus_to_queue(bus: str, queue: str, rule: str, pattern: dict[str, Any]) -> Subscriber:
    """Create (inside moto) the bus and a queue with a rule routing the events that match ``pattern`` to it."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name=bus)
    queue_url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return Subscriber(sqs, queue_url)


def sessions_table(name: str = "shop-sessions") -> RevokedSessions:
    """The shop's sessions table in moto (inside ``fake_aws``), as the cloud and the local runtime make it."""
    dynamodb = boto3.client("dynamodb")
    if name not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    return RevokedSessions(name)
