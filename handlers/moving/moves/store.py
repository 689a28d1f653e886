"""All SQL of the moves service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike: moves in and out of
rows, on the transaction the use case opened."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from handlers.moving.contracts import Place
from handlers.moving.moves.logic import Move, MoveNotFound, Position, Status, Truck
from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.paging import Cursor, OwnerScope, newest_first

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = (
    "id, customer_id, customer_email, status, origin_address, origin_city, destination_address, destination_city, "
    "move_date, volume_m3, notes, truck_id, truck_plate, last_lat, last_lon, position_recorded_at, created_at, "
    "updated_at"
)
_SELECT = f"SELECT {_COLUMNS} FROM moves"  # noqa: S608 (constant column list)
_INSERT = insert_statement("moves", _COLUMNS)
_UPDATE = (
    "UPDATE moves SET status = :status, truck_id = :truck_id, truck_plate = :truck_plate, last_lat = :last_lat, "
    "last_lon = :last_lon, position_recorded_at = :position_recorded_at, updated_at = :updated_at WHERE id = :id"
)


def insert(tx: Transaction, move: Move) -> None:
    tx.execute(_INSERT, _row(move))


def get(tx: Transaction, move_id: str) -> Move | None:
    row = tx.query_one(f"{_SELECT} WHERE id = :id", {"id": move_id})
    return None if row is None else _move(row)


def lock(tx: Transaction, move_id: str) -> Move:
    """The move, locked until the transaction ends; :class:`MoveNotFound` for an unknown id."""
    row = tx.query_one(f"{_SELECT} WHERE id = :id", {"id": move_id}, lock=True)
    if row is None:
        raise MoveNotFound(move_id)
    return _move(row)


def save(tx: Transaction, move: Move) -> None:
    """Write what may change on a move: its status, truck, latest position and ``updated_at``."""
    row = _row(move)
    tx.execute(_UPDATE, {k: row[k] for k in ("id", "status", "truck_id", "truck_plate", "last_lat", "last_lon",
                                             "position_recorded_at", "updated_at")})  # fmt: skip


def find(tx: Transaction, scope: OwnerScope, after: Cursor | None, limit: int) -> list[Move]:
    """Up to ``limit`` moves in ``scope``, newest first, starting after ``after``."""
    sql, params = newest_first(_SELECT, scope.columns, after, limit)
    return [_move(row) for row in tx.query(sql, params)]


def _row(move: Move) -> dict[str, Any]:
    position = move.position
    return {
        "id": move.id,
        "customer_id": move.customer_id,
        "customer_email": move.customer_email,
        "status": move.status.value,
        "origin_address": move.origin.address,
        "origin_city": move.origin.city,
        "destination_address": move.destination.address,
        "destination_city": move.destination.city,
        "move_date": move.move_date.isoformat(),
        "volume_m3": move.volume_m3,
        "notes": move.notes,
        "truck_id": move.truck.id if move.truck else None,
        "truck_plate": move.truck.plate if move.truck else None,
        "last_lat": position.lat if position else None,
        "last_lon": position.lon if position else None,
        "position_recorded_at": timestamp_us(position.recorded_at) if position else None,
        "created_at": timestamp_us(move.created_at),
        "updated_at": timestamp_us(move.updated_at),
    }


def _move(row: dict[str, Any]) -> Move:
    position = None
    if row["position_recorded_at"] is not None:
        position = Position(
            float(row["last_lat"]), float(row["last_lon"]), datetime.fromisoformat(row["position_recorded_at"])
        )
    return Move(
        id=row["id"],
        customer_id=row["customer_id"],
        customer_email=row["customer_email"],
        status=Status(row["status"]),
        origin=Place(address=row["origin_address"], city=row["origin_city"]),
        destination=Place(address=row["destination_address"], city=row["destination_city"]),
        move_date=date.fromisoformat(row["move_date"]),
        volume_m3=float(row["volume_m3"]),
        notes=row["notes"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        truck=None if row["truck_id"] is None else Truck(row["truck_id"], row["truck_plate"]),
        position=position,
    )
