"""The dump format ``retail-dump/1``: pure encoding, decoding and checks (no SQL, no AWS).

A dump is gzip'd JSON::

    {"format": "retail-dump/1", "created_at": "2024-01-02T03:00:00+00:00",
     "schema_versions": ["001", ..., "shared-001", ...],
     "tables": {"products": {"columns": ["id", ...], "rows": [["...", ...], ...]}, ...}}

Values are encoded without loss: ``Decimal`` becomes its string ("12.50"), ``bytes`` become ``{"$b64": "..."}``,
dates and times ISO text, ``None`` null; text (unicode included), integers and floats stay JSON values.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from handlers.shared.clock import as_utc

FORMAT = "retail-dump/1"
BYTES_MARKER = "$b64"
KEY_PREFIX = "exports"

# Bookkeeping tables left out of a dump. The outbox would republish old events from a restored database, and
# processed_events only makes sense with the old environment's queues; schema_migrations is recreated by the
# migrations themselves (its versions travel as ``schema_versions``). The Idempotency-Key records
# (idempotent_requests) ARE data: without them a client's retry after a restore would sell twice.
EXCLUDED_TABLES = frozenset({"schema_migrations", "outbox", "processed_events"})


class DumpError(ValueError):
    """A dump file is not a valid ``retail-dump/1`` document; the message is one line naming the problem."""


@dataclass(frozen=True)
class TableData:
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Dump:
    created_at: str
    schema_versions: list[str]
    tables: dict[str, TableData]

    def row_counts(self) -> dict[str, int]:
        return {name: len(t.rows) for name, t in self.tables.items()}


def is_data_table(name: str) -> bool:
    """Tables a dump holds: not bookkeeping, not the engine's own (``sqlite_*``)."""
    return name.lower() not in EXCLUDED_TABLES and not name.lower().startswith("sqlite_")


def encode_value(value: Any) -> Any:
    """One database value as a JSON value, losslessly."""
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BYTES_MARKER: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # MySQL TIME columns
        seconds = int(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    raise TypeError(f"cannot encode a {type(value).__name__} value")


def decode_value(value: Any) -> Any:
    """The value to insert for one JSON value of a dump."""
    if isinstance(value, dict):
        if set(value) != {BYTES_MARKER} or not isinstance(value[BYTES_MARKER], str):
            raise DumpError(f"a value is an object other than {{{BYTES_MARKER!r}: ...}}")
        try:
            return base64.b64decode(value[BYTES_MARKER], validate=True)
        except ValueError:
            raise DumpError("a bytes value is not valid base64") from None
    if isinstance(value, list):
        raise DumpError("a value is a list")
    return value


def normalize_decimal(value: Any, scale: int) -> Any:
    """A DECIMAL column's value with its declared scale (SQLite hands back floats or integers)."""
    if value is None or isinstance(value, (bytes, str)) and not value:
        return value
    try:
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-scale))
    except ArithmeticError:
        return value


def build_dump(created_at: dt.datetime, schema_versions: Iterable[str],
               tables: Mapping[str, TableData]) -> dict[str, Any]:  # fmt: skip
    """The JSON document of a dump; rows are encoded here."""
    return {
        "format": FORMAT,
        "created_at": as_utc(created_at).isoformat(timespec="seconds"),
        "schema_versions": sorted(schema_versions),
        "tables": {
            name: {"columns": list(t.columns), "rows": [[encode_value(v) for v in row] for row in t.rows]}
            for name, t in sorted(tables.items())
        },
    }


def serialize(document: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, gzip'd (mtime 0: the same data gives the same bytes)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return gzip.compress(text.encode("utf-8"), mtime=0)


def parse_dump(data: bytes) -> Dump:
    """Read and validate a gzip'd dump; values stay JSON-encoded (decode them with :func:`decode_value`)."""
    try:
        text = gzip.decompress(data)
    except (OSError, EOFError):
        raise DumpError("not a gzip file") from None
    try:
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DumpError(f"not JSON ({str(e).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise DumpError("not a JSON object")
    if doc.get("format") != FORMAT:
        raise DumpError(f"format is {doc.get('format')!r}, expected {FORMAT!r}")
    created_at, versions, tables = doc.get("created_at"), doc.get("schema_versions"), doc.get("tables")
    if not isinstance(created_at, str):
        raise DumpError("created_at is missing")
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        raise DumpError("schema_versions must be a list of strings")
    if not isinstance(tables, dict):
        raise DumpError("tables must be an object")
    parsed: dict[str, TableData] = {}
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise DumpError(f"table {name}: must be an object")
        columns, rows = table.get("columns"), table.get("rows")
        if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
            raise DumpError(f"table {name}: columns must be a non-empty list of names")
        if not isinstance(rows, list):
            raise DumpError(f"table {name}: rows must be a list")
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != len(columns):
                raise DumpError(f"table {name}: row {number} does not have {len(columns)} values")
        parsed[name] = TableData(columns, rows)
    return Dump(created_at, list(versions), parsed)


def unknown_versions(dump_versions: Sequence[str], code_versions: Iterable[str]) -> list[str]:
    """Versions the dump was made with that this code does not have (the dump is newer than the code)."""
    known = set(code_versions)
    return sorted(v for v in dump_versions if v not in known)


def export_key(now: dt.datetime) -> str:
    """``exports/YYYY/MM/DD/retail-<UTC timestamp>.json.gz``."""
    utc = as_utc(now)
    return f"{KEY_PREFIX}/{utc:%Y/%m/%d}/retail-{utc:%Y%m%dT%H%M%SZ}.json.gz"
