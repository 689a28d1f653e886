"""The database layer behaves the same on SQLite and MariaDB."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from handlers.shared import db as dbmod
from handlers.shared.db import Database, DatabaseUnavailable, IntegrityConflict, Transaction, insert_statement

SCHEMA = """
CREATE TABLE owners (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE)
"""
CHILD = """
CREATE TABLE moves (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL,
    note VARCHAR(100),
    FOREIGN KEY (owner_id) REFERENCES owners (id)
)
"""


@pytest.fixture
def tables(database: Database) -> Database:
    with database.transaction() as tx:
        tx.execute(SCHEMA)
        tx.execute(CHILD)
    return database


def test_named_parameters_rows_as_dicts_and_literal_percent(tables: Database) -> None:
    with tables.transaction() as tx:
        assert tx.execute("INSERT INTO owners (id, email) VALUES (:id, :email)", {"id": 1, "email": "a@x"}) == 1
        tx.execute(
            "INSERT INTO moves (id, owner_id, note) VALUES (:id, :owner, '100% done: :not_a_param')",
            {"id": 7, "owner": 1},
        )
    with tables.transaction() as tx:
        row = tx.query_one(
            "SELECT m.id, o.email, m.note FROM moves m JOIN owners o ON o.id = m.owner_id "
            "WHERE m.note LIKE '100%' AND o.email = :email AND m.id = :id AND m.id = :id",
            {"email": "a@x", "id": 7},
        )
        assert row == {"id": 7, "email": "a@x", "note": "100% done: :not_a_param"}
        assert tx.query_one("SELECT id FROM owners WHERE id = :id", {"id": 99}) is None
        assert tx.query("SELECT email FROM owners ORDER BY id") == [{"email": "a@x"}]


def test_an_insert_statement_binds_each_column_by_name(tables: Database) -> None:
    sql = insert_statement("owners", "id, email")
    assert sql == "INSERT INTO owners (id, email) VALUES (:id, :email)"
    with tables.transaction() as tx:
        tx.execute(sql, {"id": 1, "email": "a@x"})
        assert tx.query("SELECT id, email FROM owners") == [{"id": 1, "email": "a@x"}]


def test_lastrowid_reports_the_generated_key(database: Database) -> None:
    key = "INTEGER PRIMARY KEY" if database.dialect == "sqlite" else "INTEGER AUTO_INCREMENT PRIMARY KEY"
    with database.transaction() as tx:
        tx.execute(f"CREATE TABLE owners (id {key}, email VARCHAR(100))")
    with database.transaction() as tx:
        tx.execute("INSERT INTO owners (email) VALUES (:e)", {"e": "first@x"})
        first = tx.lastrowid
        tx.execute("INSERT INTO owners (email) VALUES (:e)", {"e": "second@x"})
        assert tx.lastrowid == first + 1


def test_a_missing_parameter_is_named(tables: Database) -> None:
    with pytest.raises(ValueError, match=r"^params: missing value for :email"), tables.transaction() as tx:
        tx.query("SELECT id FROM owners WHERE email = :email AND id = :id", {"id": 1})


def test_an_exception_rolls_the_whole_transaction_back(tables: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"), tables.transaction() as tx:
        tx.execute("INSERT INTO owners (id, email) VALUES (1, 'a@x')")
        raise RuntimeError("boom")
    with tables.transaction() as tx:
        assert tx.query("SELECT id FROM owners") == []


def test_unique_and_foreign_key_violations_are_integrity_conflicts(tables: Database) -> None:
    with tables.transaction() as tx:
        tx.execute("INSERT INTO owners (id, email) VALUES (1, 'a@x')")
    with pytest.raises(IntegrityConflict), tables.transaction() as tx:
        tx.execute("INSERT INTO owners (id, email) VALUES (2, 'b@x')")
        tx.execute("INSERT INTO owners (id, email) VALUES (3, 'a@x')")
    with pytest.raises(IntegrityConflict), tables.transaction() as tx:
        tx.execute("INSERT INTO moves (id, owner_id) VALUES (1, 42)")
    with tables.transaction() as tx:
        assert tx.query("SELECT id FROM owners") == [{"id": 1}], "the conflicting transaction was rolled back"


def test_a_caught_conflict_leaves_the_transaction_usable(tables: Database) -> None:
    with tables.transaction() as tx:
        tx.execute("INSERT INTO owners (id, email) VALUES (1, 'a@x')")
        with pytest.raises(IntegrityConflict):
            tx.execute("INSERT INTO owners (id, email) VALUES (2, 'a@x')")
        tx.execute("INSERT INTO owners (id, email) VALUES (3, 'c@x')")
    with tables.transaction() as tx:
        assert [r["id"] for r in tx.query("SELECT id FROM owners ORDER BY id")] == [1, 3]


def test_for_update_suffix_runs_on_both_engines(tables: Database) -> None:
    with tables.transaction() as tx:
        tx.execute("INSERT INTO owners (id, email) VALUES (1, 'a@x')")
        assert tx.for_update == tables.for_update == (" FOR UPDATE" if tables.dialect == "mysql" else "")
        assert tx.query_one("SELECT email FROM owners WHERE id = :id", {"id": 1}, lock=True) == {"email": "a@x"}
        by_hand = "SELECT email FROM owners WHERE id = :id" + tx.for_update  # noqa: S608 - a constant suffix
        assert tx.query(by_hand, {"id": 1}) == [{"email": "a@x"}]


def test_transactions_do_not_nest(tables: Database) -> None:
    with tables.transaction(), pytest.raises(RuntimeError, match="^transaction: already inside"), tables.transaction():
        pass


def test_threads_sharing_a_database_take_turns(tables: Database) -> None:
    with tables.transaction() as tx:
        tx.execute("INSERT INTO owners (id, email) VALUES (1, 'counter')")
        tx.execute("INSERT INTO moves (id, owner_id, note) VALUES (1, 1, '0')")

    def bump() -> None:
        for _ in range(20):
            with tables.transaction() as tx:
                row = tx.query_one("SELECT note FROM moves WHERE id = 1", lock=True)
                assert row is not None
                tx.execute("UPDATE moves SET note = :n WHERE id = 1", {"n": str(int(row["note"]) + 1)})

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with tables.transaction() as tx:
        assert tx.query_one("SELECT note FROM moves WHERE id = 1") == {"note": "80"}


def _kill(db: Database, connection_id: int) -> None:
    """Have the server drop a connection, as an idle timeout or a failover would."""
    assert db._mysql is not None
    killer = Database.mysql(**vars(db._mysql))
    with killer.transaction() as tx:
        tx.execute(f"KILL {int(connection_id)}")
    killer.close()


def _connection_id(tx: Transaction) -> int:
    row = tx.query_one("SELECT CONNECTION_ID() AS id")
    assert row is not None
    return int(row["id"])


@pytest.mark.mariadb
def test_an_idle_connection_dropped_by_the_server_is_reopened(mariadb_database: Database) -> None:
    with mariadb_database.transaction() as tx:
        first = _connection_id(tx)
    _kill(mariadb_database, first)
    with mariadb_database.transaction() as tx:
        assert _connection_id(tx) != first


@pytest.mark.mariadb
def test_a_connection_lost_mid_transaction_is_unavailable_then_recovers(mariadb_database: Database) -> None:
    lost = pytest.raises(DatabaseUnavailable, match=r"^database unavailable: mysql \S+:\d+/t_")
    with lost, mariadb_database.transaction() as tx:
        _kill(mariadb_database, _connection_id(tx))
        tx.query("SELECT 1")
    assert "\n" not in str(lost.excinfo.value)
    with mariadb_database.transaction() as tx:
        assert tx.query_one("SELECT 2 AS two") == {"two": 2}


# --- engine specifics and URLs ------------------------------------------------------------------------------------


def test_sqlite_file_databases_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/nested/dir/app.db")
    with db.transaction() as tx:
        assert tx.query_one("PRAGMA journal_mode") == {"journal_mode": "wal"}
        assert tx.query_one("PRAGMA foreign_keys") == {"foreign_keys": 1}
    assert (tmp_path / "nested" / "dir" / "app.db").exists()
    db.close()


def test_sqlite_memory_and_relative_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = Database.from_url("sqlite:///:memory:")
    with memory.transaction() as tx:
        tx.execute("CREATE TABLE t (x INTEGER)")
    with memory.transaction() as tx:
        assert tx.query("SELECT x FROM t") == [], "one connection, so the in-memory database persists"
    monkeypatch.chdir(tmp_path)
    relative = Database.from_url("sqlite:///data/rel.db")
    with relative.transaction() as tx:
        tx.execute("CREATE TABLE t (x INTEGER)")
    relative.close()
    assert (tmp_path / "data" / "rel.db").exists()


def test_sqlite_writers_serialize_with_begin_immediate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbmod, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.05)
    first = Database.from_url(f"sqlite:///{tmp_path}/w.db")
    second = Database.from_url(f"sqlite:///{tmp_path}/w.db")
    with first.transaction() as tx:
        tx.execute("CREATE TABLE t (x INTEGER)")
    with first.transaction() as tx:
        tx.query("SELECT x FROM t")  # a read-only transaction still holds the write lock from its BEGIN
        locked = pytest.raises(DatabaseUnavailable, match="^database unavailable: sqlite .*locked")
        with locked, second.transaction():
            pass
    first.close()
    second.close()


def test_mysql_url_parsing_and_secret_free_repr() -> None:
    db = Database.from_url("mysql://app%40x:p%40ss%3Aw@db.example:3307/shop?ssl=true")
    s = db._mysql
    assert s is not None
    assert (s.host, s.port, s.database, s.ssl) == ("db.example", 3307, "shop", True)
    assert (s.user, s.password) == ("app@x", "p@ss:w")
    assert db.dialect == "mysql"
    assert "p@ss" not in repr(db) and "p@ss" not in repr(s)
    default = Database.from_url("mysql://u:p@h/")._mysql
    assert default is not None and (default.port, default.database, default.ssl) == (3306, "", False)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("postgres://u:p@h/db", "^url: must be sqlite"),
        ("mysql://u:p@h/db?ssl=maybe", "^url: ssl must be"),
        ("sqlite:///", "^url: sqlite needs a path"),
    ],
)
def test_bad_urls_are_rejected(url: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Database.from_url(url)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_is_unavailable_with_host_and_port_but_no_password() -> None:
    port = _closed_port()
    db = Database.from_url(f"mysql://app:hunter2secret@127.0.0.1:{port}/shop")
    with pytest.raises(DatabaseUnavailable) as err, db.transaction():
        pass
    message = str(err.value)
    assert message.startswith(f"database unavailable: mysql 127.0.0.1:{port}/shop")
    assert "hunter2secret" not in message
    assert "\n" not in message


def test_mysql_parameter_translation() -> None:
    sql, names = dbmod._parse(
        "SELECT '50%', `a%b`, \"it''s :no\" FROM t -- :comment %\nWHERE x = :x AND y LIKE :y AND z = :x /* :c */"
    )
    assert names == ("x", "y")
    assert sql == (
        "SELECT '50%%', `a%%b`, \"it''s :no\" FROM t -- :comment %%\n"
        "WHERE x = %(x)s AND y LIKE %(y)s AND z = %(x)s /* :c */"
    )


def test_a_read_only_transaction_reads_alongside_a_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbmod, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.05)
    writer = Database.from_url(f"sqlite:///{tmp_path}/r.db")
    reader = Database.from_url(f"sqlite:///{tmp_path}/r.db")
    with writer.transaction() as tx:
        tx.execute("CREATE TABLE t (x INTEGER)")
        tx.execute("INSERT INTO t (x) VALUES (1)")
    with writer.transaction() as tx:
        tx.execute("INSERT INTO t (x) VALUES (2)")  # holds the write lock, not committed yet
        with reader.transaction(read_only=True) as read:
            assert read.query("SELECT x FROM t") == [{"x": 1}]  # the last committed state, without waiting
    writer.close()
    reader.close()


@pytest.mark.mariadb
def test_a_read_only_transaction_refuses_writes_on_mysql(mariadb_database: Database) -> None:
    with mariadb_database.transaction() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS ro (x INTEGER)")
    with pytest.raises(Exception, match="READ ONLY"), mariadb_database.transaction(read_only=True) as tx:
        tx.execute("INSERT INTO ro (x) VALUES (1)")
    with mariadb_database.transaction(read_only=True) as tx:
        assert tx.query("SELECT COUNT(*) AS n FROM ro") == [{"n": 0}]


def test_a_writer_waits_for_another_writer_s_lock_then_writes(tmp_path: Path) -> None:
    first = Database.from_url(f"sqlite:///{tmp_path}/w2.db")
    second = Database.from_url(f"sqlite:///{tmp_path}/w2.db")
    with first.transaction() as tx:
        tx.execute("CREATE TABLE t (x INTEGER)")
    holding = threading.Event()

    def hold_the_lock() -> None:
        with first.transaction() as tx:
            tx.execute("INSERT INTO t (x) VALUES (1)")
            holding.set()
            time.sleep(0.2)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait()
    with second.transaction() as tx:  # retried until the first commits, not refused
        tx.execute("INSERT INTO t (x) VALUES (2)")
        assert tx.query("SELECT x FROM t ORDER BY x") == [{"x": 1}, {"x": 2}]
    holder.join()
    with second.transaction() as tx:  # the connection's own busy timeout is back for every other statement
        assert tx.query("PRAGMA busy_timeout") == [{"timeout": int(dbmod.SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}]
    first.close()
    second.close()
