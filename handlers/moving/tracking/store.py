"""All SQL of the tracking service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike: sessions and
positions in and out of rows, on the transaction the use case opened."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from handlers.moving.tracking.logic import (
    PATH_LIMIT,
    Accepted,
    Position,
    Tracking,
)
from handlers.shared.clock import timestamp_us
from handlers.shared.db import Transaction, insert_statement
from handlers.shared.records import columns_of, record_of, row_of

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = columns_of(Tracking)
_SELECT = f"SELECT {_COLUMNS} FROM tracked_moves WHERE move_id = :move_id"  # noqa: S608 (constant column list)
_INSERT = insert_statement("tracked_moves", _COLUMNS)
_UPDATE = (
    "UPDATE tracked_moves SET customer_id = :customer_id, truck_id = :truck_id, status = :status, "
    "opened_at = :opened_at, closed_at = :closed_at, updated_at = :updated_at WHERE move_id = :move_id"
)


def lock(tx: Transaction, move_id: str) -> Tracking | None:
    """The move's session, locked until the transaction ends (None before its first event)."""
    row = tx.query_one(_SELECT, {"move_id": move_id}, lock=True)
    return None if row is None else record_of(Tracking, row)


def get(tx: Transaction, move_id: str) -> Tracking | None:
    row = tx.query_one(_SELECT, {"move_id": move_id})
    return None if row is None else record_of(Tracking, row)


def save(tx: Transaction, tracking: Tracking, *, new: bool) -> None:
    tx.execute(_INSERT if new else _UPDATE, row_of(tracking, timestamp_us))


def has_position(tx: Transaction, move_id: str, recorded_at: datetime) -> bool:
    """Whether this fix (the move and its ``recorded_at``) is stored already."""
    seen = tx.query_one(
        "SELECT id FROM positions WHERE move_id = :move_id AND recorded_at = :recorded_at",
        {"move_id": move_id, "recorded_at": timestamp_us(recorded_at)},
    )
    return seen is not None


def insert_position(tx: Transaction, position_id: str, accepted: Accepted, received_at: datetime) -> None:
    tx.execute(
        "INSERT INTO positions (id, move_id, truck_id, lat, lon, recorded_at, received_at) "
        "VALUES (:id, :move_id, :truck_id, :lat, :lon, :recorded_at, :received_at)",
        {
            "id": position_id,
            "move_id": accepted.move_id,
            "truck_id": accepted.truck_id,
            "lat": accepted.position.lat,
            "lon": accepted.position.lon,
            "recorded_at": timestamp_us(accepted.position.recorded_at),
            "received_at": timestamp_us(received_at),
        },
    )


def path(tx: Transaction, move_id: str, limit: int = PATH_LIMIT) -> list[Position]:
    """The move's last ``limit`` positions, oldest first."""
    rows = tx.query(
        "SELECT lat, lon, recorded_at FROM positions WHERE move_id = :move_id ORDER BY recorded_at DESC LIMIT :limit",
        {"move_id": move_id, "limit": limit},
    )
    return [record_of(Position, r) for r in reversed(rows)]
