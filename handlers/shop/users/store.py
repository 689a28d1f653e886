"""All SQL of the users service (schema in ``migrations/``): profiles in and out of the ``profiles`` table, on SQLite
and MariaDB alike, on the transaction the use case opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handlers.shared.clock import timestamp_us
from handlers.shared.db import IntegrityConflict, Transaction, insert_statement
from handlers.shop.users.logic import Profile, parse_timestamp

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = "id, email, name, phone, address, sessions_revoked_at, created_at, updated_at"
_SELECT = f"SELECT {_COLUMNS} FROM profiles WHERE id = :id"  # noqa: S608 (constant column list)
_INSERT = insert_statement("profiles", _COLUMNS)
_UPDATE = (
    "UPDATE profiles SET email = :email, name = :name, phone = :phone, address = :address, "
    "sessions_revoked_at = :sessions_revoked_at, updated_at = :updated_at WHERE id = :id"
)


def get(tx: Transaction, user_id: str, *, lock: bool = False) -> Profile | None:
    """The user's profile; ``lock`` keeps it locked until the transaction ends."""
    row = tx.query_one(_SELECT, {"id": user_id}, lock=lock)
    return None if row is None else _profile(row)


def insert(tx: Transaction, profile: Profile) -> bool:
    """Add a new profile; False when the user has one already (a concurrent first request inserted it)."""
    try:
        tx.execute(_INSERT, _row(profile))
    except IntegrityConflict:
        return False
    return True


def save(tx: Transaction, profile: Profile) -> None:
    """Write every field of a profile but its creation time."""
    tx.execute(_UPDATE, _row(profile))


def _row(profile: Profile) -> dict[str, Any]:
    revoked = profile.sessions_revoked_at
    return {
        "id": profile.id,
        "email": profile.email,
        "name": profile.name,
        "phone": profile.phone,
        "address": profile.address,
        "sessions_revoked_at": None if revoked is None else timestamp_us(revoked),
        "created_at": timestamp_us(profile.created_at),
        "updated_at": timestamp_us(profile.updated_at),
    }


def _profile(row: dict[str, Any]) -> Profile:
    revoked = row["sessions_revoked_at"]
    return Profile(
        id=str(row["id"]),
        email=str(row["email"]),
        name=str(row["name"]),
        phone=row["phone"],
        address=row["address"],
        sessions_revoked_at=None if revoked is None else parse_timestamp(str(revoked)),
        created_at=parse_timestamp(str(row["created_at"])),
        updated_at=parse_timestamp(str(row["updated_at"])),
    )
