"""What a local runtime keeps between starts, and where: its state folder and its databases.

- The state folder (``--state-dir``, default ``.local/``) holds local Cognito's users (``cognito/<system>.json``),
  the SQLite files (``data/``) and, while the runtime is up, ``endpoints.json``. ``--reset`` removes those, and
  nothing else in the folder (``make demo`` keeps its own state folder inside ``.local/``).
- On a MariaDB/MySQL server (``--database-url``) every database the runtime uses is named ``local_<key>_…``, where
  ``<key>`` is a short hash of the state folder's absolute path: two runtimes with different state folders never
  share data, and the same folder finds its data again after a restart (a moved folder starts afresh). The database
  ``local_<key>`` records which folder owns them; the runtime never uses nor drops a database without that record,
  and ``--reset`` drops exactly the databases it owns, then starts them again empty.
- Each system's sign-in state and its data carry the same :class:`Stamp`, drawn when both start empty (the
  runtime keeps it in ``local_runtime_state``, in ``data/runtime.db`` on SQLite or ``local_<key>`` on a server). A
  start that finds them apart, such as users recreated while the data was kept (its rows would name users who no
  longer exist) or the reverse, stops with one line that asks for ``--reset``, which empties both together.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from architectures import SYSTEMS, spec
from handlers.shared.db import Database

KEY_LENGTH = 8
"""Hex digits of the state folder's hash in database names: 32 bits, and the owner record catches a collision."""
MYSQL_NAME_LIMIT = 64
OWNED_IN_STATE_DIR = ("data", "cognito", "endpoints.json")
"""What the runtime writes in its state folder: what ``--reset`` removes."""


class StateError(Exception):
    """The saved state cannot be used as it is; the message is one line that says what to do."""


@dataclass(frozen=True)
class Stamp:
    """Which start a system's sign-in state or data belongs to. ``state_id`` is ``""`` for state that an earlier
    version of the runtime kept without a stamp."""

    state_id: str
    since: str

    @classmethod
    def new(cls) -> Stamp:
        return cls(uuid.uuid4().hex, datetime.now(UTC).isoformat(timespec="seconds"))

    def when(self) -> str:
        return f"since {self.since}" if self.since else "kept by an earlier version"


def state_key(state_dir: Path) -> str:
    """A short stable hash of the state folder's absolute path."""
    return hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:KEY_LENGTH]


def pair(system: str, users: Stamp | None, data: Stamp | None, users_file: Path, where: str) -> Stamp:
    """The stamp a system starts with, given its saved users' stamp and its data's (None: there is none). Both
    missing: a new stamp. One missing, or two that differ: :class:`StateError`. An unstamped one takes the other's."""
    if users is None and data is None:
        return Stamp.new()
    if users is None:
        assert data is not None
        raise StateError(
            f"{system}: the databases ({where}) hold data ({data.when()}) but local Cognito's saved users "
            f"({users_file}) are gone, so every user would get a new id and lose that data: run with --reset"
        )
    if data is None:
        raise StateError(
            f"{system}: local Cognito's saved users ({users_file}, {users.when()}) are kept but the databases "
            f"({where}) are new or were emptied, so their data is gone: run with --reset"
        )
    if users.state_id and data.state_id and users.state_id != data.state_id:
        raise StateError(
            f"{system}: local Cognito's saved users ({users_file}, {users.when()}) and the databases ({where}, "
            f"{data.when()}) come from different starts: run with --reset"
        )
    return users if users.state_id else data if data.state_id else Stamp.new()


@dataclass(frozen=True)
class Storage:
    """Where a runtime's data lives: SQLite files in the state folder, or databases on a MariaDB/MySQL server."""

    state_dir: Path
    server_url: str | None = None
    """``mysql://user:pass@host:port/[?query]``; None for SQLite."""

    @property
    def key(self) -> str:
        return state_key(self.state_dir)

    @property
    def prefix(self) -> str:
        return f"local_{self.key}"

    @property
    def where(self) -> str:
        if not self.server_url:
            return f"SQLite in {self.state_dir / 'data'}"
        parts = urlsplit(self.server_url)
        return f"{parts.hostname}:{parts.port or 3306}"

    def database_names(self, system: spec.System) -> dict[str, str]:
        """Each schema's database: its name on a server, its file with SQLite."""
        schemas = [s.schema_name for s in system.services if s.schema_name]
        if not self.server_url:
            return {schema: str(self.state_dir / "data" / system.name / f"{schema}.db") for schema in schemas}
        names = {schema: f"{self.prefix}_{system.name}_{schema}" for schema in schemas}
        for name in names.values():
            if len(name) > MYSQL_NAME_LIMIT:
                raise ValueError(f"{name}: longer than MySQL's {MYSQL_NAME_LIMIT}-character limit for a database")
        return names

    def shown(self, system: spec.System, relative_to: Path) -> str:
        """The system's databases in one short phrase, e.g. ``local_1a2b3c4d_moving_{moves, fleet}``."""
        schemas = list(self.database_names(system))
        listed = schemas[0] if len(schemas) == 1 else "{" + ", ".join(schemas) + "}"
        if self.server_url:
            return f"{self.prefix}_{system.name}_{listed} on {self.where}"
        folder = self.state_dir.resolve() / "data" / system.name
        shown = folder.relative_to(relative_to) if folder.is_relative_to(relative_to) else folder
        return f"SQLite {shown}/{listed}.db"

    def urls(self, system: spec.System) -> dict[str, str]:
        """Each schema's database URL."""
        names = self.database_names(system)
        if not self.server_url:
            return {schema: f"sqlite:///{path}" for schema, path in names.items()}
        return {schema: self._server_url(name) for schema, name in names.items()}

    def owned(self) -> list[str]:
        """Every database on the server this state folder owns: each declared system's (enabled or not), then the
        owner record's own."""
        return [name for system in SYSTEMS.values() for name in self.database_names(system).values()] + [self.prefix]

    def _server_url(self, database: str) -> str:
        assert self.server_url
        return urlunsplit(urlsplit(self.server_url)._replace(path=f"/{database}"))

    # --- reset and ownership ------------------------------------------------------------------------------------
    def reset(self, say: Callable[[str], None]) -> None:
        """Empty everything the runtime owns: its files in the state folder and, on a server, its databases. Nothing
        is removed unless every database to drop is certainly this folder's."""
        with contextlib.ExitStack() as stack:
            server = stack.enter_context(self._server()) if self.server_url else None
            dropped = [name for name in self.owned() if name in self._claim(server)] if server else []
            removed = []
            for name in OWNED_IN_STATE_DIR:
                path = self.state_dir / name
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
                else:
                    continue
                removed.append(name)
            say(f"-> reset: removed {', '.join(removed) or 'nothing'} in {self.state_dir}")
            if server:
                with server.transaction() as tx:
                    for name in dropped:
                        tx.execute(f"DROP DATABASE `{name}`")
                say(f"-> reset: dropped {len(dropped)} database(s) {self.prefix}* on {self.where}")

    @contextlib.contextmanager
    def _server(self) -> Iterator[Database]:
        server = Database.from_url(self._server_url(""))
        try:
            yield server
        finally:
            server.close()

    def _claim(self, server: Database) -> set[str]:
        """The owned databases that exist on the server, once it is certain this state folder owns them."""
        with server.transaction() as tx:
            found = set(self.owned()) & {str(r["name"]) for r in tx.query(
                "SELECT schema_name AS name FROM information_schema.schemata")}  # fmt: skip
        if self.prefix in found:
            owner = self._owner(server)
            if owner not in ("", str(self.state_dir.resolve())):
                raise StateError(
                    f"database {self.prefix} on {self.where} belongs to "
                    + (f"the runtime of {owner}" if owner else "something else (it has no owner record)")
                    + f", not to the runtime of {self.state_dir.resolve()}: use another --state-dir"
                )
        elif found:
            raise StateError(
                f"database {sorted(found)[0]} on {self.where} exists, but no {self.prefix} database records that "
                f"this state folder owns it: drop it yourself or use another --state-dir"
            )
        return found

    def _owner(self, server: Database) -> str | None:
        """The state folder the owner record names; ``""`` if its creation was cut short (no other table, no row)."""
        with server.transaction() as tx:
            tables = {str(r["name"]).lower() for r in tx.query(
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = :db",
                {"db": self.prefix})}  # fmt: skip
        row = None
        if "local_runtime_state" in tables:
            control = Database.from_url(self.control_url())
            try:
                with control.transaction() as tx:
                    row = tx.query_one("SELECT value FROM local_runtime_state WHERE name = 'owner'")
            finally:
                control.close()
        if row:
            return str(row["value"])
        return "" if tables <= {"local_runtime_state"} else None

    # --- the owner record and each system's stamp --------------------------------------------------------------------
    def control_url(self) -> str:
        if not self.server_url:
            return f"sqlite:///{self.state_dir / 'data' / 'runtime.db'}"
        return self._server_url(self.prefix)

    def open(self) -> Control:
        """The runtime's own record, created if missing, once it is certain the databases it names are ours."""
        if self.server_url:
            with self._server() as server:
                self._claim(server)
                with server.transaction() as tx:
                    tx.execute(f"CREATE DATABASE IF NOT EXISTS `{self.prefix}` CHARACTER SET utf8mb4 "
                               "COLLATE utf8mb4_unicode_ci")  # fmt: skip
        control = Control(Database.from_url(self.control_url()))
        control.create(str(self.state_dir.resolve()))
        return control

    def existing(self, system: spec.System) -> set[str]:
        """The system's schemas whose database (or SQLite file) exists already."""
        names = self.database_names(system)
        if not self.server_url:
            return {schema for schema, path in names.items() if Path(path).exists()}
        with self._server() as server, server.transaction() as tx:
            found = {str(r["name"]) for r in tx.query("SELECT schema_name AS name FROM information_schema.schemata")}
        return {schema for schema, name in names.items() if name in found}


class Control:
    """``local_runtime_state``: who owns the databases, and each system's data stamp."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, owner: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS local_runtime_state (name VARCHAR(100) PRIMARY KEY, "
                       "value VARCHAR(2000) NOT NULL)")  # fmt: skip
            if not tx.query_one("SELECT value FROM local_runtime_state WHERE name = 'owner'"):
                tx.execute("INSERT INTO local_runtime_state (name, value) VALUES ('owner', :owner)", {"owner": owner})

    def stamp(self, system: str) -> Stamp | None:
        with self.db.transaction() as tx:
            row = tx.query_one("SELECT value FROM local_runtime_state WHERE name = :name", {"name": f"data:{system}"})
        if row is None:
            return None
        state_id, _, since = str(row["value"]).partition(" ")
        return Stamp(state_id, since)

    def record(self, system: str, stamp: Stamp) -> None:
        name, value = f"data:{system}", f"{stamp.state_id} {stamp.since}"
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM local_runtime_state WHERE name = :name", {"name": name})
            tx.execute("INSERT INTO local_runtime_state (name, value) VALUES (:name, :value)",
                       {"name": name, "value": value})  # fmt: skip

    def close(self) -> None:
        self.db.close()
