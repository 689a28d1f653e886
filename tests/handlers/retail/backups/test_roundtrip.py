"""Dump, restore into an empty database, dump again: the same data. On SQLite and MariaDB, on a fixture schema
(foreign key, DECIMAL, NULLs, unicode, bytes, a seeded row) and on the real retail schema."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest

from handlers.retail.backups.logic import TableData, build_dump, parse_dump, serialize
from handlers.retail.backups.restore import CATALOG_MIGRATIONS, main, restore
from handlers.retail.backups.snapshot import RestoreRefused, data_tables, read_snapshot
from handlers.shared.db import Database, IntegrityConflict
from handlers.shared.migrate import apply_service_migrations
from tests.handlers.retail.backups.conftest import FIXTURE_MIGRATIONS, Pair

NOW = dt.datetime(2024, 3, 5, 3, 0, tzinfo=dt.UTC)
OWNERS = [
    {"id": "o1", "name": "Zoë Ñandú ☃ 日本", "note": None, "balance": Decimal("12.50"), "photo": b"\x00\x01\xff",
     "born": "1990-02-03"},
    {"id": "o2", "name": "Bob", "note": "line\nbreak 'quoted' \"dq\" %s :name", "balance": None, "photo": None,
     "born": None},
]  # fmt: skip
PETS = [
    {"owner_id": "o1", "seq": 2, "name": "Rex", "weight": Decimal("30.05")},
    {"owner_id": "o1", "seq": 1, "name": "Mía", "weight": Decimal("4.00")},
    {"owner_id": "o2", "seq": 1, "name": "Tom", "weight": Decimal("0.99")},
]


def insert(db: Database, table: str, rows: list[dict[str, Any]]) -> None:
    with db.transaction() as tx:
        for row in rows:
            cols = ", ".join(row)
            values = {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}  # as the stores bind money
            names = ", ".join(":" + c for c in row)
            tx.execute(f"INSERT INTO {table} ({cols}) VALUES ({names})", values)  # noqa: S608 (test constants)


def snapshot(db: Database, **kw: Any) -> tuple[list[str], dict[str, TableData]]:
    with db.transaction() as tx:
        return read_snapshot(tx, **kw)


def dump_bytes(db: Database, **kw: Any) -> bytes:
    return serialize(build_dump(NOW, *snapshot(db, **kw)))


def fixture_source(pair: Pair) -> Database:
    db = pair.source.db
    apply_service_migrations(db, FIXTURE_MIGRATIONS)
    insert(db, "owners", OWNERS)
    insert(db, "pets", PETS)
    with db.transaction() as tx:
        tx.execute("UPDATE counters SET value = 41 WHERE name = 'ticket'")
    return db


def test_round_trip_on_a_fixture_schema(pair: Pair):
    first = dump_bytes(fixture_source(pair))
    dump = parse_dump(first)
    assert dump.row_counts() == {"counters": 1, "idempotent_requests": 0, "owners": 2, "pets": 3}
    assert dump.tables["owners"].rows[0][:4] == ["o1", "Zoë Ñandú ☃ 日本", None, "12.50"]
    assert dump.tables["owners"].rows[0][4] == {"$b64": "AAH/"}
    assert [r[:2] for r in dump.tables["pets"].rows] == [["o1", 1], ["o1", 2], ["o2", 1]], "ordered by key"
    assert dump.tables["counters"].rows == [["ticket", 41]]
    lines: list[str] = []
    counts = restore(pair.target.db, dump, migrations_dir=FIXTURE_MIGRATIONS, progress=lines.append)
    assert counts == {"counters": 1, "idempotent_requests": 0, "owners": 2, "pets": 3}
    assert "pets: 3 rows" in lines
    assert dump_bytes(pair.target.db) == first, "dump -> restore -> dump gives the same data"
    with pair.target.db.transaction() as tx:  # the restored database still enforces its foreign keys
        row = tx.query_one("SELECT photo, balance FROM owners WHERE id = 'o1'")
        assert row is not None and bytes(row["photo"]) == b"\x00\x01\xff"
        assert Decimal(str(row["balance"])) == Decimal("12.50")
    with pytest.raises(IntegrityConflict), pair.target.db.transaction() as tx:
        tx.execute("INSERT INTO pets (owner_id, seq, name, weight) VALUES ('nobody', 1, 'x', 1)")


def test_the_export_is_one_snapshot(pair: Pair):
    """A transaction committed by another connection while the export reads (after it read ``owners``, before
    ``pets``) shows up in neither table, although it touched both."""
    fixture_source(pair)
    url = pair.source.url

    def write_both() -> None:
        other = Database.from_url(url)
        try:
            with other.transaction() as tx:
                tx.execute("INSERT INTO owners (id, name) VALUES ('o3', 'Late')")
                tx.execute("INSERT INTO pets (owner_id, seq, name, weight) VALUES ('o3', 1, 'Late pet', 1.00)")
                tx.execute("UPDATE counters SET value = 99")
        finally:
            other.close()

    def after(table: str) -> None:
        if table == "owners":
            thread = threading.Thread(target=write_both)
            thread.start()
            thread.join(timeout=30)
            assert not thread.is_alive(), "the export must not block writers"

    dump = parse_dump(dump_bytes(pair.source.db, on_table=after))
    assert dump.row_counts() == {"counters": 1, "idempotent_requests": 0, "owners": 2, "pets": 3}
    assert dump.tables["counters"].rows == [["ticket", 41]]
    later = parse_dump(dump_bytes(pair.source.db))
    assert later.row_counts() == {"counters": 1, "idempotent_requests": 0, "owners": 3, "pets": 4}, (
        "the write did commit"
    )


def test_a_non_empty_target_is_refused(pair: Pair):
    dump = parse_dump(dump_bytes(fixture_source(pair)))
    apply_service_migrations(pair.target.db, FIXTURE_MIGRATIONS)
    insert(pair.target.db, "owners", [{"id": "x", "name": "Already here"}])
    with pytest.raises(RestoreRefused, match=r"not empty: owners \(1 rows\)"):
        restore(pair.target.db, dump, migrations_dir=FIXTURE_MIGRATIONS, progress=lambda _: None)
    with pair.target.db.transaction() as tx:
        assert tx.query("SELECT id FROM owners") == [{"id": "x"}]


def test_a_migrated_but_unused_target_counts_as_empty(pair: Pair):
    """Rows the migrations seed (a counter's first value) do not make a target non-empty; the dump's replace them."""
    dump = parse_dump(dump_bytes(fixture_source(pair)))
    apply_service_migrations(pair.target.db, FIXTURE_MIGRATIONS)
    restore(pair.target.db, dump, migrations_dir=FIXTURE_MIGRATIONS, progress=lambda _: None)
    assert parse_dump(dump_bytes(pair.target.db)).tables["counters"].rows == [["ticket", 41]]


# --- the real retail schema, through the command ------------------------------------------------------------------


def retail_source(db: Database) -> None:
    apply_service_migrations(db, CATALOG_MIGRATIONS)
    at = "2024-03-04T10:00:00+00:00"
    insert(db, "products", [{"id": "p1", "sku": "TEA-1", "name": "Té verde 🍵", "category": "tea",
                             "price": Decimal("4.25"), "min_stock": 2, "active": 1, "created_at": at,
                             "updated_at": at}])  # fmt: skip
    insert(db, "stock", [{"product_id": "p1", "stock": 8, "updated_at": at}])
    insert(db, "clients", [{"id": "c1", "document_id": "D-1", "name": "Ana", "email": None, "phone": None,
                            "created_at": at, "updated_at": at}])  # fmt: skip
    insert(db, "sales", [{"id": "s1", "number": "S-000001", "client_id": "c1", "seller_id": "u1",
                          "payment_method": "CASH", "subtotal": Decimal("8.50"), "tax_rate": "0.18",
                          "tax": Decimal("1.53"), "total": Decimal("10.03"), "status": "COMPLETED",
                          "created_at": at, "voided_at": None, "voided_by": None}])  # fmt: skip
    insert(db, "sale_items", [{"sale_id": "s1", "product_id": "p1", "sku": "TEA-1", "name": "Té verde 🍵",
                               "quantity": 2, "unit_price": Decimal("4.25"),
                               "line_total": Decimal("8.50")}])  # fmt: skip
    key = {"owner_id": "u1", "idem_key": "k1", "request_hash": "0" * 64, "resource_id": "s1",
           "response": '{"id": "s1"}', "created_at": at}  # fmt: skip
    insert(db, "idempotent_requests", [key])
    insert(db, "stock_movements", [{"id": "m1", "product_id": "p1", "kind": "SALE", "delta": -2, "reason": None,
                                    "sale_id": "s1", "user_id": "u1", "created_at": at}])  # fmt: skip
    with db.transaction() as tx:
        tx.execute("UPDATE counters SET value = 1 WHERE name = 'sale'")


needs_catalog = pytest.mark.skipif(not CATALOG_MIGRATIONS.is_dir(), reason="the retail schema has no migrations")


@needs_catalog
def test_round_trip_of_the_retail_schema_through_the_command(pair: Pair, tmp_path, capsys):
    retail_source(pair.source.db)
    first = dump_bytes(pair.source.db)
    dump = parse_dump(first)
    assert {"products", "stock", "sales", "sale_items", "idempotent_requests", "counters"} <= set(dump.tables)
    assert not {"outbox", "processed_events", "schema_migrations"} & set(dump.tables)
    assert "shared-001" in dump.schema_versions and "001" in dump.schema_versions
    path = tmp_path / "retail.json.gz"
    path.write_bytes(first)
    assert main([str(path), "--database-url", pair.target.url]) == 0
    out = capsys.readouterr().out
    assert "sales: 1 rows" in out and "restored" in out
    assert dump_bytes(pair.target.db) == first
    assert main([str(path), "--database-url", pair.target.url]) == 2, "a second restore is refused"
    err = capsys.readouterr().err
    assert err.startswith("restore: refused: the target database is not empty") and err.count("\n") == 1


@needs_catalog
def test_the_command_refuses_a_dump_newer_than_the_code(pair: Pair, tmp_path, capsys):
    retail_source(pair.source.db)
    versions, tables = snapshot(pair.source.db)
    path = tmp_path / "future.json.gz"
    path.write_bytes(serialize(build_dump(NOW, [*versions, "999"], tables)))
    assert main([str(path), "--database-url", pair.target.url]) == 2
    err = capsys.readouterr().err
    assert "schema versions this code does not have (999)" in err and err.count("\n") == 1
    with pair.target.db.transaction() as tx:  # nothing was touched
        assert data_tables(tx) == []


def test_the_command_names_a_bad_file_in_one_line(tmp_path, capsys):
    target = f"sqlite:///{tmp_path}/t.db"
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip at all")
    assert main([str(bad), "--database-url", target]) == 2
    assert capsys.readouterr().err == f"restore: {bad}: not a gzip file\n"
    assert main([str(tmp_path / "missing.json.gz"), "--database-url", target]) == 2
    err = capsys.readouterr().err
    assert "missing.json.gz: No such file or directory" in err and err.count("\n") == 1
    assert "Traceback" not in err
