"""All SQL of the tracking service (schema in ``migrations/``), on SQLite and MySQL/MariaDB alike.

An accepted position and its PositionRecorded event are written in one transaction (the outbox); a consumed event
is claimed in the same transaction as its effect, so a crash never leaves one without the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.moving.tracking.logic import (
    PATH_LIMIT,
    Accepted,
    Change,
    Position,
    SessionStatus,
    Tracking,
)
from handlers.shared.clock import timestamp_us
from handlers.shared.db import Database, insert_statement
from handlers.shared.inbox import claim
from handlers.shared.outbox import add_to_outbox

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = "move_id, customer_id, truck_id, status, opened_at, closed_at, updated_at"
_SELECT = f"SELECT {_COLUMNS} FROM tracked_moves WHERE move_id = :move_id"  # noqa: S608 (constant column list)
_INSERT = insert_statement("tracked_moves", _COLUMNS)
_UPDATE = (
    "UPDATE tracked_moves SET customer_id = :customer_id, truck_id = :truck_id, status = :status, "
    "opened_at = :opened_at, closed_at = :closed_at, updated_at = :updated_at WHERE move_id = :move_id"
)


class TrackingStore:
    """Reads and writes tracking sessions and positions in the service's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, move_id: str) -> Tracking | None:
        with self.db.transaction() as tx:
            row = tx.query_one(_SELECT, {"move_id": move_id})
        return None if row is None else _tracking(row)

    def update(
        self, move_id: str, decide: Callable[[Tracking | None], Change], *, claim_for: tuple[str, str] | None = None
    ) -> Change | None:
        """Lock the move's row (if any), let ``decide`` compute the change and write it, all in one transaction.

        ``claim_for=(consumer, event_id)`` also records the event as handled; when it already was, nothing happens
        and the result is None. Two first events of one move racing each other: one insert fails (``IntegrityConflict``,
        or a deadlock on MySQL's gap locks) and rolls back, claim included, so its record is retried and then sees the
        row."""
        with self.db.transaction() as tx:
            if claim_for is not None and not claim(tx, *claim_for):
                return None
            row = tx.query_one(_SELECT, {"move_id": move_id}, lock=True)
            change = decide(None if row is None else _tracking(row))
            if change.changed and change.tracking is not None:
                tx.execute(_INSERT if row is None else _UPDATE, _row(change.tracking))
            return change

    def record_position(self, move_id: str, decide: Callable[[Tracking | None], Accepted], *,
                        received_at: datetime) -> tuple[Accepted, bool]:  # fmt: skip
        """Lock the move's session, let ``decide`` accept the position (or raise), and store it with its event.

        Returns the acceptance and whether it is new: the same fix sent again (same move and ``recorded_at``, say a
        retry of the driver app) is accepted once, stored once and announced once. Locking the session row orders
        positions against MoveCompleted, so none is stored after the session closed."""
        with self.db.transaction() as tx:
            row = tx.query_one(_SELECT, {"move_id": move_id}, lock=True)
            accepted = decide(None if row is None else _tracking(row))
            recorded_at = timestamp_us(accepted.position.recorded_at)
            seen = tx.query_one(
                "SELECT id FROM positions WHERE move_id = :move_id AND recorded_at = :recorded_at",
                {"move_id": move_id, "recorded_at": recorded_at},
            )
            if seen is not None:
                return accepted, False
            tx.execute(
                "INSERT INTO positions (id, move_id, truck_id, lat, lon, recorded_at, received_at) "
                "VALUES (:id, :move_id, :truck_id, :lat, :lon, :recorded_at, :received_at)",
                {
                    "id": str(uuid.uuid4()),
                    "move_id": move_id,
                    "truck_id": accepted.truck_id,
                    "lat": accepted.position.lat,
                    "lon": accepted.position.lon,
                    "recorded_at": recorded_at,
                    "received_at": timestamp_us(received_at),
                },
            )
            add_to_outbox(tx, accepted.event)
            return accepted, True

    def path(self, move_id: str, limit: int = PATH_LIMIT) -> list[Position]:
        """The move's last ``limit`` positions, oldest first."""
        with self.db.transaction() as tx:
            rows = tx.query(
                "SELECT lat, lon, recorded_at FROM positions WHERE move_id = :move_id "
                "ORDER BY recorded_at DESC LIMIT :limit",
                {"move_id": move_id, "limit": limit},
            )
        return [_position(r) for r in reversed(rows)]


def _row(tracking: Tracking) -> dict[str, Any]:
    return {
        "move_id": tracking.move_id,
        "customer_id": tracking.customer_id,
        "truck_id": tracking.truck_id,
        "status": tracking.status.value,
        "opened_at": None if tracking.opened_at is None else timestamp_us(tracking.opened_at),
        "closed_at": None if tracking.closed_at is None else timestamp_us(tracking.closed_at),
        "updated_at": timestamp_us(tracking.updated_at),
    }


def _tracking(row: dict[str, Any]) -> Tracking:
    return Tracking(
        move_id=row["move_id"],
        status=SessionStatus(row["status"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        customer_id=row["customer_id"],
        truck_id=row["truck_id"],
        opened_at=None if row["opened_at"] is None else datetime.fromisoformat(row["opened_at"]),
        closed_at=None if row["closed_at"] is None else datetime.fromisoformat(row["closed_at"]),
    )


def _position(row: dict[str, Any]) -> Position:
    return Position(float(row["lat"]), float(row["lon"]), datetime.fromisoformat(row["recorded_at"]))
