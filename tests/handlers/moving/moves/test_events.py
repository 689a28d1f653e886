"""The ``progress`` consumer driven by canonical SQS batches of EventBridge events, on SQLite and MariaDB."""

from __future__ import annotations

import logging
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from handlers.moving.contracts import TruckAssigned
from handlers.moving.moves import events, logic
from handlers.moving.moves import store as move_store
from handlers.moving.moves.events import ProgressConsumer
from handlers.moving.moves.logic import NewMove, Status
from handlers.moving.moves.store import MIGRATIONS
from handlers.moving.moves.usecases import MoveUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.events import sqs_batch
from tests.handlers.moving.conftest import count
from tests.handlers.moving.moves.conftest import StoredMoves, new_move

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
FLEET, TRACKING = "moving.fleet", "moving.tracking"


def registered(stored: StoredMoves, move_id: str = "m1", status: Status = Status.REGISTERED) -> str:
    new = NewMove.model_validate(new_move())
    move = logic.register(new, move_id=move_id, customer_id="c-ana", customer_email="ana@example.com", now=NOW).move
    if status is not Status.REGISTERED:  # walk the machine to the wanted status
        booked = TruckAssigned(move_id=move_id, truck_id="t1", plate="t1-PLATE", assigned_by="manual")
        move = logic.on_truck_assigned(move, booked, NOW).move
        if status is Status.COMPLETED:
            move = logic.complete(move, NOW).move
    with stored.db.transaction() as tx:
        move_store.insert(tx, move)
    return move_id


def detail(move_id: str, event_id: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"event_id": event_id or str(uuid.uuid4()), "occurred_at": "2026-03-10T10:00:00Z", "move_id": move_id,
            **fields}  # fmt: skip


def truck_assigned(move_id: str = "m1", event_id: str | None = None, truck_id: str = "t1") -> tuple[str, str, Any]:
    fields = {"truck_id": truck_id, "plate": f"{truck_id}-PLATE", "assigned_by": "auto"}
    return ("TruckAssigned", FLEET, detail(move_id, event_id, **fields))


def unassignable(move_id: str = "m1", event_id: str | None = None) -> tuple[str, str, Any]:
    return ("MoveUnassignable", FLEET, detail(move_id, event_id, reason="no truck fits"))


def position(move_id: str = "m1", minute: int = 0, lat: float = 40.4, event_id: str | None = None) -> tuple:
    at = f"2026-03-10T11:{minute:02d}:00Z"
    return ("PositionRecorded", TRACKING, detail(move_id, event_id, lat=lat, lon=-3.7, recorded_at=at))


def failures(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def test_a_truck_assignment_books_the_truck(store, consumer):
    registered(store)
    assert consumer.process(sqs_batch(truck_assigned(truck_id="t7")), None) == {"batchItemFailures": []}
    move = store.get("m1")
    assert move is not None and move.status is Status.TRUCK_ASSIGNED and move.truck == logic.Truck("t7", "t7-PLATE")


def test_unassignable_then_assigned_by_hand(store, consumer):
    registered(store)
    consumer.process(sqs_batch(unassignable()), None)
    assert store.get("m1").status is Status.UNASSIGNABLE  # type: ignore[union-attr]
    consumer.process(sqs_batch(truck_assigned(truck_id="t2")), None)
    move = store.get("m1")
    assert move is not None and move.status is Status.TRUCK_ASSIGNED and move.truck is not None
    assert move.truck.id == "t2"


@pytest.mark.parametrize(
    ("status", "event", "message"),
    [
        (Status.COMPLETED, truck_assigned, "is COMPLETED; cannot assign a truck to it"),
        (Status.TRUCK_ASSIGNED, unassignable, "is TRUCK_ASSIGNED; cannot mark it unassignable"),
        (Status.COMPLETED, unassignable, "is COMPLETED; cannot mark it unassignable"),
    ],
)
def test_an_event_the_status_cannot_take_is_logged_ignored_and_claimed(store, consumer, db, caplog, status, event,
                                                                       message):  # fmt: skip
    registered(store, status=status)
    before = store.get("m1")
    record = event(event_id="late-1")
    with caplog.at_level(logging.WARNING, logger=events.__name__):
        assert consumer.process(sqs_batch(record), None) == {"batchItemFailures": []}
    assert store.get("m1") == before
    assert any(message in r.getMessage() and "late-1" in r.getMessage() for r in caplog.records)
    with db.transaction() as tx:
        assert tx.query("SELECT consumer FROM processed_events WHERE event_id = 'late-1'") == [
            {"consumer": "moves-progress"}
        ]


def test_the_latest_position_wins_whatever_the_arrival_order(store, consumer):
    registered(store, status=Status.TRUCK_ASSIGNED)
    batch = sqs_batch(position(minute=5, lat=40.5), position(minute=9, lat=40.9), position(minute=7, lat=40.7))
    assert consumer.process(batch, None) == {"batchItemFailures": []}
    move = store.get("m1")
    assert move is not None and move.position is not None
    assert (move.position.lat, move.position.recorded_at) == (40.9, datetime(2026, 3, 10, 11, 9, tzinfo=UTC))


def test_a_redelivered_event_has_no_second_effect(store, consumer, db, monkeypatch, caplog):
    registered(store)
    calls: list[str] = []
    apply = logic.apply_event

    def counting(move: Any, event: Any, now: Any) -> Any:
        calls.append(event.event_id)
        return apply(move, event, now)

    monkeypatch.setattr(logic, "apply_event", counting)
    first, again = position(minute=1, event_id="p1"), position(minute=1, event_id="p1")
    with caplog.at_level(logging.INFO, logger=events.__name__):
        assert consumer.process(sqs_batch(truck_assigned(event_id="a1"), first), None) == {"batchItemFailures": []}
        after_first = store.get("m1")
        batch = sqs_batch(truck_assigned(event_id="a1"), again)
        assert consumer.process(batch, None) == {"batchItemFailures": []}
    assert calls == ["a1", "p1"], "the rules ran once per event id"
    assert store.get("m1") == after_first
    assert sum("already handled" in r.getMessage() for r in caplog.records) == 2
    assert count(db, "processed_events") == 2


def test_an_unknown_move_fails_only_its_record_and_can_be_retried(store, consumer, db):
    registered(store)
    batch = sqs_batch(truck_assigned(move_id="ghost", event_id="g1"), position(minute=1))
    assert failures(consumer.process(batch, None)) == [batch["Records"][0]["messageId"]]
    assert store.get("m1").position is not None  # type: ignore[union-attr]
    with db.transaction() as tx:
        assert tx.query("SELECT event_id FROM processed_events WHERE event_id = 'g1'") == [], "the claim rolled back"
    registered(store, move_id="ghost")
    assert consumer.process(sqs_batch(truck_assigned(move_id="ghost", event_id="g1")), None) == {
        "batchItemFailures": []
    }
    assert store.get("ghost").status is Status.TRUCK_ASSIGNED  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "record",
    [
        ("TruckAssigned", FLEET, {"event_id": "x1", "move_id": "m1"}),  # lacks truck_id, plate, assigned_by
        ("PositionRecorded", TRACKING, detail("m1", lat=91, lon=0, recorded_at="2026-03-10T11:00:00Z")),
        ("MoveCompleted", "moving.moves", detail("m1", truck_id="t1")),  # not subscribed
        ("Surprise", "moving.fleet", {"event_id": "x2"}),
    ],
)
def test_a_record_that_cannot_be_handled_is_reported(store, consumer, record):
    registered(store)
    batch = sqs_batch(record, unassignable())
    assert failures(consumer.process(batch, None)) == [batch["Records"][0]["messageId"]]
    assert store.get("m1").status is Status.UNASSIGNABLE  # type: ignore[union-attr]


def test_an_unreachable_database_fails_the_whole_batch():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = Database.mysql("127.0.0.1", port, user="moves", password="secret", database="moves")
    batch = sqs_batch(truck_assigned(), position())
    # Powertools fails the invocation when every record failed, so SQS returns the whole batch to the queue.
    with pytest.raises(BatchProcessingError, match="All records failed"):
        ProgressConsumer(MoveUseCases(down)).process(batch, None)


def test_the_handler_wires_itself_from_the_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/moves.db"
    for key, value in {"SYSTEM_NAME": "moving", "SERVICE_NAME": "moves", "DATABASE_URL": url}.items():
        monkeypatch.setenv(key, value)
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    registered(StoredMoves(db))
    events.handler.reset()
    try:
        assert events.handler(sqs_batch(truck_assigned()), None) == {"batchItemFailures": []}
    finally:
        events.handler.reset()
    assert StoredMoves(db).get("m1").status is Status.TRUCK_ASSIGNED  # type: ignore[union-attr]
    db.close()
