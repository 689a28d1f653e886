"""The dump format: lossless encoding, validation of bad files, the export key."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from decimal import Decimal

import pytest

from handlers.retail.backups.logic import (
    DumpError,
    TableData,
    build_dump,
    decode_value,
    encode_value,
    export_key,
    is_data_table,
    normalize_decimal,
    parse_dump,
    serialize,
    unknown_versions,
)

NOW = dt.datetime(2024, 3, 5, 3, 0, 7, tzinfo=dt.UTC)
SHORT_ROW = {"format": "retail-dump/1", "created_at": "x", "schema_versions": [],
             "tables": {"t": {"columns": ["a", "b"], "rows": [[1]]}}}  # fmt: skip


def test_values_encode_without_loss():
    assert encode_value(Decimal("12.50")) == "12.50"
    assert encode_value(b"\x00\xff") == {"$b64": "AP8="}
    assert decode_value({"$b64": "AP8="}) == b"\x00\xff"
    assert encode_value(dt.date(2024, 1, 2)) == "2024-01-02"
    assert encode_value(dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05"
    assert encode_value(dt.timedelta(hours=27, minutes=3, seconds=4)) == "27:03:04"
    assert [encode_value(v) for v in (None, "ñandú ☃", 7, 1.5)] == [None, "ñandú ☃", 7, 1.5]


def test_sqlite_decimals_get_their_declared_scale():
    assert normalize_decimal(12.5, 2) == Decimal("12.50")
    assert normalize_decimal(3, 2) == Decimal("3.00")
    assert normalize_decimal(None, 2) is None


def test_a_dump_round_trips_through_gzip_json():
    tables = {"t": TableData(["id", "price", "blob"], [["a", Decimal("1.10"), b"x"], ["b", None, None]])}
    data = serialize(build_dump(NOW, ["002", "001"], tables))
    doc = json.loads(gzip.decompress(data))
    assert doc["format"] == "retail-dump/1" and doc["created_at"] == "2024-03-05T03:00:07+00:00"
    assert doc["schema_versions"] == ["001", "002"]
    dump = parse_dump(data)
    assert dump.tables["t"].rows == [["a", "1.10", {"$b64": "eA=="}], ["b", None, None]]
    assert dump.row_counts() == {"t": 2}
    assert serialize(build_dump(NOW, ["002", "001"], tables)) == data, "the same data gives the same bytes"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"plain text", "not a gzip file"),
        (gzip.compress(b"{oops"), "not JSON"),
        (gzip.compress(b"[]"), "not a JSON object"),
        (gzip.compress(b'{"format": "other/1"}'), "format is 'other/1'"),
        (gzip.compress(json.dumps(SHORT_ROW).encode()), "table t: row 1 does not have 2 values"),
    ],
)
def test_bad_files_name_the_problem(data, problem):
    with pytest.raises(DumpError, match=problem) as e:
        parse_dump(data)
    assert "\n" not in str(e.value)


def test_a_bytes_marker_must_be_valid():
    with pytest.raises(DumpError):
        decode_value({"$b64": "***"})
    with pytest.raises(DumpError):
        decode_value({"other": 1})


def test_bookkeeping_tables_are_left_out_but_idempotency_keys_are_data():
    assert not any(map(is_data_table, ["schema_migrations", "outbox", "processed_events", "sqlite_sequence"]))
    assert is_data_table("idempotent_requests") and is_data_table("products")


def test_versions_newer_than_the_code_are_found():
    assert unknown_versions(["001", "002", "013"], ["001", "002", "003"]) == ["013"]
    assert unknown_versions(["001"], ["001", "002"]) == []


def test_the_export_key_is_dated_in_utc():
    local = NOW.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert export_key(local) == "exports/2024/03/05/retail-20240305T030007Z.json.gz"
