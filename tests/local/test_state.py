"""What the local runtime keeps between starts: databases named after the state folder, ``--reset`` that empties
users and data together (on SQLite and on MariaDB), a start that refuses users and data that do not belong together,
and the demo data banner that shows the data as it is now.

The MariaDB cases use the server at ``MARIADB_URL`` (``MARIADB_SSL_CA``, when set, makes them connect over verified
TLS); without it they skip, unless ``REQUIRE_MARIADB=1``, which turns the skip into a failure."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from architectures import SYSTEMS
from handlers.shared.db import Database
from local import demo
from local.cognito import DEMO_PASSWORD, sign_in
from local.runtime import LocalRuntime, Options, StartError, free_base_port
from local.state import MYSQL_NAME_LIMIT, Control, Stamp, StateError, Storage, pair

CLIENT = {"document_id": "77665544", "name": "Ana"}


# --- names and pairing, without a runtime --------------------------------------------------------------------------
def test_database_names_follow_the_state_folder(tmp_path, monkeypatch):
    server = "mysql://u:p@127.0.0.1:3306/?ssl=true"
    one, other = Storage(tmp_path / "one", server), Storage(tmp_path / "other", server)
    monkeypatch.chdir(tmp_path)
    assert Storage(Path("one"), server).urls(SYSTEMS["retail"]) == one.urls(SYSTEMS["retail"]), "the same folder"
    deep = Storage(tmp_path / ("x" * 200), server)
    for system in SYSTEMS.values():
        names, others = one.database_names(system).values(), set(other.database_names(system).values())
        assert all(n.startswith(f"{one.prefix}_{system.name}_") and n not in others for n in names)
        assert all(len(n) <= MYSQL_NAME_LIMIT for n in deep.database_names(system).values())
    assert one.urls(SYSTEMS["retail"])["retail"] == f"mysql://u:p@127.0.0.1:3306/{one.prefix}_retail_retail?ssl=true"
    assert one.owned()[-1] == one.prefix, "the owner record is dropped last"
    assert Storage(tmp_path).urls(SYSTEMS["retail"]) == {"retail": f"sqlite:///{tmp_path}/data/retail/retail.db"}


OLD = Stamp("a" * 32, "2026-01-01T00:00:00+00:00")
NEW = Stamp("b" * 32, "2026-02-01T00:00:00+00:00")
UNSTAMPED = Stamp("", "")


@pytest.mark.parametrize(
    ("users", "data", "expected"),
    [
        (OLD, OLD, OLD),
        (UNSTAMPED, OLD, OLD),  # kept by an earlier version: takes the other's stamp
        (OLD, UNSTAMPED, OLD),
        (None, OLD, "users (/s/cognito/retail.json) are gone"),
        (OLD, None, "are new or were emptied"),
        (OLD, NEW, "come from different starts"),
        (UNSTAMPED, None, "are new or were emptied"),
        (None, UNSTAMPED, "are gone"),
    ],
)
def test_users_and_data_must_belong_to_the_same_start(users, data, expected):
    if isinstance(expected, Stamp):
        assert pair("retail", users, data, Path("/s/cognito/retail.json"), "here") == expected
        return
    with pytest.raises(StateError, match="--reset") as raised:
        pair("retail", users, data, Path("/s/cognito/retail.json"), "here")
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_nothing_saved_starts_a_new_pair():
    first, second = pair("retail", None, None, Path("f"), "here"), pair("retail", None, None, Path("f"), "here")
    assert first.state_id and first.state_id != second.state_id


# --- helpers for runtimes --------------------------------------------------------------------------------------------
def start(options: Options) -> LocalRuntime:
    runtime = LocalRuntime(options, say=lambda line: None)
    try:
        runtime.start()
    except BaseException:
        runtime.stop()
        raise
    return runtime


def refusal(options: Options) -> str:
    """The one line a start that must refuse gives."""
    with pytest.raises(StartError) as raised:
        start(options)
    assert "\n" not in str(raised.value)
    return str(raised.value)


def admin(runtime: LocalRuntime) -> httpx.Client:
    retail = runtime.systems["retail"]
    token = sign_in(runtime._session(), retail.auth, "admin@retail.local", DEMO_PASSWORD)["IdToken"]
    return httpx.Client(base_url=retail.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=15)


def add_client(runtime: LocalRuntime) -> None:
    with admin(runtime) as api:
        created = api.post("/clients", json=CLIENT)
    assert created.status_code == 201, created.text


def client_documents(runtime: LocalRuntime) -> list[str]:
    with admin(runtime) as api:
        listed = api.get("/clients", params={"limit": 100})
    assert listed.status_code == 200, listed.text
    return [c["document_id"] for c in listed.json()["items"]]


def saved_subs_of(users: list[dict]) -> set[str]:
    return {next(a["Value"] for a in u["attributes"] if a["Name"] == "sub") for u in users}


def saved_subs(state_dir: Path) -> set[str]:
    return saved_subs_of(json.loads((state_dir / "cognito" / "retail.json").read_text())["users"])


def retail(state_dir: Path, database_url: str | None = None) -> Options:
    return Options(systems=("retail",), state_dir=state_dir, base_port=free_base_port(("retail",)),
                   database_url=database_url)  # fmt: skip


# --- SQLite ------------------------------------------------------------------------------------------------------
def test_sqlite_users_and_data_out_of_step_are_refused_until_reset(tmp_path):
    state = tmp_path / "state"
    (tmp_path / "state" / "demo").mkdir(parents=True)  # a folder the runtime did not write, as `make demo`'s
    first = start(retail(state))
    try:
        add_client(first)
    finally:
        first.stop()
    shutil.move(state / "cognito", tmp_path / "cognito")
    assert "are gone" in refusal(retail(state)), "users recreated while their data is kept"
    assert not (state / "cognito").exists(), "a refused start writes no users"
    shutil.move(tmp_path / "cognito", state / "cognito")
    shutil.move(state / "data", tmp_path / "data")
    assert "are new or were emptied" in refusal(retail(state)), "data gone while the users are kept"

    subs = saved_subs(state)
    again = start(replace(retail(state), reset=True))
    try:
        assert client_documents(again) == [] and not saved_subs(state) & subs, "both start afresh"
    finally:
        again.stop()
    assert (state / "demo").is_dir(), "--reset removes only what the runtime wrote"


def test_state_an_earlier_version_kept_is_adopted(tmp_path):
    first = start(retail(tmp_path))
    try:
        add_client(first)
    finally:
        first.stop()
    saved = tmp_path / "cognito" / "retail.json"  # as the earlier version left it: users only, and no stamps
    saved.write_text(json.dumps(json.loads(saved.read_text())["users"]))
    (tmp_path / "data" / "runtime.db").unlink()
    subs = saved_subs_of(json.loads(saved.read_text()))
    again = start(retail(tmp_path))
    try:
        assert client_documents(again) == [CLIENT["document_id"]] and saved_subs(tmp_path) == subs
        assert json.loads(saved.read_text())["state_id"], "stamped from now on"
    finally:
        again.stop()


def test_the_demo_data_banner_shows_the_stock_as_it_is_now(tmp_path):
    first = start(retail(tmp_path))
    try:
        assert "ACE-1L (6 in stock, minimum 5)" in demo.seed(demo.runtime_target(first))[0]
        with admin(first) as api:
            oil = next(i for i in api.get("/stock", params={"limit": 100}).json()["items"] if i["sku"] == "ACE-1L")
            moved = api.post("/stock/adjustments", json={"product_id": oil["product_id"], "delta": -4,
                                                         "reason": "count"})  # fmt: skip
        assert moved.status_code in (200, 201), moved.text
    finally:
        first.stop()
    second = start(retail(tmp_path))
    try:
        (line,) = demo.seed(demo.runtime_target(second))
        assert "ACE-1L (2 in stock, minimum 5)" in line and "Cliente Demo (45871236)" in line, line
    finally:
        second.stop()


# --- MariaDB -----------------------------------------------------------------------------------------------------
@pytest.fixture
def server() -> Iterator[str]:
    """The MariaDB server's URL; every database of the test's state folders is dropped afterwards."""
    url = os.environ.get("MARIADB_URL")
    if not url:
        if os.environ.get("REQUIRE_MARIADB") == "1":
            pytest.fail("MARIADB_URL not set, but REQUIRE_MARIADB=1")
        pytest.skip("MARIADB_URL not set")
    if os.environ.get("MARIADB_SSL_CA"):
        url = f"{url.split('?')[0]}?ssl_ca={quote(os.environ['MARIADB_SSL_CA'])}"
    yield url


@pytest.fixture
def admin_db(server: str, tmp_path: Path) -> Iterator[Database]:
    db = Database.from_url(server)
    yield db
    owned = (
        {n for folder in tmp_path.iterdir() for n in Storage(folder, server).owned()} if tmp_path.exists() else set()
    )
    found = set(databases(db))
    with db.transaction() as tx:
        for name in sorted(owned & found, key=len, reverse=True):
            tx.execute(f"DROP DATABASE `{name}`")
    db.close()


def databases(db: Database) -> list[str]:
    with db.transaction() as tx:
        return [str(r["name"]) for r in tx.query("SELECT schema_name AS name FROM information_schema.schemata")]


def test_mariadb_data_is_the_state_folders_and_reset_empties_it_with_the_users(tmp_path, server, admin_db):
    one, other = tmp_path / "one", tmp_path / "other"
    foreign = f"t_foreign_{os.getpid()}"
    with admin_db.transaction() as tx:
        tx.execute(f"CREATE DATABASE IF NOT EXISTS `{foreign}`")
    try:
        first = start(retail(one, server))
        try:
            add_client(first)
        finally:
            first.stop()
        beside = start(retail(other, server))  # another runtime on the same server
        try:
            assert client_documents(beside) == [], "another state folder never sees this one's data"
        finally:
            beside.stop()
        again = start(retail(one, server))
        try:
            assert client_documents(again) == [CLIENT["document_id"]], "the same state folder finds its data"
        finally:
            again.stop()

        subs = saved_subs(one)
        reset = start(replace(retail(one, server), reset=True))
        try:
            assert client_documents(reset) == [], "--reset empties the databases"
            assert not saved_subs(one) & subs, "... and the users, together"
        finally:
            reset.stop()
        present = set(databases(admin_db))
        assert foreign in present, "a database the runtime does not own is left alone"
        beside_storage = Storage(other, server)
        kept = {beside_storage.prefix, *beside_storage.database_names(SYSTEMS["retail"]).values()}
        assert kept <= present, "so are another state folder's"
    finally:
        with admin_db.transaction() as tx:
            tx.execute(f"DROP DATABASE IF EXISTS `{foreign}`")


def test_mariadb_users_and_data_out_of_step_are_refused(tmp_path, server, admin_db):
    storage = Storage(tmp_path / "state", server)
    start(retail(storage.state_dir, server)).stop()
    (data,) = storage.database_names(SYSTEMS["retail"]).values()
    with admin_db.transaction() as tx:
        tx.execute(f"DROP DATABASE `{data}`")
    assert "are new or were emptied" in refusal(retail(storage.state_dir, server))

    start(replace(retail(storage.state_dir, server), reset=True)).stop()
    shutil.rmtree(storage.state_dir / "cognito")
    line = refusal(retail(storage.state_dir, server))
    assert "are gone" in line and "run with --reset" in line


def test_mariadb_databases_without_this_folders_owner_record_are_never_used_nor_dropped(tmp_path, server, admin_db):
    storage = Storage(tmp_path / "state", server)
    (name,) = storage.database_names(SYSTEMS["retail"]).values()
    with admin_db.transaction() as tx:
        tx.execute(f"CREATE DATABASE `{name}`")
    (storage.state_dir / "cognito").mkdir(parents=True)
    for reset in (False, True):
        assert "no local_" in refusal(replace(retail(storage.state_dir, server), reset=reset))
    assert name in databases(admin_db)
    assert (storage.state_dir / "cognito").is_dir(), "a refused reset removes nothing"

    with admin_db.transaction() as tx:  # an owner record that names another folder (a hash collision)
        tx.execute(f"CREATE DATABASE `{storage.prefix}`")
    other = Control(Database.from_url(storage.control_url()))
    other.create("/elsewhere")
    other.close()
    line = refusal(replace(retail(storage.state_dir, server), reset=True))
    assert "belongs to the runtime of /elsewhere" in line
    assert {name, storage.prefix} <= set(databases(admin_db))
