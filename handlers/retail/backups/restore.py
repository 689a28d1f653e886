"""Restore a ``retail-dump/1`` export into an EMPTY database.

Usage::

    python -m handlers.retail.backups.restore <file.json.gz | s3://bucket/key> --database-url <URL>

``URL`` is ``sqlite:///path.db`` or ``mysql://user:pass@host:3306/dbname[?ssl=true&ssl_ca=/path/ca.pem]``. An
``s3://`` source is read with the usual AWS credentials of the shell (``AWS_PROFILE``, ``AWS_REGION``).

Steps: read and validate the dump; refuse if it was made by schema versions this code does not have; refuse if any
data table of the target already holds rows (other than the rows the migrations themselves seed); apply the shared
and catalog migrations; insert every table in ONE transaction with foreign-key checks deferred (SQLite) or off
for the session (MySQL), printing one line per table. Exit codes: 0 restored; 2 bad file, refused target or bad
arguments; 1 the database is unreachable or the load failed. Errors are one line, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from handlers.retail.backups.logic import Dump, DumpError, TableData, encode_value, parse_dump, unknown_versions
from handlers.retail.backups.snapshot import RestoreRefused, load, read_data
from handlers.shared.db import Database, DatabaseError
from handlers.shared.migrate import SHARED_MIGRATIONS, SHARED_PREFIX, apply_service_migrations, discover

# The retail schema's migrations (catalog owns the schema that catalog, sales, reports and backups share).
CATALOG_MIGRATIONS = Path(__file__).resolve().parents[1] / "catalog" / "migrations"


class SourceError(Exception):
    """The dump cannot be read (missing file, S3 error)."""


def read_source(source: str, s3: Any | None = None) -> bytes:
    """The bytes of a local file or an ``s3://bucket/key`` object."""
    if source.startswith("s3://"):
        bucket, _, key = source.removeprefix("s3://").partition("/")
        if not bucket or not key:
            raise SourceError(f"{source}: expected s3://bucket/key")
        if s3 is None:
            from handlers.shared.aws import client

            s3 = client("s3")
        try:
            return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except Exception as e:  # noqa: BLE001 (botocore's errors: reported in one line)
            raise SourceError(f"{source}: {' '.join(str(e).split())}") from None
    try:
        return Path(source).read_bytes()
    except OSError as e:
        raise SourceError(f"{source}: {e.strerror or e}") from None


def code_versions(migrations_dir: Path) -> list[str]:
    """The migration versions this code knows (shared and the schema's own)."""
    return [m.version for m in discover(SHARED_MIGRATIONS, SHARED_PREFIX) + discover(migrations_dir)]


def _rows(tables: dict[str, TableData]) -> dict[str, list[str]]:
    """Comparable rows per table (encoded, sorted)."""
    return {
        name: sorted(json.dumps([encode_value(v) for v in row], ensure_ascii=False) for row in t.rows)
        for name, t in tables.items()
    }


def seeded_rows(migrations_dir: Path) -> dict[str, list[str]]:
    """The rows a freshly migrated schema holds (e.g. a counter's first value): these do not make a target
    "non-empty". Found by migrating a scratch in-memory SQLite database (the migrations are portable SQL)."""
    scratch = Database.sqlite(":memory:")
    try:
        apply_service_migrations(scratch, migrations_dir)
        with scratch.transaction() as tx:
            return _rows(read_data(tx))
    except Exception:  # noqa: BLE001 (a migration SQLite cannot run: then no rows count as seeded)
        return {}
    finally:
        scratch.close()


def check_empty(db: Database, migrations_dir: Path) -> None:
    """Refuse a target whose data tables hold rows beyond the migrations' seed rows."""
    seeds = seeded_rows(migrations_dir)
    with db.transaction() as tx:
        current = _rows(read_data(tx))
    busy = [f"{name} ({len(rows)} rows)" for name, rows in current.items() if rows and rows != seeds.get(name, [])]
    if busy:
        raise RestoreRefused(f"the target database is not empty: {', '.join(busy)}")


def restore(
    db: Database,
    dump: Dump,
    *,
    migrations_dir: Path = CATALOG_MIGRATIONS,
    progress: Callable[[str], None] = print,
) -> dict[str, int]:
    """Load ``dump`` into the empty ``db``; raise :class:`RestoreRefused` when it cannot."""
    newer = unknown_versions(dump.schema_versions, code_versions(migrations_dir))
    if newer:
        raise RestoreRefused(
            f"the dump was made with schema versions this code does not have ({', '.join(newer)}): "
            "restore with a newer release"
        )
    check_empty(db, migrations_dir)
    applied = apply_service_migrations(db, migrations_dir)
    progress(f"migrations: {len(applied)} applied")
    with db.transaction() as tx:  # every table or none
        counts = load(tx, dump, lambda name, n: progress(f"{name}: {n} rows"))
    progress(f"restored {len(counts)} tables, {sum(counts.values())} rows (dump of {dump.created_at})")
    return counts


def main(argv: Sequence[str] | None = None, *, s3: Any | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handlers.retail.backups.restore",
        description="Restore a retail-dump/1 export into an empty database.",
    )
    parser.add_argument("source", help="file.json.gz or s3://bucket/key")
    parser.add_argument("--database-url", required=True, help="sqlite:///path.db or mysql://user:pass@host/db")
    args = parser.parse_args(argv)
    try:
        dump = parse_dump(read_source(args.source, s3))
    except (SourceError, DumpError) as e:
        print(f"restore: {args.source}: {e}" if isinstance(e, DumpError) else f"restore: {e}", file=sys.stderr)
        return 2
    try:
        db = Database.from_url(args.database_url)
    except ValueError as e:
        print(f"restore: --database-url: {e}", file=sys.stderr)
        return 2
    try:
        restore(db, dump)
    except (RestoreRefused, DumpError) as e:
        print(f"restore: refused: {e}", file=sys.stderr)
        return 2
    except DatabaseError as e:
        print(f"restore: {' '.join(str(e).split())}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 (e.g. a migration failed: one line, no traceback)
        print(f"restore: failed: {type(e).__name__}: {' '.join(str(e).split())}", file=sys.stderr)
        return 1
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
