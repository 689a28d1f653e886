"""Database fixtures: every database test runs on SQLite and, when ``MARIADB_URL`` is set, on MariaDB.

``MARIADB_URL`` is an admin URL without a database, e.g. ``mysql://test:test@127.0.0.1:3306/``; each MariaDB
test gets a fresh, randomly named database that is dropped afterwards. Without it MariaDB cases skip, unless
``REQUIRE_MARIADB=1`` (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest

from handlers.shared.db import Database


def require_mariadb(what: str = "MARIADB_URL not set") -> None:
    """Skip (or fail under ``REQUIRE_MARIADB=1``) because MariaDB, or a feature of it, is missing."""
    if os.environ.get("REQUIRE_MARIADB") == "1":
        pytest.fail(f"{what}, but REQUIRE_MARIADB=1")
    pytest.skip(what)


@dataclass(frozen=True)
class MariaDB:
    """The server under test: where it is and an admin connection to it."""

    url: str
    host: str
    port: int
    user: str
    password: str
    admin: Database

    def url_for(self, database: str) -> str:
        """The server URL pointing at ``database``, keeping its credentials and query."""
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDB]:
    url = os.environ.get("MARIADB_URL")
    if not url:
        require_mariadb()
    admin = Database.from_url(url)
    parts = urlsplit(url)
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    yield MariaDB(url, parts.hostname or "", parts.port or 3306, user, password, admin)
    admin.close()


def fresh_name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(5)}"


@pytest.fixture
def mariadb_database(mariadb: MariaDB) -> Iterator[Database]:
    """A new, empty MariaDB database, dropped after the test."""
    name = fresh_name("t")
    with mariadb.admin.transaction() as tx:
        tx.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    db = Database.from_url(mariadb.url_for(name))
    try:
        yield db
    finally:
        db.close()
        with mariadb.admin.transaction() as tx:
            tx.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on a SQLite file and on MariaDB."""
    if request.param == "mariadb":
        yield request.getfixturevalue("mariadb_database")
        return
    db = Database.from_url(f"sqlite:///{tmp_path}/test.db")
    yield db
    db.close()
