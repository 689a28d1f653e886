"""Fixtures of the notifications service: its migrated database, a moto SNS topic with an SQS subscriber to read what
customers were told, and events as the producers send them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.moving.notifications.events import CustomerUpdatesConsumer, process
from handlers.moving.notifications.notifier import SnsNotifier
from handlers.moving.notifications.store import MIGRATIONS, NotificationStore
from handlers.shared import aws
from handlers.shared.db import Database
from handlers.shared.migrations import apply_service_migrations
from tests.events import sqs_batch

REGION = "us-east-1"
AWS_ENV = {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing"}  # fmt: skip

Event = tuple[str, str, dict[str, Any]]


class Clock:
    """Starts at a fixed moment and moves one second on each reading."""

    def __init__(self, start: datetime = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        moment, self.now = self.now, self.now + timedelta(seconds=1)
        return moment


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def store(db: Database) -> NotificationStore:
    return NotificationStore(db)


@dataclass
class Topic:
    """A moto SNS topic and an SQS queue subscribed to it, as an email/SMS subscription would be."""

    arn: str
    sqs: Any
    queue_url: str

    def messages(self) -> list[dict[str, Any]]:
        """What reached the subscriber since the last call: SNS envelopes (Subject, Message, MessageAttributes)."""
        found: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            batch = got.get("Messages", [])
            if not batch:
                return found
            for m in batch:
                found.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def topic(monkeypatch: pytest.MonkeyPatch) -> Iterator[Topic]:
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    aws.client.cache_clear()
    with mock_aws():
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        arn = sns.create_topic(Name="moving-customer-notifications")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="customer-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
        yield Topic(arn, sqs, queue_url)
    aws.client.cache_clear()


@pytest.fixture
def consumer(store: NotificationStore, topic: Topic) -> CustomerUpdatesConsumer:
    return CustomerUpdatesConsumer(store, SnsNotifier(topic.arn), clock=Clock())


def deliver(consumer: CustomerUpdatesConsumer, *events: Event) -> dict[str, Any]:
    """Send events through the real batch handler, as one SQS batch; the batch response."""
    return process(sqs_batch(*events), None, consumer)


def registered(move_id: str, **changes: Any) -> Event:
    detail = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-03-10T09:00:00Z",
        "move_id": move_id,
        "customer_id": "c-ana",
        "customer_email": "ana@example.com",
        "move_date": "2026-12-01",
        "volume_m3": 12.5,
        "origin": {"address": "Av. Arequipa 100", "city": "Lima"},
        "destination": {"address": "Calle Plateros 3", "city": "Cusco"},
    }
    return "MoveRegistered", "moving.moves", {**detail, **changes}


def assigned(move_id: str, **changes: Any) -> Event:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T09:01:00Z", "move_id": move_id,
              "truck_id": "t-1", "plate": "ABC-123", "assigned_by": "auto"}  # fmt: skip
    return "TruckAssigned", "moving.fleet", {**detail, **changes}


def unassignable(move_id: str, **changes: Any) -> Event:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T09:01:00Z", "move_id": move_id,
              "reason": "no truck holds 40 m3 on 2026-12-01"}  # fmt: skip
    return "MoveUnassignable", "moving.fleet", {**detail, **changes}


def completed(move_id: str, **changes: Any) -> Event:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-12-01T18:00:00Z", "move_id": move_id,
              "truck_id": "t-1"}  # fmt: skip
    return "MoveCompleted", "moving.moves", {**detail, **changes}


def new_move() -> str:
    return str(uuid.uuid4())


def attributes(envelope: dict[str, Any]) -> dict[str, str]:
    return {name: value["Value"] for name, value in envelope.get("MessageAttributes", {}).items()}


def count(db: Database, table: str) -> int:
    with db.transaction() as tx:
        row = tx.query_one(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 (test helper, fixed names)
    assert row is not None
    return int(row["n"])
