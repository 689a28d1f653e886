"""All SQL of the users service (schema in ``migrations/``): profiles in and out of the ``profiles`` table, on SQLite
and MariaDB alike, on the transaction the use case opened."""

from __future__ import annotations

from pathlib import Path

from handlers.shared.clock import timestamp_us
from handlers.shared.db import IntegrityConflict, Transaction, insert_statement
from handlers.shared.records import columns_of, record_of, row_of
from handlers.shop.users.logic import Profile

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = columns_of(Profile)
_SELECT = f"SELECT {_COLUMNS} FROM profiles WHERE id = :id"  # noqa: S608 (constant column list)
_INSERT = insert_statement("profiles", _COLUMNS)
_UPDATE = (
    "UPDATE profiles SET email = :email, name = :name, phone = :phone, address = :address, "
    "updated_at = :updated_at WHERE id = :id"
)


def get(tx: Transaction, user_id: str, *, lock: bool = False) -> Profile | None:
    """The user's profile; ``lock`` keeps it locked until the transaction ends."""
    row = tx.query_one(_SELECT, {"id": user_id}, lock=lock)
    return None if row is None else record_of(Profile, row)


def insert(tx: Transaction, profile: Profile) -> bool:
    """Add a new profile; False when the user has one already (a concurrent first request inserted it)."""
    try:
        tx.execute(_INSERT, row_of(profile, timestamp_us))
    except IntegrityConflict:
        return False
    return True


def save(tx: Transaction, profile: Profile) -> None:
    """Write every field of a profile but its creation time."""
    tx.execute(_UPDATE, row_of(profile, timestamp_us))
