"""All SQL of the fleet service (schema in ``migrations/``): trucks, fleet's projection of moves, and bookings, on
the transaction the use case opened. The SQL is the portable subset the shared database layer runs on SQLite and
MySQL/MariaDB alike."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from handlers.moving.fleet.logic import AssignedBy, Move, MoveStatus, Truck
from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.records import columns_of, record_of, row_of

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_TRUCK_COLUMNS = columns_of(Truck)
_SELECT_TRUCK = f"SELECT {_TRUCK_COLUMNS} FROM trucks"  # noqa: S608 (constant column list)
_INSERT_TRUCK = insert_statement("trucks", f"{_TRUCK_COLUMNS}, created_at")
_SELECT_MOVE = "SELECT move_id, move_date, volume_m3, origin_city, status, truck_id FROM moves"
_INSERT_MOVE = insert_statement(
    "moves", "move_id, move_date, volume_m3, origin_city, status, truck_id, assigned_by, registered_at, updated_at"
)
_INSERT_BOOKING = insert_statement("bookings", "id, truck_id, move_id, move_date, assigned_by, booked_at")


# --- trucks -------------------------------------------------------------------------------------------------------


def insert_truck(tx: Transaction, truck: Truck, created_at: str) -> None:
    """Raises ``IntegrityConflict`` when the plate is taken."""
    tx.execute(_INSERT_TRUCK, row_of(truck, timestamp_us) | {"created_at": created_at})


def lock_truck(tx: Transaction, truck_id: str) -> Truck | None:
    """The truck, locked until the transaction ends; None for an unknown id."""
    row = tx.query_one(f"{_SELECT_TRUCK} WHERE id = :id", {"id": truck_id}, lock=True)
    return record_of(Truck, row) if row else None


def find_trucks(tx: Transaction, *, active: bool | None, after_plate: str | None, limit: int) -> list[Truck]:
    """Trucks in plate order, after ``after_plate`` (exclusive), at most ``limit``."""
    rows = tx.query(
        f"{_SELECT_TRUCK} WHERE (:active IS NULL OR active = :active) AND (:after IS NULL OR plate > :after) "
        "ORDER BY plate LIMIT :limit",
        {"active": None if active is None else int(active), "after": after_plate, "limit": limit},
    )
    return [record_of(Truck, r) for r in rows]


def lock_trucks_that_fit(tx: Transaction, volume_m3: float) -> list[Truck]:
    """The active trucks big enough for ``volume_m3``, locked until the transaction ends (on MySQL; SQLite's
    transaction already holds the write lock), always in id order, so concurrent selections take turns."""
    rows = tx.query(
        f"{_SELECT_TRUCK} WHERE active = 1 AND capacity_m3 >= :volume ORDER BY id", {"volume": volume_m3}, lock=True
    )
    return [record_of(Truck, r) for r in rows]


# --- the move projection ------------------------------------------------------------------------------------------


def lock_move(tx: Transaction, move_id: str) -> Move | None:
    """The move, locked until the transaction ends; None when fleet has not seen it."""
    row = tx.query_one(f"{_SELECT_MOVE} WHERE move_id = :id", {"id": move_id}, lock=True)
    return record_of(Move, row) if row else None


def insert_move(tx: Transaction, move: Move, at: str) -> None:
    """Raises ``IntegrityConflict`` when the move is known already."""
    tx.execute(
        _INSERT_MOVE,
        {
            "move_id": move.move_id,
            "move_date": move.move_date.isoformat(),
            "volume_m3": move.volume_m3,
            "origin_city": move.origin_city,
            "status": move.status.value,
            "truck_id": None,
            "assigned_by": None,
            "registered_at": at,
            "updated_at": at,
        },
    )


def mark_assigned(tx: Transaction, move_id: str, truck_id: str, by: AssignedBy, at: str) -> None:
    tx.execute(
        "UPDATE moves SET status = :status, truck_id = :truck_id, assigned_by = :by, updated_at = :at "
        "WHERE move_id = :move_id",
        {"status": MoveStatus.ASSIGNED.value, "truck_id": truck_id, "by": by.value, "at": at, "move_id": move_id},
    )


def set_status(tx: Transaction, move_id: str, status: MoveStatus, at: str) -> None:
    tx.execute(
        "UPDATE moves SET status = :status, updated_at = :at WHERE move_id = :move_id",
        {"status": status.value, "at": at, "move_id": move_id},
    )


# --- bookings -----------------------------------------------------------------------------------------------------


def booked_truck_ids(tx: Transaction, move_date: date) -> set[str]:
    """Trucks booked on ``move_date`` (a locking read, so it sees bookings committed while this one waited)."""
    rows = tx.query(
        "SELECT truck_id FROM bookings WHERE move_date = :move_date", {"move_date": move_date.isoformat()}, lock=True
    )
    return {r["truck_id"] for r in rows}


def move_booked_on(tx: Transaction, truck_id: str, move_date: date) -> str | None:
    """The move ``truck_id`` is booked for on ``move_date``, if any."""
    row = tx.query_one(
        "SELECT move_id FROM bookings WHERE truck_id = :truck_id AND move_date = :move_date",
        {"truck_id": truck_id, "move_date": move_date.isoformat()},
        lock=True,
    )
    return row["move_id"] if row else None


def insert_booking(tx: Transaction, booking_id: str, truck_id: str, move: Move, by: AssignedBy, at: str) -> None:
    """Raises ``IntegrityConflict`` when the truck is already booked that date (or the move already has one)."""
    tx.execute(
        _INSERT_BOOKING,
        {
            "id": booking_id,
            "truck_id": truck_id,
            "move_id": move.move_id,
            "move_date": move.move_date.isoformat(),
            "assigned_by": by.value,
            "booked_at": at,
        },
    )


def release_booking_of(tx: Transaction, move_id: str) -> str | None:
    """Delete the move's active booking; return the truck it held (None when there was none)."""
    row = tx.query_one("SELECT truck_id FROM bookings WHERE move_id = :move_id", {"move_id": move_id}, lock=True)
    if row is None:
        return None
    tx.execute("DELETE FROM bookings WHERE move_id = :move_id", {"move_id": move_id})
    return str(row["truck_id"])
