"""The ``sessions`` subscription through the real batch handler with canonical SQS batches, and the default wiring
of both functions from the environment against moto's EventBridge."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from architectures.moving import SYSTEM
from architectures.wiring import service_environment
from handlers.moving.tracking import api, events
from handlers.moving.tracking.logic import SessionStatus
from handlers.moving.tracking.store import MIGRATIONS
from handlers.moving.tracking.usecases import TrackingUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.events import http_request, sqs_batch
from tests.handlers.conftest import bus_to_queue, fake_aws
from tests.handlers.moving.conftest import EMPLOYEE, assigned, completed, count, deliver, registered
from tests.handlers.moving.tracking.conftest import position


def test_registered_assigned_and_completed_drive_the_session(consumer, store):
    move_id = str(uuid.uuid4())
    assert deliver(consumer, registered(move_id, "c-ana")) == {"batchItemFailures": []}
    waiting = store.get(move_id)
    assert waiting is not None and waiting.status is SessionStatus.WAITING and waiting.customer_id == "c-ana"
    deliver(consumer, assigned(move_id, "t-7"))
    opened = store.get(move_id)
    assert opened is not None and opened.status is SessionStatus.OPEN and opened.truck_id == "t-7"
    assert opened.opened_at is not None
    deliver(consumer, completed(move_id, "t-7"))
    closed = store.get(move_id)
    assert closed is not None and closed.status is SessionStatus.CLOSED and closed.closed_at is not None
    assert closed.customer_id == "c-ana" and closed.opened_at == opened.opened_at


def test_events_in_any_order_end_in_the_same_session(consumer, store):
    move_id = str(uuid.uuid4())
    assert deliver(consumer, completed(move_id), assigned(move_id), registered(move_id)) == {"batchItemFailures": []}
    final = store.get(move_id)
    assert final is not None and final.status is SessionStatus.CLOSED and final.customer_id == "c-ana"
    assert final.truck_id == "t-1" and final.opened_at is None, "a late TruckAssigned does not reopen it"


def test_a_redelivered_event_has_no_second_effect(consumer, store, db):
    move_id = str(uuid.uuid4())
    first = assigned(move_id, "t-1")
    deliver(consumer, first)
    deliver(consumer, assigned(move_id, "t-2"))
    assert deliver(consumer, first, first) == {"batchItemFailures": []}
    tracking = store.get(move_id)
    assert tracking is not None and tracking.truck_id == "t-2", "the old assignment is not replayed"
    assert count(db, "processed_events") == 2


def test_a_malformed_or_foreign_record_fails_alone(consumer, store):
    move_id = str(uuid.uuid4())
    bad = assigned(move_id)
    del bad[2]["truck_id"]
    foreign = ("MoveUnassignable", "moving.fleet", {"event_id": str(uuid.uuid4()), "move_id": move_id, "reason": "x"})
    batch = sqs_batch(bad, registered(move_id), foreign)
    response = consumer.process(batch, None)
    failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    assert failed == {batch["Records"][0]["messageId"], batch["Records"][2]["messageId"]}
    tracking = store.get(move_id)
    assert tracking is not None and tracking.customer_id == "c-ana" and tracking.status is SessionStatus.WAITING


def test_a_failing_record_is_not_claimed_so_its_retry_applies(store, db):
    move_id, other = str(uuid.uuid4()), str(uuid.uuid4())
    event = assigned(move_id)

    class Flaky(TrackingUseCases):
        def follow(self, consumer: str, event: Any, move: str) -> Any:
            if move == move_id:
                raise ConnectionError("database went away")
            return super().follow(consumer, event, move)

    batch = sqs_batch(event, assigned(other))
    response = events.SessionsConsumer(Flaky(db)).process(batch, None)
    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    assert count(db, "processed_events") == 1
    assert deliver(events.SessionsConsumer(TrackingUseCases(db)), event) == {"batchItemFailures": []}
    tracking = store.get(move_id)
    assert tracking is not None and tracking.status is SessionStatus.OPEN


# --- the functions as deployed: wiring from the environment -------------------------------------------------------


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The tracking environment (as ``architectures/wiring.py`` writes it) on a SQLite file, with moto's moving bus
    routing PositionRecorded to a subscriber queue, as the cloud does for moves."""
    url = f"sqlite:///{tmp_path}/tracking.db"
    service = next(s for s in SYSTEM.services if s.name == "tracking")
    env = service_environment(SYSTEM, service, "test", lambda kind, name: "moving" if kind == "bus" else "unused")
    env.pop("DB_SECRET_ARN")
    env["DATABASE_URL"] = url
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    api.router.reset()
    events.handler.reset()
    with fake_aws(monkeypatch):
        pattern = {"source": [env["EVENT_SOURCE"]], "detail-type": ["PositionRecorded"]}
        subscriber = bus_to_queue("moving", "moves-progress", "progress", pattern)
        yield {"db": db, "received": subscriber.received}
    db.close()
    api.router.reset()
    events.handler.reset()


def test_the_deployed_functions_open_a_session_and_announce_a_position_on_the_bus(deployed):
    move_id = str(uuid.uuid4())
    batch = sqs_batch(registered(move_id), assigned(move_id))
    assert events.handler(batch, None) == {"batchItemFailures": []}
    path = f"/moves/{move_id}/positions"
    request = http_request("POST /moves/{id}/positions", path=path, path_parameters={"id": move_id},
                           body=position(datetime.now(UTC)), lambda_context=EMPLOYEE)  # fmt: skip
    response = api.handler(request, None)
    assert response["statusCode"] == 202, response
    [delivered] = deployed["received"]()
    assert delivered["source"] == "moving.tracking" and delivered["detail-type"] == "PositionRecorded"
    assert delivered["detail"]["move_id"] == move_id
    warm = api.router._warm
    assert warm is not None and api.handler(request, None) and api.router._warm is warm, "the warm app is reused"
