"""Fixtures of the backups service: pairs of databases (source and restore target) on SQLite and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from handlers.shared.db import Database
from tests.handlers.conftest import MariaDB, fresh_name

FIXTURE_MIGRATIONS = Path(__file__).resolve().parent / "fixture_migrations"


@dataclass
class Place:
    """A database and its URL (to open more connections to it, or to pass to the restore command)."""

    url: str
    db: Database


@dataclass
class Pair:
    source: Place
    target: Place
    engine: str

    def another(self, place: Place) -> Database:
        """A second, independent connection to ``place``."""
        return Database.from_url(place.url)


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """An empty source and an empty target database, both SQLite files or both fresh MariaDB databases."""
    if request.param == "sqlite":
        places = [Place(f"sqlite:///{tmp_path}/{n}.db", Database.from_url(f"sqlite:///{tmp_path}/{n}.db"))
                  for n in ("source", "target")]  # fmt: skip
        yield Pair(places[0], places[1], "sqlite")
        for p in places:
            p.db.close()
        return
    server: MariaDB = request.getfixturevalue("mariadb")
    names = [fresh_name("bk"), fresh_name("bk")]
    with server.admin.transaction() as tx:
        for name in names:
            tx.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    places = [Place(server.url_for(n), Database.from_url(server.url_for(n))) for n in names]
    try:
        yield Pair(places[0], places[1], "mariadb")
    finally:
        for p in places:
            p.db.close()
        with server.admin.transaction() as tx:
            for name in names:
                tx.execute(f"DROP DATABASE IF EXISTS `{name}`")
