"""Truck selection and the manual-assignment rules, without a database."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from handlers.moving.fleet.logic import (
    Move,
    MoveStatus,
    NewTruck,
    Truck,
    manual_refusal,
    rank_candidates,
    select_truck,
    unassignable_reason,
)

DAY = date(2026, 12, 1)


def truck(plate: str, capacity: float, city: str = "Paris", active: bool = True) -> Truck:
    return Truck(id=f"id-{plate}", plate=plate, capacity_m3=capacity, home_city=city, active=active)


def move(volume: float = 20.0, city: str = "Lyon", status: MoveStatus = MoveStatus.REGISTERED) -> Move:
    return Move("m1", DAY, volume, city, status)


def test_a_truck_from_the_origin_city_wins_over_a_smaller_one_elsewhere():
    trucks = [truck("SMALL-PARIS", 25), truck("BIG-LYON", 60, "Lyon")]
    assert select_truck(move(), trucks, set()) == trucks[1]


def test_the_city_match_ignores_case_and_spaces():
    trucks = [truck("A-1", 25), truck("B-1", 60, " lyon ")]
    assert select_truck(move(city="LYON"), trucks, set()).plate == "B-1"


def test_among_equals_the_smallest_capacity_that_fits_wins():
    trucks = [truck("T-40", 40, "Lyon"), truck("T-21", 21, "Lyon"), truck("T-30", 30, "Lyon")]
    assert select_truck(move(20), trucks, set()).plate == "T-21"


def test_a_capacity_equal_to_the_volume_fits():
    assert select_truck(move(20), [truck("T-20", 20)], set()).plate == "T-20"


def test_ties_are_broken_by_plate():
    trucks = [truck("ZZ-1", 30, "Lyon"), truck("AA-1", 30, "Lyon"), truck("MM-1", 30, "Lyon")]
    assert [t.plate for t in rank_candidates(move(), trucks, set())] == ["AA-1", "MM-1", "ZZ-1"]


def test_the_full_ranking_is_city_then_capacity_then_plate():
    trucks = [truck("P-50", 50), truck("L-90", 90, "Lyon"), truck("P-25", 25), truck("L-30", 30, "Lyon")]
    assert [t.plate for t in rank_candidates(move(), trucks, set())] == ["L-30", "L-90", "P-25", "P-50"]


def test_inactive_trucks_are_skipped():
    trucks = [truck("OFF-1", 25, "Lyon", active=False), truck("ON-1", 80)]
    assert select_truck(move(), trucks, set()).plate == "ON-1"


def test_trucks_booked_that_day_are_skipped():
    trucks = [truck("BUSY-1", 25, "Lyon"), truck("FREE-1", 80)]
    assert select_truck(move(), trucks, {"id-BUSY-1"}).plate == "FREE-1"


def test_trucks_too_small_are_skipped():
    assert select_truck(move(42), [truck("T-40", 40, "Lyon"), truck("T-45", 45)], set()).plate == "T-45"


def test_none_fits():
    trucks = [truck("SMALL", 10), truck("OFF", 90, active=False), truck("BUSY", 90)]
    assert select_truck(move(42), trucks, {"id-BUSY"}) is None
    assert select_truck(move(42), [], set()) is None


def test_the_unassignable_reason_is_readable():
    assert unassignable_reason(move(42)) == "no active truck with capacity ≥ 42.0 m³ free on 2026-12-01"


@pytest.mark.parametrize(
    ("the_move", "the_truck", "busy_with", "expected"),
    [
        (move(status=MoveStatus.COMPLETED), truck("T-1", 30), None, "move m1 is completed"),
        (move(), truck("T-1", 30, active=False), None, "truck T-1 is inactive"),
        (move(42), truck("T-1", 30), None, "truck T-1 is too small: capacity 30.0 m³, move m1 needs 42.0 m³"),
        (move(), truck("T-1", 30), "m2", "truck T-1 is already booked on 2026-12-01 for move m2"),
    ],
)
def test_manual_refusals_name_the_problem(the_move, the_truck, busy_with, expected):
    assert expected in manual_refusal(the_move, the_truck, busy_with)


def test_manual_assignment_allowed_for_unassignable_moves_and_the_moves_own_booking():
    assert manual_refusal(move(status=MoveStatus.UNASSIGNABLE), truck("T-1", 30), None) is None
    assert manual_refusal(move(status=MoveStatus.ASSIGNED), truck("T-1", 30), "m1") is None


def test_plates_are_normalized_to_upper_case():
    assert NewTruck(plate="  ab-123-cd ", capacity_m3=20, home_city=" Lyon ").plate == "AB-123-CD"


@pytest.mark.parametrize("plate", ["A", "AB 123", "AB_123", "É-123", "A" * 16, ""])
def test_invalid_plates_are_refused(plate):
    with pytest.raises(ValidationError):
        NewTruck(plate=plate, capacity_m3=20, home_city="Lyon")


@pytest.mark.parametrize("capacity", [0, -1, 100.5])
def test_capacity_must_be_positive_and_at_most_100(capacity):
    with pytest.raises(ValidationError):
        NewTruck(plate="AB-1", capacity_m3=capacity, home_city="Lyon")
