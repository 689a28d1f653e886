"""Fixtures of the notifications service: its migrated database, a moto SNS topic with an SQS subscriber to read what
customers were told, and the events only notifications consumes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from handlers.moving.notifications import store as notification_store
from handlers.moving.notifications.events import CustomerUpdatesConsumer
from handlers.moving.notifications.notifier import SnsNotifier
from handlers.moving.notifications.store import MIGRATIONS
from handlers.moving.notifications.usecases import NotificationUseCases, Notifier
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.handlers.moving.conftest import Clock, Event


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


class StoredNotifications:
    """What customers were told, read straight from the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def sent_for(self, move_id: str) -> list[dict[str, Any]]:
        with self.db.transaction() as tx:
            return notification_store.sent_for(tx, move_id)


@pytest.fixture
def store(db: Database) -> StoredNotifications:
    return StoredNotifications(db)


def consumer_on(db: Database, notifier: Notifier) -> CustomerUpdatesConsumer:
    """The subscription's consumer on a database and a notifier, with a test clock."""
    return CustomerUpdatesConsumer(NotificationUseCases(db, notifier, clock=Clock()))


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
def topic(moto: None) -> Topic:
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    arn = sns.create_topic(Name="moving-customer-notifications")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="customer-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
    return Topic(arn, sqs, queue_url)


@pytest.fixture
def consumer(db: Database, topic: Topic) -> CustomerUpdatesConsumer:
    return consumer_on(db, SnsNotifier(topic.arn))


def unassignable(move_id: str, **changes: Any) -> Event:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T09:01:00Z", "move_id": move_id,
              "reason": "no truck holds 40 m3 on 2026-12-01"}  # fmt: skip
    return "MoveUnassignable", "moving.fleet", {**detail, **changes}


def new_move() -> str:
    return str(uuid.uuid4())


def attributes(envelope: dict[str, Any]) -> dict[str, str]:
    return {name: value["Value"] for name, value in envelope.get("MessageAttributes", {}).items()}
