"""The ``customer-updates`` subscription through the real batch handler, with canonical SQS batches, on SQLite and
MariaDB, publishing to moto's SNS; an SQS queue subscribed to the topic shows what customers were told."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from architectures.moving import SYSTEM
from architectures.wiring import service_environment
from handlers.moving.notifications import events
from handlers.moving.notifications.events import CustomerUpdatesConsumer
from handlers.moving.notifications.logic import Message
from handlers.moving.notifications.notifier import SnsNotifier
from handlers.moving.notifications.store import MIGRATIONS
from handlers.moving.notifications.usecases import NotificationSettings
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.settings import SettingsError
from tests.events import sqs_batch
from tests.handlers.moving.conftest import assigned, completed, count, deliver, registered, run_together
from tests.handlers.moving.notifications.conftest import Topic, attributes, consumer_on, new_move, unassignable


def test_a_registered_move_is_told_to_its_customer_with_filterable_attributes(consumer, store, topic):
    move_id = new_move()
    event = registered(move_id)
    assert deliver(consumer, event) == {"batchItemFailures": []}
    [envelope] = topic.messages()
    assert envelope["Subject"] == "Your move on 2026-12-01 is registered"
    assert envelope["Message"].startswith("Your move on 2026-12-01 from Lima to Cusco is registered.")
    assert attributes(envelope) == {"customer_email": "ana@example.com", "event_type": "MoveRegistered",
                                    "move_id": move_id, "notification_id": event[2]["event_id"],
                                    "correlation_id": event[2]["event_id"]}  # fmt: skip  # an event without metadata
    [row] = store.sent_for(move_id)
    assert row["status"] == "SENT" and row["sns_message_id"] == envelope["MessageId"] and row["attempts"] == 1
    assert (row["kind"], row["customer_email"], row["subject"]) == ("MoveRegistered", "ana@example.com",
                                                                    envelope["Subject"])  # fmt: skip
    assert row["sent_at"] is not None and row["last_error"] is None


def test_every_step_of_a_move_is_told_in_its_words(consumer, topic):
    move_id = new_move()
    steps = [registered(move_id), unassignable(move_id), assigned(move_id, assigned_by="manual"), completed(move_id)]
    for step in steps:
        assert deliver(consumer, step) == {"batchItemFailures": []}
    told = topic.messages()
    assert [attributes(m)["event_type"] for m in told] == [s[0] for s in steps]
    assert [m["Message"].split(".")[0] for m in told] == [
        "Your move on 2026-12-01 from Lima to Cusco is registered",
        "We could not find a truck for your move on 2026-12-01 from Lima to Cusco (no truck holds 40 m3 on 2026-12-01)",
        "Truck ABC-123 will do your move on 2026-12-01 from Lima to Cusco",
        "Your move on 2026-12-01 from Lima to Cusco is complete",
    ]


def test_the_same_event_delivered_again_is_sent_once(consumer, db, topic):
    move_id = new_move()
    first, truck = registered(move_id), assigned(move_id)
    assert deliver(consumer, first, truck, first, truck) == {"batchItemFailures": []}
    assert deliver(consumer, truck) == {"batchItemFailures": []}
    assert sorted(attributes(m)["event_type"] for m in topic.messages()) == ["MoveRegistered", "TruckAssigned"]
    assert count(db, "notifications") == 2 and count(db, "processed_events") == 2


def test_an_event_for_a_move_not_seen_yet_is_retried_until_its_registration_arrives(consumer, db, topic):
    move_id, other = new_move(), new_move()
    early = assigned(move_id)
    batch = sqs_batch(early, registered(other))
    response = consumer.process(batch, None)
    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    assert [attributes(m)["move_id"] for m in topic.messages()] == [other]
    assert count(db, "processed_events") == 1, "the failed event is not claimed, so its retry is handled"
    assert deliver(consumer, registered(move_id)) == {"batchItemFailures": []}
    assert deliver(consumer, early) == {"batchItemFailures": []}
    assert [attributes(m)["event_type"] for m in topic.messages()] == ["MoveRegistered", "TruckAssigned"]


class FailingFirst:
    """A notifier whose first ``failures`` publishes fail (SNS throttling, a network error), then publishes."""

    def __init__(self, inner: SnsNotifier, failures: int = 1) -> None:
        self.inner, self.failures, self.calls = inner, failures, 0

    def send(self, message: Message) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("sns unreachable")
        return self.inner.send(message)


def test_a_failed_publish_is_retried_with_the_same_content_and_sent_exactly_once(store, db, topic):
    move_id, other = new_move(), new_move()
    flaky = FailingFirst(SnsNotifier(topic.arn))
    consumer = consumer_on(db, flaky)
    event = registered(move_id)
    batch = sqs_batch(event, registered(other))
    response = consumer.process(batch, None)
    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    [pending] = store.sent_for(move_id)
    assert pending["status"] == "PENDING" and pending["attempts"] == 1
    assert pending["last_error"] == "ConnectionError: sns unreachable"
    assert [attributes(m)["move_id"] for m in topic.messages()] == [other]

    assert deliver(consumer, event) == {"batchItemFailures": []}, "the queue redelivers the failed record"
    assert deliver(consumer, event) == {"batchItemFailures": []}, "and once more, by at-least-once delivery"
    [envelope] = topic.messages()
    assert envelope["Subject"] == pending["subject"] and envelope["Message"] == pending["message"]
    [sent] = store.sent_for(move_id)
    assert sent["status"] == "SENT" and sent["attempts"] == 2 and sent["last_error"] is None
    assert sent["sns_message_id"] == envelope["MessageId"]


def test_when_sns_took_the_message_but_its_answer_is_lost_the_retry_repeats_it_with_the_same_id(db, topic):
    """The documented window: SNS accepted, the SENT mark did not happen. The customer may get a copy, never
    nothing, and the copy carries the same notification_id for receivers to drop."""
    move_id, other = new_move(), new_move()

    class LostAnswer(SnsNotifier):
        lost = False

        def send(self, message: Message) -> str:
            message_id = super().send(message)
            if message.move_id == move_id and not self.lost:
                LostAnswer.lost = True
                raise TimeoutError("read timeout after publish")
            return message_id

    consumer = consumer_on(db, LostAnswer(topic.arn))
    event = registered(move_id)
    assert len(consumer.process(sqs_batch(event, registered(other)), None)["batchItemFailures"]) == 1
    assert deliver(consumer, event) == {"batchItemFailures": []}
    mine = [m for m in topic.messages() if attributes(m)["move_id"] == move_id]
    assert len(mine) == 2 and len({attributes(m)["notification_id"] for m in mine}) == 1


def twin(db: Database) -> Database:
    """Another connection to the same database (a Database holds one connection)."""
    return Database(db.dialect, sqlite_path=db._sqlite_path, mysql=db._mysql)


def test_two_deliveries_of_one_event_at_the_same_time_send_it_once(consumer, db, topic):
    move_id = new_move()
    deliver(consumer, registered(move_id))
    topic.messages()
    event = assigned(move_id)
    sent: list[str] = []

    class SlowRecording:
        def send(self, message: Message) -> str:
            time.sleep(0.2)  # the other delivery arrives while this publish is in flight
            sent.append(message.event_id)
            return f"msg-{len(sent)}"

    databases = [twin(db) for _ in range(3)]
    consumers = [consumer_on(d, SlowRecording()) for d in databases]
    start, results = threading.Barrier(len(consumers)), []

    def run(c: CustomerUpdatesConsumer) -> None:
        start.wait()
        results.append(deliver(c, event))

    threads = [threading.Thread(target=run, args=(c,)) for c in consumers]
    run_together(threads, databases)
    assert sent == [event[2]["event_id"]]
    assert results == [{"batchItemFailures": []}] * len(consumers)


def test_a_fifo_topic_gets_the_deduplication_id_and_group():
    published: list[dict[str, Any]] = []

    class FakeSns:
        def publish(self, **request: Any) -> dict[str, Any]:
            published.append(request)
            return {"MessageId": "m-1"}

    message = Message("e-1", "mv-1", "ana@example.com", "MoveCompleted", "Subject", "Text")
    SnsNotifier("arn:aws:sns:us-east-1:123456789012:notify.fifo", FakeSns()).send(message)
    SnsNotifier("arn:aws:sns:us-east-1:123456789012:notify", FakeSns()).send(message)
    assert (published[0]["MessageDeduplicationId"], published[0]["MessageGroupId"]) == ("e-1", "mv-1")
    assert "MessageDeduplicationId" not in published[1]
    assert published[1]["MessageAttributes"]["event_type"] == {"DataType": "String", "StringValue": "MoveCompleted"}


def test_every_message_is_logged(consumer, topic, caplog):
    with caplog.at_level("INFO", logger="handlers.moving.notifications"):
        deliver(consumer, registered(new_move()))
    [line] = [r.getMessage() for r in caplog.records if r.name.endswith("notifier")]
    assert "a***@example.com" in line and "Your move on 2026-12-01 is registered" in line


# --- the function as deployed: wiring from the environment ----------------------------------------------------------


def environment(topic_arn: str, url: str) -> dict[str, str]:
    service = next(s for s in SYSTEM.services if s.name == "notifications")
    env = service_environment(SYSTEM, service, "test", lambda kind, name: topic_arn if kind == "topic" else "unused")
    env.pop("DB_SECRET_ARN")
    return {**{k: str(v) for k, v in env.items()}, "DATABASE_URL": url}


def test_the_deployed_function_tells_the_customer(topic: Topic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path}/notifications.db"
    for key, value in environment(topic.arn, url).items():
        monkeypatch.setenv(key, value)
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    events.handler.reset()
    try:
        assert events.handler(sqs_batch(registered(new_move())), None) == {"batchItemFailures": []}
        assert events.handler.consumer() is events.handler.consumer(), "the warm container reuses its wiring"
    finally:
        events.handler.reset()
        db.close()
    [envelope] = topic.messages()
    assert envelope["TopicArn"] == topic.arn and attributes(envelope)["event_type"] == "MoveRegistered"


def test_a_missing_topic_fails_at_cold_start_naming_the_variable():
    env = environment("", "sqlite:///:memory:")
    with pytest.raises(SettingsError, match="TOPIC_CUSTOMER_NOTIFICATIONS_ARN"):
        NotificationSettings.from_env(env)
    settings = NotificationSettings.from_env(environment("arn:aws:sns:x", "sqlite:///:memory:"))
    assert settings.topic_arn == "arn:aws:sns:x"
