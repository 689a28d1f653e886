"""All of fleet's SQL: trucks, the move projection, bookings, plus its outbox and processed events.

Methods take the open :class:`Transaction`, so one use case composes several of them atomically. The SQL is the
portable subset the shared database layer runs on SQLite and MySQL/MariaDB alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from handlers.moving.fleet.logic import AssignedBy, Move, MoveStatus, Truck
from handlers.shared.db import Database, Transaction
from handlers.shared.events import EventDetail
from handlers.shared.inbox import claim
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import add_to_outbox

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONSUMER = "fleet-bookings"


def _truck(row: dict[str, Any]) -> Truck:
    return Truck(
        id=row["id"],
        plate=row["plate"],
        capacity_m3=float(row["capacity_m3"]),
        home_city=row["home_city"],
        active=bool(row["active"]),
    )


def _move(row: dict[str, Any]) -> Move:
    return Move(
        move_id=row["move_id"],
        move_date=date.fromisoformat(row["move_date"]),
        volume_m3=float(row["volume_m3"]),
        origin_city=row["origin_city"],
        status=MoveStatus(row["status"]),
        truck_id=row["truck_id"],
    )


class FleetStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def migrate(self) -> list[str]:
        """The shared tables and fleet's own (the deploy does this in the cloud; tests and local runs call it)."""
        return apply_service_migrations(self.db, MIGRATIONS)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.db.transaction() as tx:
            yield tx

    # --- events ---------------------------------------------------------------------------------------------

    def claim(self, tx: Transaction, event_id: str) -> bool:
        """False when the bookings consumer already handled ``event_id``."""
        return claim(tx, CONSUMER, event_id)

    def add_event(self, tx: Transaction, event: EventDetail) -> None:
        add_to_outbox(tx, event)

    # --- trucks ---------------------------------------------------------------------------------------------

    def insert_truck(self, tx: Transaction, truck: Truck, created_at: str) -> None:
        """Raises ``IntegrityConflict`` when the plate is taken."""
        tx.execute(
            "INSERT INTO trucks (id, plate, capacity_m3, home_city, active, created_at) "
            "VALUES (:id, :plate, :capacity_m3, :home_city, :active, :created_at)",
            {
                "id": truck.id,
                "plate": truck.plate,
                "capacity_m3": truck.capacity_m3,
                "home_city": truck.home_city,
                "active": 1 if truck.active else 0,
                "created_at": created_at,
            },
        )

    def truck(self, tx: Transaction, truck_id: str, *, lock: bool = False) -> Truck | None:
        row = tx.query_one(
            "SELECT id, plate, capacity_m3, home_city, active FROM trucks WHERE id = :id", {"id": truck_id}, lock=lock
        )
        return _truck(row) if row else None

    def list_trucks(self, tx: Transaction, *, active: bool | None, after_plate: str | None, limit: int) -> list[Truck]:
        """Trucks in plate order, after ``after_plate`` (exclusive), at most ``limit``."""
        rows = tx.query(
            "SELECT id, plate, capacity_m3, home_city, active FROM trucks "
            "WHERE (:active IS NULL OR active = :active) AND (:after IS NULL OR plate > :after) "
            "ORDER BY plate LIMIT :limit",
            {"active": None if active is None else int(active), "after": after_plate, "limit": limit},
        )
        return [_truck(r) for r in rows]

    def lock_trucks_that_fit(self, tx: Transaction, volume_m3: float) -> list[Truck]:
        """The active trucks big enough for ``volume_m3``, locked until the transaction ends (on MySQL; SQLite's
        transaction already holds the write lock), so concurrent selections take turns."""
        rows = tx.query(
            "SELECT id, plate, capacity_m3, home_city, active FROM trucks "
            "WHERE active = 1 AND capacity_m3 >= :volume ORDER BY id",
            {"volume": volume_m3},
            lock=True,
        )
        return [_truck(r) for r in rows]

    # --- the move projection --------------------------------------------------------------------------------

    def move(self, tx: Transaction, move_id: str, *, lock: bool = False) -> Move | None:
        row = tx.query_one(
            "SELECT move_id, move_date, volume_m3, origin_city, status, truck_id FROM moves WHERE move_id = :id",
            {"id": move_id},
            lock=lock,
        )
        return _move(row) if row else None

    def insert_move(self, tx: Transaction, move: Move, at: str) -> None:
        tx.execute(
            "INSERT INTO moves (move_id, move_date, volume_m3, origin_city, status, truck_id, assigned_by, "
            "registered_at, updated_at) VALUES (:move_id, :move_date, :volume_m3, :origin_city, :status, NULL, NULL, "
            ":at, :at)",
            {
                "move_id": move.move_id,
                "move_date": move.move_date.isoformat(),
                "volume_m3": move.volume_m3,
                "origin_city": move.origin_city,
                "status": move.status.value,
                "at": at,
            },
        )

    def mark_assigned(self, tx: Transaction, move_id: str, truck_id: str, by: AssignedBy, at: str) -> None:
        tx.execute(
            "UPDATE moves SET status = :status, truck_id = :truck_id, assigned_by = :by, updated_at = :at "
            "WHERE move_id = :move_id",
            {"status": MoveStatus.ASSIGNED.value, "truck_id": truck_id, "by": by.value, "at": at, "move_id": move_id},
        )

    def set_status(self, tx: Transaction, move_id: str, status: MoveStatus, at: str) -> None:
        tx.execute(
            "UPDATE moves SET status = :status, updated_at = :at WHERE move_id = :move_id",
            {"status": status.value, "at": at, "move_id": move_id},
        )

    # --- bookings -------------------------------------------------------------------------------------------

    def booked_truck_ids(self, tx: Transaction, move_date: date) -> set[str]:
        """Trucks booked on ``move_date`` (a locking read, so it sees bookings committed while this one waited)."""
        rows = tx.query(
            "SELECT truck_id FROM bookings WHERE move_date = :move_date",
            {"move_date": move_date.isoformat()},
            lock=True,
        )
        return {r["truck_id"] for r in rows}

    def move_booked_on(self, tx: Transaction, truck_id: str, move_date: date) -> str | None:
        """The move ``truck_id`` is booked for on ``move_date``, if any."""
        row = tx.query_one(
            "SELECT move_id FROM bookings WHERE truck_id = :truck_id AND move_date = :move_date",
            {"truck_id": truck_id, "move_date": move_date.isoformat()},
            lock=True,
        )
        return row["move_id"] if row else None

    def insert_booking(
        self, tx: Transaction, booking_id: str, truck_id: str, move: Move, by: AssignedBy, at: str
    ) -> None:
        """Raises ``IntegrityConflict`` when the truck is already booked that date (or the move already has one)."""
        tx.execute(
            "INSERT INTO bookings (id, truck_id, move_id, move_date, assigned_by, booked_at) "
            "VALUES (:id, :truck_id, :move_id, :move_date, :by, :at)",
            {
                "id": booking_id,
                "truck_id": truck_id,
                "move_id": move.move_id,
                "move_date": move.move_date.isoformat(),
                "by": by.value,
                "at": at,
            },
        )

    def release_booking_of(self, tx: Transaction, move_id: str) -> str | None:
        """Delete the move's active booking; return the truck it held (None when there was none)."""
        row = tx.query_one("SELECT truck_id FROM bookings WHERE move_id = :move_id", {"move_id": move_id}, lock=True)
        if row is None:
            return None
        tx.execute("DELETE FROM bookings WHERE move_id = :move_id", {"move_id": move_id})
        return str(row["truck_id"])
