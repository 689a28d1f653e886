"""No outbound call outlasts the function that makes it: the AWS call budgets and the database timeouts against the
declared function timeouts, and a bus or a database that accepts connections but never answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from architectures import SYSTEMS
from architectures.spec import OUTBOX_RELAY
from handlers.shared import aws
from handlers.shared.aws import AFTER_COMMIT, IN_REQUEST
from handlers.shared.db import CONNECT_TIMEOUT_SECONDS, STATEMENT_TIMEOUT_SECONDS, Database, DatabaseUnavailable
from handlers.shared.events import EventDetail
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import SCHEDULE_RUN_SECONDS, EventPublisher, add_to_outbox, drain
from handlers.shared.usecases import UseCases
from tests.handlers.conftest import bus_to_queue


class ThingHappened(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "ThingHappened"
    thing_id: str


def api_timeouts() -> list[int]:
    return [service.timeout_seconds for system in SYSTEMS.values() for service in system.services if service.routes]


def test_every_call_an_api_function_makes_ends_within_its_timeout():
    shortest = min(api_timeouts())
    assert IN_REQUEST.worst_case_seconds + AFTER_COMMIT.worst_case_seconds < shortest
    assert shortest > CONNECT_TIMEOUT_SECONDS + STATEMENT_TIMEOUT_SECONDS


def test_the_relay_schedule_stops_draining_before_its_function_does():
    assert SCHEDULE_RUN_SECONDS + IN_REQUEST.worst_case_seconds < OUTBOX_RELAY.timeout_seconds


def test_clients_carry_their_budget(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    aws.client.cache_clear()
    try:
        config = aws.client("events", AFTER_COMMIT).meta.config
        assert (config.connect_timeout, config.read_timeout) == (1, 1)
        assert config.retries == {"mode": "standard", "total_max_attempts": 1}
        assert aws.client("events").meta.config.retries["total_max_attempts"] == IN_REQUEST.attempts
    finally:
        aws.client.cache_clear()


@pytest.fixture
def silent_server() -> Iterator[tuple[str, int]]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a blackholed bus or database."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop, accepted = threading.Event(), []

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:  # closed
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, None)
    return database


def pending(db: Database) -> int:
    with db.transaction() as tx:
        return len(tx.query("SELECT event_id FROM outbox WHERE published_at IS NULL"))


def test_a_hanging_bus_costs_one_write_the_after_commit_budget_and_the_next_writes_nothing(db, silent_server,
                                                                                            monkeypatch):  # fmt: skip
    host, port = silent_server
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws.client.cache_clear()
    use_cases = UseCases(db, EventPublisher("demo", "demo.things"))
    try:
        timings = []
        for n in range(3):
            started = time.monotonic()
            with use_cases.writing() as write:
                write.publish([ThingHappened(thing_id=f"t{n}")])
            timings.append(time.monotonic() - started)
    finally:
        aws.client.cache_clear()
    assert timings[0] < AFTER_COMMIT.worst_case_seconds + 1, timings
    assert max(timings[1:]) < 0.5, f"while the bus is known to be down, writes do not wait for it: {timings}"
    assert pending(db) == 3, "every committed event waits in the outbox for the schedule"


def test_the_schedule_drains_a_backlog_larger_than_one_batch(db, moto):
    subscriber = bus_to_queue("demo", "consumer", "things", {"source": ["demo.things"]})
    with db.transaction() as tx:
        for n in range(230):
            add_to_outbox(tx, ThingHappened(thing_id=f"t{n}"))
    result = drain(db, EventPublisher("demo", "demo.things"))
    assert (result.published, result.failed, pending(db)) == (230, 0, 0)
    assert subscriber.received(), "the events reached the bus"


class DownBus:
    def __init__(self) -> None:
        self.calls = 0

    def put_events(self, Entries: Any) -> dict[str, Any]:  # noqa: N803 (boto3's argument name)
        self.calls += 1
        raise ConnectionError("bus unreachable")


def test_the_schedule_stops_at_the_first_failed_batch_instead_of_trying_the_whole_backlog(db):
    with db.transaction() as tx:
        for n in range(250):
            add_to_outbox(tx, ThingHappened(thing_id=f"t{n}"))
    bus = DownBus()
    result = drain(db, EventPublisher("demo", "demo.things", events_client=bus))
    assert (result.published, result.failed, bus.calls) == (0, 100, 10), "one batch of 100, in calls of 10"
    assert pending(db) == 250


def test_a_database_that_accepts_but_never_answers_is_unavailable_within_the_statement_timeout(silent_server):
    host, port = silent_server
    db = Database.mysql(host, port, user="u", password="p", database="d", statement_timeout=1)
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="database unavailable"), db.transaction():
        pass
    assert time.monotonic() - started < 2, "the server's greeting is waited for as long as a statement"


class StallingProxy:
    """A TCP proxy on 127.0.0.1 to a real server that can stall: once stalled, it takes what either side sends and
    passes nothing on, with every connection left open (a server that hangs mid-transaction)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.stalled = threading.Event()
        self.stop = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.sockets: list[socket.socket] = [self.server]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.getsockname()[1])

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                client = self.server.accept()[0]
                upstream = socket.create_connection(self.target)
            except TimeoutError:
                continue
            except OSError:  # closed
                return
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while not self.stop.is_set():
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            while self.stalled.is_set() and not self.stop.is_set():
                time.sleep(0.05)
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        for sock in self.sockets:
            sock.close()


@pytest.mark.mariadb
def test_a_database_that_stalls_mid_transaction_is_unavailable_within_the_statement_timeout(mariadb):
    proxy = StallingProxy((mariadb.host, mariadb.port))
    db = Database.mysql("127.0.0.1", proxy.port, user=mariadb.user, password=mariadb.password, statement_timeout=1)
    try:
        with pytest.raises(DatabaseUnavailable, match="database unavailable"), db.transaction() as tx:
            assert tx.query_one("SELECT 1 AS one") == {"one": 1}
            proxy.stalled.set()
            started = time.monotonic()
            tx.query("SELECT 2 AS two")
        assert time.monotonic() - started < 2.5
        proxy.stalled.clear()
        with db.transaction() as tx:
            assert tx.query_one("SELECT 3 AS three") == {"three": 3}, "the next transaction reconnects"
    finally:
        db.close()
        proxy.close()
