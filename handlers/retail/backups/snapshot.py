"""All SQL of the backups service: discovering the schema's tables, reading them in one consistent snapshot, and
loading a dump, on the transaction the caller opened (the export's use case, the restore command). Works on SQLite
and MySQL/MariaDB.

Consistency: the export reads every table inside ONE transaction. On MySQL it is a
``START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY`` at REPEATABLE READ (InnoDB's read view is taken at once,
so rows committed by others afterwards are invisible to every table read). On SQLite it is a deferred read
transaction, whose snapshot (WAL mode) is fixed by its first read and does not block writers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from handlers.retail.backups.logic import Dump, TableData, decode_value, is_data_table, normalize_decimal
from handlers.shared.db import Transaction

_DECIMAL_TYPE = re.compile(r"^\s*(?:DECIMAL|NUMERIC)\s*\(\s*\d+\s*,\s*(\d+)\s*\)", re.IGNORECASE)


class RestoreRefused(Exception):
    """The target database cannot take the dump (it is not empty, or lacks a table or column of the dump)."""


@dataclass(frozen=True)
class Column:
    name: str
    decimal_scale: int | None  # the declared scale of a DECIMAL column, else None


def quote(tx: Transaction, name: str) -> str:
    if tx.dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def data_tables(tx: Transaction) -> list[str]:
    """The schema's tables, less the bookkeeping ones, by name."""
    if tx.dialect == "mysql":
        rows = tx.query(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
        )
    else:
        rows = tx.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(str(r["name"]) for r in rows if is_data_table(str(r["name"])))


def columns_of(tx: Transaction, table: str) -> tuple[list[Column], list[str]]:
    """The table's columns in declaration order and its primary key columns in key order."""
    if tx.dialect == "mysql":
        cols = tx.query(
            "SELECT column_name AS name, data_type AS type, numeric_scale AS scale FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = :t ORDER BY ordinal_position",
            {"t": table},
        )
        pk = tx.query(
            "SELECT column_name AS name FROM information_schema.key_column_usage WHERE table_schema = DATABASE() "
            "AND table_name = :t AND constraint_name = 'PRIMARY' ORDER BY ordinal_position",
            {"t": table},
        )
        columns = [
            Column(str(c["name"]), int(c["scale"]) if str(c["type"]).lower() == "decimal" else None) for c in cols
        ]
        return columns, [str(p["name"]) for p in pk]
    info = tx.query(f"PRAGMA table_info({quote(tx, table)})")
    columns = []
    for c in info:
        match = _DECIMAL_TYPE.match(str(c["type"] or ""))
        columns.append(Column(str(c["name"]), int(match[1]) if match else None))
    keys = sorted((c for c in info if c["pk"]), key=lambda c: int(c["pk"]))
    return columns, [str(c["name"]) for c in keys]


def read_table(tx: Transaction, table: str) -> TableData:
    """Every row, ordered by primary key (by all columns when there is none); DECIMALs at their declared scale."""
    columns, key = columns_of(tx, table)
    names = [c.name for c in columns]
    order = ", ".join(quote(tx, c) for c in (key or names))
    select = ", ".join(f"{quote(tx, c)} AS c{i}" for i, c in enumerate(names))
    rows = tx.query(f"SELECT {select} FROM {quote(tx, table)} ORDER BY {order}")  # noqa: S608 (quoted names)
    out = []
    for row in rows:
        values = [row[f"c{i}"] for i in range(len(names))]
        out.append([
            normalize_decimal(v, col.decimal_scale) if col.decimal_scale is not None else v
            for v, col in zip(values, columns, strict=True)
        ])  # fmt: skip
    return TableData(names, out)


def schema_versions(tx: Transaction) -> list[str]:
    exists = tx.query(
        "SELECT table_name AS name FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'"
        if tx.dialect == "mysql"
        else "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    )
    if not exists:
        return []
    return sorted(str(r["version"]) for r in tx.query("SELECT version FROM schema_migrations"))


def _start_snapshot(tx: Transaction) -> None:
    """Replace the (still empty) transaction :meth:`Database.transaction` began by a read-only snapshot one; the
    Database commits it when the block ends."""
    if tx.dialect == "mysql":
        tx.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # the default; made sure of
        tx.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
    else:
        tx.execute("COMMIT")  # the write lock BEGIN IMMEDIATE took: a reader need not block writers
        tx.execute("BEGIN DEFERRED")
        tx.query("SELECT COUNT(*) AS n FROM sqlite_master")  # the first read fixes the snapshot


def read_snapshot(
    tx: Transaction, on_table: Callable[[str], None] | None = None
) -> tuple[list[str], dict[str, TableData]]:
    """The applied schema versions and every data table, read in one consistent snapshot: ``tx`` must be a new
    transaction that has run nothing yet. ``on_table(name)`` is called after each table is read (progress; tests use
    it to write concurrently)."""
    _start_snapshot(tx)
    versions = schema_versions(tx)
    tables = {}
    for name in data_tables(tx):
        tables[name] = read_table(tx, name)
        if on_table is not None:
            on_table(name)
    return versions, tables


def read_data(tx: Transaction) -> dict[str, TableData]:
    """Every data table's rows (no snapshot needed: used to check a restore target)."""
    return {name: read_table(tx, name) for name in data_tables(tx)}


def load(tx: Transaction, dump: Dump, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Insert every table of ``dump`` in ``tx`` with foreign-key checks deferred (SQLite: checked at commit) or
    disabled for the session (MySQL: re-enabled before the commit). Rows that migrations seeded in a dumped table are
    replaced by the dump's. Returns the rows loaded per table."""
    loaded: dict[str, int] = {}
    if tx.dialect == "mysql":
        tx.execute("SET FOREIGN_KEY_CHECKS = 0")
    else:
        tx.execute("PRAGMA defer_foreign_keys = ON")
    try:
        present = set(data_tables(tx))
        for name, table in dump.tables.items():
            if name not in present:
                raise RestoreRefused(f"table {name} of the dump does not exist in the target schema")
            target = {c.name for c in columns_of(tx, name)[0]}
            missing = [c for c in table.columns if c not in target]
            if missing:
                raise RestoreRefused(f"table {name}: columns {', '.join(missing)} do not exist in the target")
            tx.execute(f"DELETE FROM {quote(tx, name)}")  # noqa: S608 (a quoted table name)
            cols = ", ".join(quote(tx, c) for c in table.columns)
            params = ", ".join(f":c{i}" for i in range(len(table.columns)))
            insert = f"INSERT INTO {quote(tx, name)} ({cols}) VALUES ({params})"  # noqa: S608 (quoted names)
            for row in table.rows:
                tx.execute(insert, {f"c{i}": decode_value(v) for i, v in enumerate(row)})
            loaded[name] = len(table.rows)
            if progress is not None:
                progress(name, len(table.rows))
    finally:
        if tx.dialect == "mysql":
            # when the connection is gone, the next session starts with checks on anyway
            with suppress(Exception):
                tx.execute("SET FOREIGN_KEY_CHECKS = 1")
    return loaded
