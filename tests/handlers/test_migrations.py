"""Migrations apply once, in order, on SQLite and MariaDB; edited or badly named files are refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from handlers.shared.db import Database
from handlers.shared.migrate import MigrationError, apply_migrations, apply_service_migrations, split_statements

CREATE = """-- owners of moves
CREATE TABLE owners (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    email VARCHAR(100) NOT NULL
);
CREATE TABLE moves (id VARCHAR(36) NOT NULL PRIMARY KEY, note VARCHAR(100));
"""
SEED = "INSERT INTO owners (id, email) VALUES ('o1', 'a;b@x');\nINSERT INTO moves (id, note) VALUES ('m1', '100%');\n"
ALTER = "CREATE INDEX owners_email ON owners (email);\n"


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


def _versions(db: Database) -> list[str]:
    with db.transaction() as tx:
        return [r["version"] for r in tx.query("SELECT version FROM schema_migrations ORDER BY version")]


def test_migrations_apply_in_numeric_order_once(database: Database, tmp_path: Path) -> None:
    # 010 sorts before 002 as text; the runner orders by number, so 002 (the seed) needs 001 (the tables) first.
    directory = _write(tmp_path / "m", {"010_index.sql": ALTER, "002_seed.sql": SEED, "001_create.sql": CREATE})
    assert apply_migrations(database, directory) == ["001", "002", "010"]
    assert _versions(database) == ["001", "002", "010"]
    with database.transaction() as tx:
        assert tx.query("SELECT email FROM owners") == [{"email": "a;b@x"}]
        assert tx.query("SELECT note FROM moves") == [{"note": "100%"}]
    assert apply_migrations(database, directory) == []
    with database.transaction() as tx:
        assert len(tx.query("SELECT id FROM owners")) == 1, "re-running applied nothing twice"


def test_new_migrations_are_applied_on_the_next_run(database: Database, tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"001_create.sql": CREATE})
    assert apply_migrations(database, directory) == ["001"]
    _write(directory, {"002_seed.sql": SEED})
    assert apply_migrations(database, directory) == ["002"]


def test_a_changed_applied_migration_is_refused_by_name(database: Database, tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"001_create.sql": CREATE, "002_seed.sql": SEED})
    apply_migrations(database, directory)
    _write(directory, {"001_create.sql": CREATE + "-- edited\n", "003_index.sql": ALTER})
    with pytest.raises(MigrationError, match="^001_create.sql: changed after it was applied"):
        apply_migrations(database, directory)
    assert _versions(database) == ["001", "002"], "nothing else is applied when a checksum differs"


def test_line_endings_do_not_change_the_checksum(database: Database, tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"001_create.sql": CREATE})
    apply_migrations(database, directory)
    (directory / "001_create.sql").write_bytes(CREATE.replace("\n", "\r\n").encode())
    assert apply_migrations(database, directory) == []


def test_a_failing_migration_names_file_and_statement_and_is_not_recorded(database: Database, tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"001_create.sql": CREATE, "002_bad.sql": "INSERT INTO nowhere VALUES (1);\n"})
    with pytest.raises(MigrationError, match="^002_bad.sql: statement 1 failed"):
        apply_migrations(database, directory)
    assert _versions(database) == ["001"]


def test_sqlite_rolls_back_a_failed_migration_entirely(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/db.sqlite")
    bad = "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n"
    directory = _write(tmp_path / "m", {"001_half.sql": bad})
    with pytest.raises(MigrationError):
        apply_migrations(db, directory)
    with db.transaction() as tx:
        assert tx.query("SELECT name FROM sqlite_master WHERE name = 'half'") == []
    db.close()


def test_each_applied_migration_is_logged(database: Database, tmp_path: Path, caplog) -> None:
    directory = _write(tmp_path / "m", {"001_create.sql": CREATE, "002_seed.sql": SEED})
    with caplog.at_level(logging.INFO, logger="handlers.shared.migrate"):
        apply_migrations(database, directory)
    assert [r.getMessage() for r in caplog.records] == [
        "applied migration 001_create.sql (2 statements)",
        "applied migration 002_seed.sql (2 statements)",
    ]


@pytest.mark.parametrize(
    ("files", "match"),
    [
        ({"1_init.sql": CREATE}, "^1_init.sql: migration files must be named NNN_description.sql"),
        ({"001_Init.sql": CREATE}, "^001_Init.sql: migration files must be named"),
        ({"001_a.sql": CREATE, "0001_b.sql": ALTER}, r"^001_a.sql: version 001 is also used by 0001_b.sql"),
    ],
)
def test_badly_named_or_duplicate_files_are_refused(tmp_path: Path, files: dict[str, str], match: str) -> None:
    db = Database.from_url("sqlite:///:memory:")
    with pytest.raises(MigrationError, match=match):
        apply_migrations(db, _write(tmp_path / "m", files))


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="^migrations_dir: .* is not a directory"):
        apply_migrations(Database.from_url("sqlite:///:memory:"), tmp_path / "nope")


def test_other_files_are_ignored(tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"001_create.sql": CREATE, "README.md": "notes"})
    assert apply_migrations(Database.from_url("sqlite:///:memory:"), directory) == ["001"]


def test_statements_split_only_on_a_semicolon_ending_a_line() -> None:
    sql = (
        "-- header comment;\n"
        "CREATE TABLE t (\n  x VARCHAR(10) DEFAULT 'a;b'\n);  \n"
        "INSERT INTO t VALUES ('c;'); \n"
        "-- only a comment\n"
        "INSERT INTO t VALUES ('no trailing semicolon')"
    )
    assert split_statements(sql) == [
        "-- header comment;\nCREATE TABLE t (\n  x VARCHAR(10) DEFAULT 'a;b'\n)",
        "INSERT INTO t VALUES ('c;')",
        "-- only a comment\nINSERT INTO t VALUES ('no trailing semicolon')",
    ]
    assert split_statements("-- nothing here;\n\n-- at all\n") == []


def test_service_migrations_start_with_the_shared_tables(database, tmp_path):
    (tmp_path / "001_things.sql").write_text("CREATE TABLE things (id VARCHAR(36) NOT NULL PRIMARY KEY);\n")
    applied = apply_service_migrations(database, tmp_path)
    assert applied == ["shared-001", "shared-002", "shared-003", "shared-004", "001"]
    assert apply_service_migrations(database, tmp_path) == []
    with database.transaction() as tx:
        tx.execute(
            "INSERT INTO outbox (event_id, detail_type, detail, created_at) VALUES ('e1', 'X', '{}', '2026-01-01')"
        )
        tx.execute("INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ('c', 'e1', 'now')")
        assert tx.query_one("SELECT attempts FROM outbox WHERE event_id = 'e1'") == {"attempts": 0}


def test_a_service_without_migrations_still_gets_the_shared_tables(database, tmp_path):
    assert apply_service_migrations(database, tmp_path / "missing") == [f"shared-00{n}" for n in range(1, 5)]
