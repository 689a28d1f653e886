"""The outbox and the consumer side: events are never lost, routed by real EventBridge rules (moto), and a
redelivered event has no second effect."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from handlers.shared.consumer import ReceivedEvent, handle_batch
from handlers.shared.events import EventDetail, parse_detail
from handlers.shared.inbox import claim
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher, add_to_outbox, relay
from tests.events import sqs_batch
from tests.handlers.conftest import Subscriber, bus_to_queue

REGION = "us-east-1"


class ThingHappened(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "ThingHappened"
    thing_id: str


@pytest.fixture
def db(database):
    apply_service_migrations(database, None)
    return database


@pytest.fixture
def bus(moto: None) -> Subscriber:
    """A moto bus with a rule routing ThingHappened from demo.things to a queue, as the cloud wiring does."""
    return bus_to_queue("demo", "consumer", "things", {"source": ["demo.things"], "detail-type": ["ThingHappened"]})


def pending(db) -> list[dict[str, Any]]:
    with db.transaction() as tx:
        return tx.query("SELECT event_id, attempts FROM outbox WHERE published_at IS NULL")


def test_an_outbox_event_reaches_the_subscriber_queue_through_the_rule(db, bus):
    event = ThingHappened(thing_id="t1")
    with db.transaction() as tx:
        add_to_outbox(tx, event)
    assert relay(db, EventPublisher("demo", "demo.things")).published == 1
    [delivered] = bus.received()
    assert delivered["detail-type"] == "ThingHappened" and delivered["source"] == "demo.things"
    assert parse_detail(delivered["detail"], ThingHappened) == event
    assert pending(db) == []
    assert relay(db, EventPublisher("demo", "demo.things")).published == 0, "a published event is not sent again"


def test_a_rolled_back_change_leaves_no_event(db, bus):
    with pytest.raises(RuntimeError), db.transaction() as tx:
        add_to_outbox(tx, ThingHappened(thing_id="t1"))
        raise RuntimeError("the change failed")
    assert relay(db, EventPublisher("demo", "demo.things")).published == 0
    assert bus.received() == []


class UnreachableBus:
    def put_events(self, Entries):  # noqa: N803 (boto3's argument name)
        raise ConnectionError("bus unreachable")


def test_when_the_bus_is_down_the_event_waits_and_goes_out_later(db, bus):
    with db.transaction() as tx:
        add_to_outbox(tx, ThingHappened(thing_id="t1"))
    result = relay(db, EventPublisher("demo", "demo.things", events_client=UnreachableBus()))
    assert (result.published, result.failed) == (0, 1)
    assert [row["attempts"] for row in pending(db)] == [1]
    assert relay(db, EventPublisher("demo", "demo.things")).published == 1
    assert len(bus.received()) == 1 and pending(db) == []


def test_events_the_bus_refuses_stay_pending(db, bus):
    with db.transaction() as tx:
        add_to_outbox(tx, ThingHappened(thing_id="t1"))
    result = relay(db, EventPublisher("no-such-bus", "demo.things"))
    assert result.failed == 1 and len(pending(db)) == 1


def test_many_events_are_sent_in_batches_of_ten(db, bus):
    with db.transaction() as tx:
        for n in range(23):
            add_to_outbox(tx, ThingHappened(thing_id=f"t{n}"))
    assert relay(db, EventPublisher("demo", "demo.things")).published == 23
    assert pending(db) == []


def test_a_failing_record_alone_is_returned_to_the_queue():
    batch = sqs_batch(
        ("ThingHappened", "demo.things", {"event_id": "e1", "thing_id": "ok"}),
        ("ThingHappened", "demo.things", {"event_id": "e2", "thing_id": "bad"}),
    )
    seen: list[ReceivedEvent] = []

    def handle(event: ReceivedEvent) -> None:
        if event.detail["thing_id"] == "bad":
            raise ValueError("cannot handle this one")
        seen.append(event)

    response = handle_batch(batch, None, handle)
    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert [e.event_id for e in seen] == ["e1"]
    assert seen[0].detail_type == "ThingHappened" and seen[0].source == "demo.things"


def test_an_event_is_claimed_once_per_consumer(db):
    with db.transaction() as tx:
        assert claim(tx, "fleet", "e1") is True
        assert claim(tx, "fleet", "e1") is False
        assert claim(tx, "notifications", "e1") is True, "each consumer handles the event once"


def test_a_claim_rolls_back_with_a_failed_effect(db):
    with pytest.raises(RuntimeError), db.transaction() as tx:
        claim(tx, "fleet", "e1")
        raise RuntimeError("the effect failed")
    with db.transaction() as tx:
        assert claim(tx, "fleet", "e1") is True, "a failed attempt must not block the retry"


def test_the_relay_schedule_publishes_what_is_pending(tmp_path, bus, monkeypatch):
    from handlers.shared import outbox

    url = f"sqlite:///{tmp_path}/svc.db"
    for key, value in {"SYSTEM_NAME": "demo", "SERVICE_NAME": "things", "DATABASE_URL": url,
                       "EVENT_BUS_NAME": "demo", "EVENT_SOURCE": "demo.things"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    outbox._wiring_for.cache_clear()
    db, _ = outbox._wiring()
    apply_service_migrations(db, None)
    with db.transaction() as tx:
        add_to_outbox(tx, ThingHappened(thing_id="t1"))
    assert outbox.relay_handler({"schedule": "outbox-relay"}, None) == {"published": 1, "failed": 0}
    assert len(bus.received()) == 1
    outbox._wiring_for.cache_clear()


def test_the_relay_schedule_names_missing_settings(monkeypatch):
    from handlers.shared import outbox
    from handlers.shared.settings import SettingsError

    monkeypatch.setenv("SYSTEM_NAME", "demo")
    monkeypatch.setenv("SERVICE_NAME", "things")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    outbox._wiring_for.cache_clear()
    with pytest.raises(SettingsError, match="EVENT_BUS_NAME and EVENT_SOURCE are required"):
        outbox.relay_handler({}, None)
    outbox._wiring_for.cache_clear()
