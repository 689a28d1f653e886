"""The bookings subscription: canonical SQS batches of EventBridge events, on SQLite and MariaDB, including two
moves racing for the only fitting truck."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from handlers.moving.contracts import TruckAssigned
from handlers.moving.fleet.events import BookingsConsumer
from handlers.moving.fleet.logic import AssignmentConflict, NewTruck, Truck
from handlers.moving.fleet.usecases import FleetUseCases
from handlers.shared.db import Database
from handlers.shared.outbox import EventPublisher
from tests.events import sqs_batch
from tests.handlers.moving.conftest import RecordingEvents
from tests.handlers.moving.fleet.conftest import (
    another_connection,
    as_sqs,
    bookings,
    move_completed,
    move_registered,
    outbox,
)


@pytest.fixture
def deliver(fleet):
    handler = BookingsConsumer(fleet).process

    def deliver(*events: Any) -> dict[str, Any]:
        return handler(sqs_batch(*as_sqs(*events)), None)

    return deliver


def add_truck(fleet: FleetUseCases, plate: str, capacity: float, city: str = "Lyon", active: bool = True) -> Truck:
    return fleet.register_truck(NewTruck(plate=plate, capacity_m3=capacity, home_city=city, active=active))


def projection(db: Database, move_id: str) -> dict[str, Any] | None:
    with db.transaction() as tx:
        return tx.query_one("SELECT status, truck_id, assigned_by FROM moves WHERE move_id = :id", {"id": move_id})


def events_of(db: Database, move_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [(t, d) for t, d in outbox(db) if d["move_id"] == move_id]


def test_a_registered_move_gets_the_best_truck_and_truck_assigned_goes_out(fleet, db, bus, deliver):
    add_truck(fleet, "PARIS-25", 25, "Paris")
    add_truck(fleet, "LYON-90", 90)
    best = add_truck(fleet, "LYON-30", 30)
    assert deliver(move_registered("m1", volume=20, city="Lyon")) == {"batchItemFailures": []}
    assert bookings(db) == [{"truck_id": best.id, "move_id": "m1", "move_date": "2026-12-01", "assigned_by": "auto"}]
    [(detail_type, detail)] = events_of(db, "m1")
    assert detail_type == "TruckAssigned"
    assert (detail["truck_id"], detail["plate"], detail["assigned_by"]) == (best.id, "LYON-30", "auto")
    assert projection(db, "m1") == {"status": "assigned", "truck_id": best.id, "assigned_by": "auto"}
    assert bus.sent() == [("TruckAssigned", detail)], "relayed after the commit"


def test_when_no_truck_fits_move_unassignable_goes_out(fleet, db, bus, deliver):
    add_truck(fleet, "SMALL-1", 30)
    add_truck(fleet, "OFF-1", 90, active=False)
    deliver(move_registered("m1", on="2026-12-01", volume=42))
    assert bookings(db) == []
    [(detail_type, detail)] = events_of(db, "m1")
    assert detail_type == "MoveUnassignable"
    assert detail["reason"] == "no active truck with capacity ≥ 42.0 m³ free on 2026-12-01"
    assert projection(db, "m1")["status"] == "unassignable"
    assert [t for t, _ in bus.sent()] == ["MoveUnassignable"]


def test_a_truck_booked_that_day_is_not_picked_again(fleet, db, deliver):
    add_truck(fleet, "ONLY-1", 50)
    deliver(move_registered("m1", on="2026-12-01"), move_registered("m2", on="2026-12-01"),
            move_registered("m3", on="2026-12-02"))  # fmt: skip
    assert [t for t, _ in events_of(db, "m1")] == ["TruckAssigned"]
    assert [t for t, _ in events_of(db, "m2")] == ["MoveUnassignable"]
    assert [t for t, _ in events_of(db, "m3")] == ["TruckAssigned"], "another day, the same truck"


def test_a_duplicate_delivery_books_once(fleet, db, bus, deliver):
    add_truck(fleet, "ONLY-1", 50)
    event = move_registered("m1")
    deliver(event)
    deliver(event)
    deliver(event, event)
    assert len(bookings(db)) == 1
    assert [t for t, _ in events_of(db, "m1")] == ["TruckAssigned"]
    assert len(bus.sent()) == 1


def test_the_same_move_registered_again_under_a_new_event_id_changes_nothing(fleet, db, deliver):
    add_truck(fleet, "ONE-1", 50)
    add_truck(fleet, "TWO-1", 50)
    deliver(move_registered("m1"))
    deliver(move_registered("m1"))
    assert len(bookings(db)) == 1 and len(events_of(db, "m1")) == 1


def test_move_completed_frees_the_truck_for_a_later_move_that_date(fleet, db, deliver):
    truck = add_truck(fleet, "ONLY-1", 50)
    deliver(move_registered("m1"))
    deliver(move_completed("m1", truck.id))
    assert bookings(db) == []
    assert projection(db, "m1") == {"status": "completed", "truck_id": truck.id, "assigned_by": "auto"}
    deliver(move_registered("m2"))
    assert [t for t, _ in events_of(db, "m2")] == ["TruckAssigned"]
    assert [b["move_id"] for b in bookings(db)] == ["m2"]


def test_a_redelivered_move_completed_is_harmless(fleet, db, deliver):
    truck = add_truck(fleet, "ONLY-1", 50)
    deliver(move_registered("m1"))
    completed = move_completed("m1", truck.id)
    deliver(completed)
    deliver(move_registered("m2"))
    deliver(completed)
    assert [b["move_id"] for b in bookings(db)] == ["m2"], "m2's booking survives m1's redelivery"


def test_move_completed_for_an_unknown_move_is_ignored(db, deliver):
    assert deliver(move_completed("never-seen", "t1")) == {"batchItemFailures": []}
    assert projection(db, "never-seen") is None


def test_a_malformed_event_is_returned_to_the_queue_alone(fleet, db):
    add_truck(fleet, "ONLY-1", 50)
    good = as_sqs(move_registered("m1"))[0]
    bad = ("MoveRegistered", "moving.moves", {"event_id": "e-bad", "move_id": "m2"})
    batch = sqs_batch(good, bad)
    response = BookingsConsumer(fleet).process(batch, None)
    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert [b["move_id"] for b in bookings(db)] == ["m1"]


def test_other_events_are_ignored(deliver, db):
    response = BookingsConsumer(FleetUseCases(db)).process(
        sqs_batch(("PositionRecorded", "moving.tracking", {"event_id": "x"})), None
    )
    assert response == {"batchItemFailures": []}


def test_events_wait_in_the_outbox_when_the_bus_is_down(db):
    class DownBus:
        def put_events(self, Entries):  # noqa: N803
            raise ConnectionError("bus unreachable")

    fleet = FleetUseCases(db, EventPublisher("moving", "moving.fleet", events_client=DownBus()))
    add_truck(fleet, "ONLY-1", 50)
    BookingsConsumer(fleet).process(sqs_batch(*as_sqs(move_registered("m1"))), None)
    assert [t for t, _ in events_of(db, "m1")] == ["TruckAssigned"], "written, not lost"
    with db.transaction() as tx:
        assert tx.query_one("SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL")["n"] == 1
    assert len(bookings(db)) == 1, "the booking stands; the relay schedule sends the event later"


# --- concurrency ----------------------------------------------------------------------------------------------


def race(db: Database, jobs: list[Any]) -> list[BaseException]:
    """Run each job from its own thread and connection, all released at once. A job is an event to deliver, or a
    function taking a :class:`FleetUseCases`."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Any) -> None:
        connection = another_connection(db)
        try:
            fleet = FleetUseCases(connection, EventPublisher("moving", "moving.fleet", RecordingEvents()))
            handler = BookingsConsumer(fleet).process
            barrier.wait(timeout=10)
            if callable(job):
                job(fleet)
            else:
                response = handler(sqs_batch(*as_sqs(job)), None)
                assert response == {"batchItemFailures": []}, response
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.parametrize("attempt", range(3))
def test_two_moves_racing_for_the_only_fitting_truck(fleet, db, attempt, caplog):
    only = add_truck(fleet, "ONLY-1", 40)
    add_truck(fleet, "SMALL-1", 10)
    errors = race(db, [move_registered("m1", volume=30), move_registered("m2", volume=30)])
    assert errors == []
    assert "deadlock" not in caplog.text, "the locking order avoids deadlocks; the retry is only a safety net"
    [booking] = bookings(db)
    assert booking["truck_id"] == only.id
    winner = booking["move_id"]
    loser = "m2" if winner == "m1" else "m1"
    assert [t for t, _ in events_of(db, winner)] == ["TruckAssigned"]
    [(detail_type, detail)] = events_of(db, loser)
    assert detail_type == "MoveUnassignable" and "30.0 m³" in detail["reason"]


def test_many_moves_racing_never_double_book(fleet, db, caplog):
    trucks = [add_truck(fleet, f"T-{n}", 50) for n in range(3)]
    errors = race(db, [move_registered(f"m{n}", volume=20) for n in range(6)])
    assert errors == [] and "deadlock" not in caplog.text
    booked = bookings(db)
    assert sorted(b["truck_id"] for b in booked) == sorted(t.id for t in trucks)
    kinds = [t for t, _ in outbox(db)]
    assert kinds.count("TruckAssigned") == 3 and kinds.count("MoveUnassignable") == 3


def test_a_manual_assignment_racing_an_automatic_one_for_the_only_truck(fleet, db):
    no_truck_yet = move_registered("m-hand", on="2026-12-01", volume=30)
    fleet.on_move_registered(BookingsConsumer.name, no_truck_yet)  # unassignable: there are no trucks
    only = add_truck(fleet, "ONLY-1", 40)
    outcomes: list[str] = []

    def by_hand(fleet: FleetUseCases) -> None:
        try:
            fleet.assign_manually("m-hand", only.id)
            outcomes.append("manual")
        except AssignmentConflict:
            outcomes.append("manual refused")

    errors = race(db, [by_hand, move_registered("m-auto", on="2026-12-01", volume=30)])
    assert errors == []
    [booking] = bookings(db)
    assert booking["truck_id"] == only.id
    if booking["move_id"] == "m-hand":
        assert outcomes == ["manual"] and [t for t, _ in events_of(db, "m-auto")] == ["MoveUnassignable"]
    else:
        assert outcomes == ["manual refused"] and [t for t, _ in events_of(db, "m-auto")] == ["TruckAssigned"]


def test_a_deadlock_victim_is_run_again(fleet, db, monkeypatch, caplog):
    import pymysql

    add_truck(fleet, "ONLY-1", 50)
    real = fleet.db.transaction
    victims: list[str] = []

    def first_one_deadlocks():
        if not victims:
            victims.append("first attempt")
            raise pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock")
        return real()

    monkeypatch.setattr(fleet.db, "transaction", first_one_deadlocks)
    assert isinstance(fleet.on_move_registered(BookingsConsumer.name, move_registered("m1")), TruckAssigned)
    assert "deadlock (attempt 1 of 3); running the transaction again" in caplog.text
    assert len(bookings(db)) == 1, "the rolled-back attempt, then the retry that booked"
