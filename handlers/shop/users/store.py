"""All SQL of the users service (schema in ``migrations/``): the ``profiles`` table, on SQLite and MariaDB alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from handlers.shared.clock import timestamp_us
from handlers.shared.db import Database, IntegrityConflict, Transaction, insert_statement
from handlers.shop.users.logic import Profile, parse_timestamp

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_COLUMNS = "id, email, name, phone, address, sessions_revoked_at, created_at, updated_at"
_SELECT = f"SELECT {_COLUMNS} FROM profiles WHERE id = :id"  # noqa: S608 (constant column list)
_INSERT = insert_statement("profiles", _COLUMNS)
_UPDATE = (
    "UPDATE profiles SET email = :email, name = :name, phone = :phone, address = :address, "
    "sessions_revoked_at = :sessions_revoked_at, updated_at = :updated_at WHERE id = :id"
)


class ProfileStore:
    """Reads and writes profiles in the service's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, user_id: str) -> Profile | None:
        with self.db.transaction() as tx:
            row = tx.query_one(_SELECT, {"id": user_id})
        return None if row is None else _profile(row)

    def ensure(self, profile: Profile) -> Profile:
        """The stored profile of ``profile.id``, inserting ``profile`` first when there is none (safe under races:
        whoever inserts second reads the winner's row)."""
        existing = self.get(profile.id)
        if existing is not None:
            return existing
        try:
            with self.db.transaction() as tx:
                tx.execute(_INSERT, _row(profile))
            return profile
        except IntegrityConflict:
            stored = self.get(profile.id)
            assert stored is not None, "a conflicting insert leaves a row"
            return stored

    def update(self, default: Profile, decide: Callable[[Profile], Profile]) -> Profile:
        """Lock the profile of ``default.id`` (inserting ``default`` when missing), apply ``decide`` and write the
        result, in one transaction."""
        self.ensure(default)
        with self.db.transaction() as tx:
            row = tx.query_one(_SELECT, {"id": default.id}, lock=True)
            assert row is not None, "ensure() just made sure it exists"
            current = _profile(row)
            changed = decide(current)
            if changed != current:
                _write(tx, changed)
            return changed


def _write(tx: Transaction, profile: Profile) -> None:
    row = _row(profile)
    del row["created_at"]
    tx.execute(_UPDATE, row)


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
