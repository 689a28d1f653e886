"""Versioned SQL migrations, applied once each, in order, on SQLite and MySQL alike.

Files are named ``NNN_description.sql`` (three or more digits, then lowercase words), for example
``001_create_moves.sql``. Each applied file is recorded in
``schema_migrations(version, checksum, applied_at)``; editing a file after it was applied is an error (write
a new migration instead), so every environment ends with the same schema.

Statement splitting: a statement ends at a ``;`` that is the last character on its line (trailing spaces
allowed), unless that line is a ``--`` comment. A ``;`` elsewhere (inside a string, mid-line) does not
split. Do not put a comment after the closing ``;``. Statements that are only comments are skipped.

Transactions: each migration, and its ``schema_migrations`` row, runs in one transaction. On SQLite DDL is
transactional, so a failing migration leaves nothing behind. MySQL commits implicitly after every DDL
statement, so a migration that fails halfway keeps its earlier DDL and is not recorded: keep one DDL
statement per MySQL migration file, or make its statements safe to re-run (``IF NOT EXISTS``).

Run one migration runner per database at a time (the deploy invokes it once).

Every service schema also gets the shared tables in ``handlers/shared/migrations/`` (the event outbox and the
processed-events record), applied first and recorded with a ``shared-`` prefix: :func:`apply_service_migrations`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from handlers.shared.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)

SHARED_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SHARED_PREFIX = "shared-"

MIGRATION_FILE = re.compile(r"^(?P<version>\d{3,})_(?P<description>[a-z0-9_]+)\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version VARCHAR(32) NOT NULL PRIMARY KEY,
    checksum CHAR(64) NOT NULL,
    applied_at VARCHAR(32) NOT NULL
)
"""


class MigrationError(Exception):
    """A migration file is malformed, was changed after it was applied, or failed."""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path
    sql: str
    checksum: str

    @classmethod
    def load(cls, path: Path, version: str) -> Migration:
        """Line endings are normalized first, so a Windows checkout has the same checksum."""
        sql = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
        return cls(version, path, sql, hashlib.sha256(sql.encode()).hexdigest())


def discover(migrations_dir: Path, prefix: str = "") -> list[Migration]:
    """The migrations in ``migrations_dir`` in version order; badly named ``.sql`` files are errors.

    ``prefix`` namespaces the recorded versions, so two directories may both start at ``001``."""
    if not migrations_dir.is_dir():
        raise MigrationError(f"migrations_dir: {migrations_dir} is not a directory")
    found: dict[int, Migration] = {}
    for path in sorted(migrations_dir.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files must be named NNN_description.sql")
        number = int(match["version"])
        if number in found:
            other = found[number].path.name
            raise MigrationError(f"{path.name}: version {match['version']} is also used by {other}")
        found[number] = Migration.load(path, prefix + match["version"])
    return [found[n] for n in sorted(found)]


def split_statements(sql: str) -> list[str]:
    """Split on ``;`` at line ends (see the module docstring); drop comment-only statements."""
    statements, current = [], []
    for line in sql.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            statements.append("\n".join(current).rstrip().removesuffix(";"))
            current = []
    statements.append("\n".join(current))
    return [s.strip() for s in statements if not _only_comments(s)]


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())


def apply_service_migrations(db: Database, migrations_dir: Path | None) -> list[str]:
    """The shared tables, then the service's own migrations (``None`` or a missing folder: shared ones only)."""
    migrations = discover(SHARED_MIGRATIONS, SHARED_PREFIX)
    if migrations_dir is not None and migrations_dir.is_dir():
        migrations += discover(migrations_dir)
    return _apply_all(db, migrations)


def apply_migrations(db: Database, migrations_dir: Path) -> list[str]:
    """Apply the migrations not yet applied, in order; return their versions (empty when up to date)."""
    return _apply_all(db, discover(migrations_dir))


def _apply_all(db: Database, migrations: list[Migration]) -> list[str]:
    with db.transaction() as tx:
        tx.execute(_CREATE_TABLE)
        rows = tx.query("SELECT version, checksum FROM schema_migrations")
    applied = {r["version"]: r["checksum"] for r in rows}
    for migration in migrations:
        if migration.version in applied and applied[migration.version] != migration.checksum:
            was, now = applied[migration.version][:12], migration.checksum[:12]
            raise MigrationError(
                f"{migration.path.name}: changed after it was applied (checksum {now}, applied {was}); "
                "add a new migration instead"
            )
    done = []
    for migration in migrations:
        if migration.version not in applied:
            _apply(db, migration)
            done.append(migration.version)
    return done


def _apply(db: Database, migration: Migration) -> None:
    statements = split_statements(migration.sql)
    with db.transaction() as tx:
        for number, statement in enumerate(statements, start=1):
            try:
                tx.execute(statement)
            except DatabaseUnavailable:
                raise
            except Exception as e:
                raise MigrationError(f"{migration.path.name}: statement {number} failed: {e}") from e
        tx.execute(
            "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (:version, :checksum, :at)",
            {"version": migration.version, "checksum": migration.checksum, "at": _now()},
        )
    log.info("applied migration %s (%d statements)", migration.path.name, len(statements))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
