"""The moves domain alone: the status machine (every status × every action), validation, events, views, pages."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from handlers.moving.contracts import (
    MoveCompleted,
    MoveRegistered,
    MoveUnassignable,
    Place,
    PositionRecorded,
    TruckAssigned,
    event_move_id,
)
from handlers.moving.moves import logic
from handlers.moving.moves.logic import Action, Change, ListQuery, Move, NewMove, Status, TransitionRefused
from handlers.shared.clock import timestamp_us
from handlers.shared.paging import Cursor, InvalidCursor, OwnerScope

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
TODAY = NOW.date()

ALLOWED = {
    (Status.REGISTERED, Action.ASSIGN_TRUCK): Status.TRUCK_ASSIGNED,
    (Status.REGISTERED, Action.MARK_UNASSIGNABLE): Status.UNASSIGNABLE,
    (Status.UNASSIGNABLE, Action.ASSIGN_TRUCK): Status.TRUCK_ASSIGNED,
    (Status.TRUCK_ASSIGNED, Action.ASSIGN_TRUCK): Status.TRUCK_ASSIGNED,
    (Status.TRUCK_ASSIGNED, Action.COMPLETE): Status.COMPLETED,
}


def a_move(status: Status = Status.REGISTERED, **changes) -> Move:
    move = Move(
        id="m1",
        customer_id="c-ana",
        customer_email="ana@example.com",
        status=status,
        origin=Place(address="Calle Mayor 1", city="Madrid"),
        destination=Place(address="Rua Augusta 2", city="Lisboa"),
        move_date=date(2026, 4, 1),
        volume_m3=12.5,
        notes=None,
        created_at=NOW,
        updated_at=NOW,
        truck=logic.Truck("t1", "1234-ABC") if status in (Status.TRUCK_ASSIGNED, Status.COMPLETED) else None,
    )
    return replace(move, **changes)


def body(**changes) -> dict:
    data = {
        "origin": {"address": "Calle Mayor 1", "city": "Madrid"},
        "destination": {"address": "Rua Augusta 2", "city": "Lisboa"},
        "move_date": "2026-04-01",
        "volume_m3": 12.5,
    }
    data.update(changes)
    return data


# --- the status machine ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_status_and_action(status: Status, action: Action):
    if (status, action) in ALLOWED:
        assert logic.MACHINE.next("m1", status, action) is ALLOWED[(status, action)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            logic.MACHINE.next("m1", status, action)
        assert str(refused.value) == f"move m1 is {status.value}; cannot {action.value}"
        assert (refused.value.status, refused.value.action) == (status, action)


def test_the_table_is_exactly_the_documented_machine():
    assert logic.MACHINE.transitions == ALLOWED


def test_a_refusal_reads_as_a_sentence():
    with pytest.raises(TransitionRefused, match=r"^move m1 is COMPLETED; cannot complete it$"):
        logic.MACHINE.next("m1", Status.COMPLETED, Action.COMPLETE)


# --- registering ------------------------------------------------------------------------------------------------


def test_a_valid_body_today_or_later():
    for day in (TODAY, TODAY + timedelta(days=400)):
        new = NewMove.model_validate(body(move_date=day.isoformat()), context={"today": TODAY})
        assert new.move_date == day and new.notes is None


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        NewMove.model_validate(data, context={"today": TODAY})
    return {".".join(map(str, e["loc"])): e["msg"] for e in error.value.errors()}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"move_date": (TODAY - timedelta(days=1)).isoformat()}, "move_date"),
        ({"move_date": "next tuesday"}, "move_date"),
        ({"volume_m3": 0}, "volume_m3"),
        ({"volume_m3": -1}, "volume_m3"),
        ({"volume_m3": 100.01}, "volume_m3"),
        ({"volume_m3": 101}, "volume_m3"),
        ({"volume_m3": "lots"}, "volume_m3"),
        ({"origin": {"address": "Calle Mayor 1"}}, "origin.city"),
        ({"destination": {"address": "", "city": "Lisboa"}}, "destination.address"),
        ({"notes": "x" * 1001}, "notes"),
        ({"status": "COMPLETED"}, "status"),
    ],
)
def test_each_bad_field_is_named(changes: dict, field: str):
    assert set(errors_of(body(**changes))) == {field}


def test_a_past_date_says_why():
    message = errors_of(body(move_date="2026-03-09"))["move_date"]
    assert message == "Value error, must be today or later (today is 2026-03-10)"


def test_missing_fields_are_each_named():
    assert set(errors_of({})) == {"origin", "destination", "move_date", "volume_m3"}


def test_limits_are_inclusive_where_documented():
    new = NewMove.model_validate(body(volume_m3=100, notes="x" * 1000), context={"today": TODAY})
    assert new.volume_m3 == 100 and len(new.notes or "") == 1000


def test_registering_makes_a_registered_move_and_its_event():
    new = NewMove.model_validate(body(notes="fragile"), context={"today": TODAY})
    change = logic.register(new, move_id="m1", customer_id="c-ana", customer_email="ana@example.com", now=NOW)
    assert change.move.status is Status.REGISTERED and change.move.truck is None and change.move.position is None
    [event] = change.events
    assert isinstance(event, MoveRegistered)
    assert event.model_dump(exclude={"event_id", "metadata"}) == {
        "occurred_at": NOW,
        "move_id": "m1",
        "customer_id": "c-ana",
        "customer_email": "ana@example.com",
        "move_date": date(2026, 4, 1),
        "volume_m3": 12.5,
        "origin": {"address": "Calle Mayor 1", "city": "Madrid"},
        "destination": {"address": "Rua Augusta 2", "city": "Lisboa"},
    }


# --- completing ---------------------------------------------------------------------------------------------------


def test_completing_an_assigned_move_frees_its_truck():
    change = logic.complete(a_move(Status.TRUCK_ASSIGNED), NOW + timedelta(hours=1))
    assert change.move.status is Status.COMPLETED and change.move.updated_at == NOW + timedelta(hours=1)
    [event] = change.events
    assert isinstance(event, MoveCompleted) and (event.move_id, event.truck_id) == ("m1", "t1")


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.UNASSIGNABLE, Status.COMPLETED])
def test_only_an_assigned_move_can_be_completed(status: Status):
    with pytest.raises(TransitionRefused, match=f"move m1 is {status.value}; cannot complete it"):
        logic.complete(a_move(status), NOW)


# --- events -------------------------------------------------------------------------------------------------------


def assigned(truck_id: str = "t9", plate: str = "9999-XYZ") -> TruckAssigned:
    return TruckAssigned(move_id="m1", truck_id=truck_id, plate=plate, assigned_by="auto")


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.UNASSIGNABLE])
def test_a_truck_assignment_books_the_truck(status: Status):
    change = logic.apply_event(a_move(status), assigned(), NOW)
    assert change.changed and change.events == ()
    assert change.move.status is Status.TRUCK_ASSIGNED and change.move.truck == logic.Truck("t9", "9999-XYZ")


def test_a_late_truck_assignment_is_ignored():
    move = a_move(Status.COMPLETED)
    change = logic.apply_event(move, assigned(), NOW)
    assert not change.changed and change.move is move
    assert change.ignored == "move m1 is COMPLETED; cannot assign a truck to it"


def test_a_reassignment_takes_the_new_truck():
    move = logic.apply_event(a_move(Status.REGISTERED), assigned("t1", "AAA-111"), NOW).move
    change = logic.apply_event(move, assigned("t2", "BBB-222"), NOW)
    assert change.move.status is Status.TRUCK_ASSIGNED and change.move.truck == logic.Truck("t2", "BBB-222")


def test_unassignable_only_from_registered():
    event = MoveUnassignable(move_id="m1", reason="no truck fits 90 m3")
    assert logic.apply_event(a_move(), event, NOW).move.status is Status.UNASSIGNABLE
    for status in (Status.UNASSIGNABLE, Status.TRUCK_ASSIGNED, Status.COMPLETED):
        change = logic.apply_event(a_move(status), event, NOW)
        assert not change.changed and change.move.status is status


def position(minute: int, lat: float = 40.4, tz: timezone = UTC) -> PositionRecorded:
    return PositionRecorded(move_id="m1", lat=lat, lon=-3.7, recorded_at=datetime(2026, 3, 10, 10, minute, tzinfo=tz))


def test_the_latest_position_is_kept_and_older_ones_ignored():
    first = logic.apply_event(a_move(Status.TRUCK_ASSIGNED), position(5, lat=40.0), NOW)
    assert first.changed and first.move.position == logic.Position(40.0, -3.7, datetime(2026, 3, 10, 10, 5, tzinfo=UTC))
    newer = logic.apply_event(first.move, position(6, lat=41.0), NOW)
    assert newer.changed and newer.move.position is not None and newer.move.position.lat == 41.0
    for stale in (position(4, lat=1.0), position(6, lat=2.0)):  # older, or the same moment again
        change = logic.apply_event(newer.move, stale, NOW)
        assert not change.changed and change.move.position == newer.move.position


def test_positions_compare_in_utc_whatever_their_offset():
    at_ten_utc = logic.apply_event(a_move(), position(0), NOW).move
    earlier_in_madrid = position(30, tz=timezone(timedelta(hours=1)))  # 09:30 UTC
    assert not logic.apply_event(at_ten_utc, earlier_in_madrid, NOW).changed


def test_an_event_this_service_does_not_consume_is_a_type_error():
    with pytest.raises(TypeError):
        logic.apply_event(a_move(), MoveCompleted(move_id="m1", truck_id="t1"), NOW)


def test_the_move_an_event_is_about():
    assert event_move_id(assigned()) == "m1"


# --- visibility, views, pages ---------------------------------------------------------------------------------


def test_customers_see_their_own_moves_and_employees_see_all():
    move = a_move()
    assert logic.can_see(move, "c-ana", frozenset({"customers"}))
    assert not logic.can_see(move, "c-bob", frozenset({"customers"}))
    assert logic.can_see(move, "e-eve", frozenset({"employees"}))
    assert not logic.can_see(move, "c-bob", frozenset())


def test_the_view_of_a_tracked_move():
    move = a_move(Status.TRUCK_ASSIGNED, position=logic.Position(40.4, -3.7, datetime(2026, 3, 10, 10, 5, tzinfo=UTC)))
    assert logic.view(move) == {
        "id": "m1",
        "status": "TRUCK_ASSIGNED",
        "origin": {"address": "Calle Mayor 1", "city": "Madrid"},
        "destination": {"address": "Rua Augusta 2", "city": "Lisboa"},
        "move_date": "2026-04-01",
        "volume_m3": 12.5,
        "notes": None,
        "truck": {"id": "t1", "plate": "1234-ABC"},
        "tracking": {"last_position": {"lat": 40.4, "lon": -3.7}, "updated_at": "2026-03-10T10:05:00.000000+00:00"},
        "created_at": "2026-03-10T10:00:00.000000+00:00",
    }


def test_cursors_round_trip_and_reject_anything_else():
    cursor = Cursor("2026-03-10T10:00:00.000000+00:00", "m1")
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "not base64!", "bm90IGpzb24", "WzEsMl0", "WyJhIl0"):  # "", junk, "not json", [1,2], ["a"]
        with pytest.raises(InvalidCursor):
            Cursor.decode(bad)


def test_the_list_query():
    assert ListQuery.model_validate({}) == ListQuery(limit=20, cursor=None, status=None)
    query = ListQuery.model_validate({"limit": "5", "status": "COMPLETED", "cursor": Cursor("a", "b").encode()})
    assert (query.limit, query.status, query.after) == (5, Status.COMPLETED, Cursor("a", "b"))
    for bad, field in (({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"status": "LOST"}, "status")):
        with pytest.raises(ValidationError) as error:
            ListQuery.model_validate(bad)
        assert [e["loc"] for e in error.value.errors()] == [(field,)]
    with pytest.raises(InvalidCursor):
        ListQuery.model_validate({"cursor": "???"})


def test_employees_list_everything_and_customers_their_own():
    query = ListQuery(status=Status.REGISTERED)
    assert logic.listing_scope(query, "e-eve", frozenset({"employees"})) == OwnerScope(None, Status.REGISTERED)
    assert logic.listing_scope(query, "c-ana", frozenset({"customers"})) == OwnerScope("c-ana", Status.REGISTERED)


def test_a_page_says_whether_there_is_more():
    moves = [a_move(id=f"m{n}", created_at=NOW - timedelta(minutes=n)) for n in range(3)]
    full = logic.page(moves, 2)
    assert [m["id"] for m in full["items"]] == ["m0", "m1"]
    assert Cursor.decode(full["next_cursor"]) == Cursor(timestamp_us(moves[1].created_at), "m1")
    assert logic.page(moves[:2], 2)["next_cursor"] is None
    assert logic.page([], 2) == {"items": [], "next_cursor": None}


def test_a_change_without_a_reason_is_a_change():
    assert Change(a_move()).changed and not Change(a_move(), ignored="why").changed
