"""Tracking's rules alone: the session of a move under events in any order, positions, and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from handlers.moving.contracts import MoveCompleted, MoveRegistered, MoveUnassignable, Place, TruckAssigned
from handlers.moving.tracking import logic
from handlers.moving.tracking.logic import NewPosition, Position, SessionStatus, Tracking

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def registered(move_id: str = "m-1", customer_id: str = "c-ana") -> MoveRegistered:
    return MoveRegistered(move_id=move_id, customer_id=customer_id, customer_email="ana@example.com",
                          move_date="2026-12-01", volume_m3=10, origin=Place(address="a", city="Lima"),
                          destination=Place(address="b", city="Cusco"))  # fmt: skip


def assigned(move_id: str = "m-1", truck_id: str = "t-1") -> TruckAssigned:
    return TruckAssigned(move_id=move_id, truck_id=truck_id, plate="ABC-123", assigned_by="auto")


def completed(move_id: str = "m-1", truck_id: str = "t-1") -> MoveCompleted:
    return MoveCompleted(move_id=move_id, truck_id=truck_id)


def run(*events, start: Tracking | None = None) -> Tracking | None:
    current = start
    for event in events:
        change = logic.apply_event(current, event, NOW)
        current = change.tracking
    return current


def test_registered_then_assigned_then_completed():
    waiting = run(registered())
    assert waiting == Tracking("m-1", SessionStatus.WAITING, NOW, customer_id="c-ana")
    opened = run(assigned(), start=waiting)
    assert opened is not None and opened.status is SessionStatus.OPEN and opened.truck_id == "t-1"
    assert opened.opened_at == NOW and opened.customer_id == "c-ana"
    closed = logic.apply_event(opened, completed(), LATER).tracking
    assert closed is not None and closed.status is SessionStatus.CLOSED and closed.closed_at == LATER
    assert closed.truck_id == "t-1" and closed.opened_at == NOW


def test_a_truck_assigned_before_its_move_registered_opens_the_session_and_the_owner_comes_later():
    opened = run(assigned())
    assert opened is not None and opened.status is SessionStatus.OPEN and opened.customer_id is None
    owned = run(registered(), start=opened)
    assert owned is not None and owned.status is SessionStatus.OPEN and owned.customer_id == "c-ana"


def test_a_closed_session_is_final_even_for_a_late_truck_assigned():
    closed = run(completed(truck_id="t-9"))
    assert closed is not None and closed.status is SessionStatus.CLOSED and closed.truck_id == "t-9"
    change = logic.apply_event(closed, assigned(), NOW)
    assert not change.changed and "already completed" in (change.ignored or "") and change.tracking == closed
    again = logic.apply_event(closed, completed(), NOW)
    assert not again.changed


def test_a_new_truck_on_an_open_session_replaces_the_old_one_and_the_same_truck_changes_nothing():
    opened = run(registered(), assigned(truck_id="t-1"))
    assert not logic.apply_event(opened, assigned(truck_id="t-1"), LATER).changed
    moved = logic.apply_event(opened, assigned(truck_id="t-2"), LATER).tracking
    assert moved is not None and moved.truck_id == "t-2" and moved.opened_at == NOW


def test_the_same_owner_again_changes_nothing():
    waiting = run(registered())
    assert not logic.apply_event(waiting, registered(), LATER).changed


def test_other_events_are_not_tracking_business():
    with pytest.raises(TypeError, match="MoveUnassignable"):
        logic.apply_event(None, MoveUnassignable(move_id="m-1", reason="too big"), NOW)


# --- positions ---------------------------------------------------------------------------------------------------


def new_position(**body) -> NewPosition:
    return NewPosition.model_validate({"lat": -12.05, "lon": -77.04, "recorded_at": NOW.isoformat(), **body},
                                      context={"now": NOW})  # fmt: skip


@pytest.mark.parametrize(("field", "value"), [("lat", 90.01), ("lat", -91), ("lon", 180.5), ("lon", -181)])
def test_coordinates_out_of_range_are_refused(field, value):
    with pytest.raises(ValidationError) as refused:
        new_position(**{field: value})
    assert refused.value.errors()[0]["loc"] == (field,)


def test_the_edges_of_the_ranges_are_accepted():
    assert new_position(lat=90, lon=-180).lat == 90
    assert new_position(lat=-90, lon=180).lon == 180


def test_recorded_at_may_be_up_to_five_minutes_ahead_but_not_more():
    assert new_position(recorded_at=(NOW + timedelta(minutes=5)).isoformat()).recorded_at == NOW + timedelta(minutes=5)
    with pytest.raises(ValidationError, match="not be more than 5 minutes in the future"):
        new_position(recorded_at=(NOW + timedelta(minutes=5, seconds=1)).isoformat())


def test_recorded_at_is_normalised_to_utc_and_a_naive_one_is_taken_as_utc():
    assert new_position(recorded_at="2026-03-10T05:00:00-05:00").recorded_at == NOW
    assert new_position(recorded_at="2026-03-10T10:00:00").recorded_at == NOW


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:19+00:01", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z"]
)
def test_a_recorded_at_out_of_the_systems_range_is_refused_not_a_crash(moment):
    with pytest.raises(ValidationError, match="must be between 2000-01-01 and 2099-12-31") as refused:
        new_position(recorded_at=moment)
    assert refused.value.errors()[0]["loc"] == ("recorded_at",)


def test_unknown_fields_and_non_dates_are_refused():
    with pytest.raises(ValidationError):
        new_position(speed=30)
    with pytest.raises(ValidationError):
        new_position(recorded_at="yesterday")


def test_a_position_is_accepted_only_on_an_open_session_with_the_reason_otherwise():
    opened = run(registered(), assigned())
    accepted = logic.accept_position(opened, "m-1", new_position(), LATER)
    assert accepted.truck_id == "t-1" and accepted.position == Position(-12.05, -77.04, NOW)
    assert (accepted.event.move_id, accepted.event.lat, accepted.event.lon) == ("m-1", -12.05, -77.04)
    assert accepted.event.recorded_at == NOW and accepted.event.occurred_at == LATER
    with pytest.raises(logic.MoveNotFound, match="^no move m-1$"):
        logic.accept_position(None, "m-1", new_position(), LATER)
    with pytest.raises(logic.SessionNotOpen, match="no truck is assigned"):
        logic.accept_position(run(registered()), "m-1", new_position(), LATER)
    closed = logic.apply_event(opened, completed(), LATER).tracking
    with pytest.raises(logic.SessionNotOpen, match="closed at 2026-03-10T11:00:00.000000\\+00:00 when the move"):
        logic.accept_position(closed, "m-1", new_position(), LATER)


# --- who sees what -------------------------------------------------------------------------------------------------


def test_the_owner_and_employees_see_a_session_and_anyone_else_gets_the_unknown_move_answer():
    opened = run(registered(), assigned())
    assert logic.visible(opened, "m-1", "c-ana", frozenset({"customers"})) == opened
    assert logic.visible(opened, "m-1", "e-eve", frozenset({"employees"})) == opened
    with pytest.raises(logic.MoveNotFound, match="^no move m-1$"):
        logic.visible(opened, "m-1", "c-bob", frozenset({"customers"}))
    with pytest.raises(logic.MoveNotFound, match="^no move m-1$"):
        logic.visible(None, "m-1", "e-eve", frozenset({"employees"}))


def test_a_session_whose_owner_is_not_known_yet_is_for_employees_only():
    opened = run(assigned())
    with pytest.raises(logic.MoveNotFound):
        logic.visible(opened, "m-1", "c-ana", frozenset({"customers"}))
    assert logic.visible(opened, "m-1", "e-eve", frozenset({"employees"})) == opened


def test_a_move_without_a_truck_has_no_session_yet():
    with pytest.raises(logic.NoSession, match="no tracking session yet: no truck is assigned"):
        logic.visible(run(registered()), "m-1", "c-ana", frozenset({"customers"}))


def test_the_view_orders_the_path_by_time_and_keeps_the_last_positions():
    opened = run(registered(), assigned())
    assert opened is not None
    path = [Position(float(i), 0.0, NOW + timedelta(seconds=i)) for i in range(logic.PATH_LIMIT + 3)][::-1]
    view = logic.tracking_view(opened, path)
    assert len(view["path"]) == logic.PATH_LIMIT and view["path"][0]["lat"] == 3.0
    assert view["last_position"] == view["path"][-1] == {
        "lat": float(logic.PATH_LIMIT + 2), "lon": 0.0,
        "recorded_at": (NOW + timedelta(seconds=logic.PATH_LIMIT + 2)).isoformat(timespec="microseconds"),
    }  # fmt: skip
    assert logic.tracking_view(opened, []) == {
        "move_id": "m-1", "truck_id": "t-1", "status": "OPEN", "last_position": None, "path": []
    }  # fmt: skip
