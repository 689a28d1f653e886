"""The moves API driven by canonical API Gateway events, on SQLite and MariaDB, with the declared group rules."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from typing import Any

import pytest

from handlers.moving.moves import api, logic
from handlers.moving.moves.events import ProgressConsumer
from handlers.moving.moves.logic import Status
from handlers.moving.moves.store import MIGRATIONS
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.outbox import EventPublisher
from tests.events import http_request, said, sqs_batch
from tests.handlers.moving.conftest import (
    CUSTOMER,
    EMPLOYEE,
    OTHER_CUSTOMER,
    Call,
    Clock,
    RecordingEvents,
    UnreachableBus,
    call_app,
    count,
    outbox,
    run_together,
)
from tests.handlers.moving.moves.conftest import SOURCE, app_on, in_days, new_move


def register(call: Call, who: dict[str, str] = CUSTOMER, **changes: Any) -> dict[str, Any]:
    status, body = call("POST /moves", who, body=new_move(**changes))
    assert status == 201, body
    return body


def test_a_move_registered_without_an_email_in_the_token_is_refused_with_what_to_send(call, db):
    status, body = call("POST /moves", {**CUSTOMER, "email": ""}, body=new_move())
    assert status == 400 and "send the id token" in body["message"]
    assert count(db, "moves") == 0


def test_a_retried_registration_with_its_idempotency_key_makes_one_move(call, db):
    key = {"Idempotency-Key": "move-of-ana-1"}
    first = call("POST /moves", CUSTOMER, body=new_move(), headers=key)
    assert first[0] == 201
    assert call("POST /moves", CUSTOMER, body=new_move(), headers=key) == first
    assert count(db, "moves") == 1 and len(outbox(db)) == 1, "one move, one MoveRegistered"


def assign(consumer: ProgressConsumer, move_id: str, truck_id: str = "t1", plate: str = "1234-ABC") -> None:
    detail = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-03-10T10:00:00Z", "move_id": move_id,
              "truck_id": truck_id, "plate": plate, "assigned_by": "auto"}  # fmt: skip
    assert consumer.process(sqs_batch(("TruckAssigned", "moving.fleet", detail)), None) == {"batchItemFailures": []}


# --- POST /moves --------------------------------------------------------------------------------------------------


def test_a_customer_registers_a_move(call, clock):
    body = register(call)
    assert uuid.UUID(body["id"]).version == 4
    assert body == {
        "id": body["id"],
        "status": "REGISTERED",
        "origin": {"address": "Calle Mayor 1", "city": "Madrid"},
        "destination": {"address": "Rua Augusta 2", "city": "Lisboa"},
        "move_date": in_days(30),
        "volume_m3": 12.5,
        "notes": "Piano on the second floor",
        "truck": None,
        "tracking": None,
        "created_at": "2026-03-10T10:00:00.000000+00:00",
    }
    assert call("GET /moves/{id}", CUSTOMER, move_id=body["id"]) == (200, body)


def test_registering_puts_move_registered_in_the_outbox_and_relays_it(call, db, sent: RecordingEvents):
    body = register(call, notes=None)
    [row] = outbox(db)
    assert row["detail_type"] == "MoveRegistered" and row["published_at"] is not None
    detail = row["detail"]
    assert uuid.UUID(detail.pop("event_id")) and detail.pop("occurred_at").startswith("2026-03-10T10:00:00")
    assert detail.pop("metadata") == {"correlation_id": None}, "called without the entry wrapper: no request id"
    assert detail == {
        "move_id": body["id"],
        "customer_id": "c-ana",
        "customer_email": "ana@example.com",
        "move_date": in_days(30),
        "volume_m3": 12.5,
        "origin": {"address": "Calle Mayor 1", "city": "Madrid"},
        "destination": {"address": "Rua Augusta 2", "city": "Lisboa"},
    }
    [entry] = sent.entries
    assert (entry["EventBusName"], entry["Source"], entry["DetailType"]) == ("moving", SOURCE, "MoveRegistered")


def test_a_bus_outage_after_commit_keeps_the_move_and_its_pending_event(store, db):
    app = app_on(db, EventPublisher("moving", SOURCE, events_client=UnreachableBus()))
    status, body = call_app(app, "POST /moves", CUSTOMER, body=new_move())
    assert status == 201
    [row] = outbox(db)
    assert row["published_at"] is None and row["detail"]["move_id"] == body["id"], "the relay schedule sends it later"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"move_date": in_days(-1)}, "move_date"),
        ({"move_date": "2026-02-30"}, "move_date"),
        ({"volume_m3": 0}, "volume_m3"),
        ({"volume_m3": 101}, "volume_m3"),
        ({"origin": {"address": "Calle Mayor 1"}}, "origin.city"),
        ({"destination": {"address": "Rua Augusta 2", "city": ""}}, "destination.city"),
        ({"notes": "x" * 1001}, "notes"),
        ({"volume_m3": ...}, "volume_m3"),
        ({"status": "COMPLETED"}, "status"),
    ],
)
def test_each_bad_field_is_a_422_naming_it_and_nothing_is_written(call, db, changes, field):
    status, body = call("POST /moves", CUSTOMER, body=new_move(**changes))
    assert status == 422 and body["message"] == "the request is not valid"
    assert [e["field"] for e in body["errors"]] == [field]
    assert count(db, "moves") == 0 and outbox(db) == []


def test_a_past_date_is_explained(call):
    status, body = call("POST /moves", CUSTOMER, body=new_move(move_date=in_days(-1)))
    assert status == 422 and body["errors"][0]["message"].startswith("must be today or later")


@pytest.mark.parametrize("raw", ["{not json", "[]", None])
def test_a_body_that_is_not_a_json_object_is_a_400(call, db, raw):
    status, _ = call("POST /moves", CUSTOMER, body=raw)
    assert status == 400 and count(db, "moves") == 0


def test_employees_do_not_register_moves_and_customers_do_not_complete_them(call):
    assert call("POST /moves", EMPLOYEE, body=new_move())[0] == 403
    move = register(call)
    assert call("POST /moves/{id}/complete", CUSTOMER, move_id=move["id"])[0] == 403


def test_nobody_signed_in_is_a_401(call):
    assert call("GET /moves", None)[0] == 401


# --- GET /moves/{id} -------------------------------------------------------------------------------------------------


def test_another_customers_move_is_a_404_like_a_missing_one(call):
    move = register(call)
    assert said(call("GET /moves/{id}", OTHER_CUSTOMER, move_id=move["id"])) == (404, f"no move {move['id']}")
    assert said(call("GET /moves/{id}", CUSTOMER, move_id="nope")) == (404, "no move nope")
    assert call("GET /moves/{id}", EMPLOYEE, move_id=move["id"]) == (200, move)


def test_the_move_shows_its_truck_and_tracking(call, consumer):
    move = register(call)
    assign(consumer, move["id"])
    detail = {"event_id": "p1", "occurred_at": "2026-03-10T11:00:00Z", "move_id": move["id"], "lat": 40.41,
              "lon": -3.7, "recorded_at": "2026-03-10T11:00:00Z"}  # fmt: skip
    batch = sqs_batch(("PositionRecorded", "moving.tracking", detail))
    assert consumer.process(batch, None) == {"batchItemFailures": []}
    status, body = call("GET /moves/{id}", CUSTOMER, move_id=move["id"])
    assert status == 200 and body["status"] == "TRUCK_ASSIGNED"
    assert body["truck"] == {"id": "t1", "plate": "1234-ABC"}
    assert body["tracking"] == {
        "last_position": {"lat": 40.41, "lon": -3.7},
        "updated_at": "2026-03-10T11:00:00.000000+00:00",
    }


# --- POST /moves/{id}/complete ---------------------------------------------------------------------------------


def test_an_employee_completes_an_assigned_move(call, consumer, db, sent):
    move = register(call)
    assign(consumer, move["id"], truck_id="t7")
    status, body = call("POST /moves/{id}/complete", EMPLOYEE, move_id=move["id"])
    assert status == 200 and body["status"] == "COMPLETED" and body["truck"]["id"] == "t7"
    registered, completed = outbox(db)
    assert completed["detail_type"] == "MoveCompleted" and completed["published_at"] is not None
    assert {k: completed["detail"][k] for k in ("move_id", "truck_id")} == {"move_id": move["id"], "truck_id": "t7"}
    assert [e["DetailType"] for e in sent.entries] == ["MoveRegistered", "MoveCompleted"]


def test_a_refused_transition_is_a_409_naming_the_status_and_emits_nothing(call, consumer, db):
    move = register(call)
    assert said(call("POST /moves/{id}/complete", EMPLOYEE, move_id=move["id"])) == (
        409,
        f"move {move['id']} is REGISTERED; cannot complete it",
    )
    assign(consumer, move["id"])
    assert call("POST /moves/{id}/complete", EMPLOYEE, move_id=move["id"])[0] == 200
    assert said(call("POST /moves/{id}/complete", EMPLOYEE, move_id=move["id"])) == (
        409,
        f"move {move['id']} is COMPLETED; cannot complete it",
    )
    assert [r["detail_type"] for r in outbox(db)] == ["MoveRegistered", "MoveCompleted"]


def test_completing_an_unknown_move_is_a_404(call):
    assert said(call("POST /moves/{id}/complete", EMPLOYEE, move_id="nope")) == (404, "no move nope")


def twin(db: Database) -> Database:
    """Another connection to the same database (a Database holds one connection)."""
    return Database(db.dialect, sqlite_path=db._sqlite_path, mysql=db._mysql)


def test_employees_completing_at_once_complete_it_once(call, consumer, db, monkeypatch):
    move = register(call)
    assign(consumer, move["id"])
    decide = logic.complete

    def slow_complete(*args: Any) -> Any:  # widens the read-then-write window the row lock must close
        time.sleep(0.1)
        return decide(*args)

    monkeypatch.setattr(logic, "complete", slow_complete)
    databases = [twin(db) for _ in range(4)]
    apps = [app_on(d, EventPublisher("moving", SOURCE, events_client=RecordingEvents()))
            for d in databases]  # fmt: skip
    start, results = threading.Barrier(len(apps)), []

    def complete(app: Any) -> None:
        start.wait()
        results.append(call_app(app, "POST /moves/{id}/complete", EMPLOYEE, move_id=move["id"])[0])

    threads = [threading.Thread(target=complete, args=(a,)) for a in apps]
    run_together(threads, databases)
    assert sorted(results) == [200, 409, 409, 409]
    assert [r["detail_type"] for r in outbox(db)] == ["MoveRegistered", "MoveCompleted"]


# --- GET /moves ------------------------------------------------------------------------------------------------------


def test_customers_list_their_own_moves_and_employees_all_newest_first(call):
    mine = [register(call)["id"] for _ in range(2)]
    theirs = register(call, OTHER_CUSTOMER)["id"]
    status, body = call("GET /moves", CUSTOMER)
    assert status == 200 and [m["id"] for m in body["items"]] == mine[::-1] and body["next_cursor"] is None
    assert [m["id"] for m in call("GET /moves", EMPLOYEE)[1]["items"]] == [theirs, *mine[::-1]]


def test_employees_filter_by_status(call, consumer):
    first, second = register(call)["id"], register(call)["id"]
    assign(consumer, first)
    status, body = call("GET /moves", EMPLOYEE, query={"status": "TRUCK_ASSIGNED"})
    assert status == 200 and [m["id"] for m in body["items"]] == [first]
    assert [m["id"] for m in call("GET /moves", EMPLOYEE, query={"status": "REGISTERED"})[1]["items"]] == [second]
    assert call("GET /moves", EMPLOYEE, query={"status": "COMPLETED"})[1]["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "LOST"}, "status"), ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
     ({"limit": "many"}, "limit")],
)  # fmt: skip
def test_bad_listing_parameters_are_422(call, query, field):
    status, body = call("GET /moves", EMPLOYEE, query=query)
    assert status == 422 and [e["field"] for e in body["errors"]] == [field]


def test_a_cursor_this_list_did_not_return_is_a_400(call):
    status, body = call("GET /moves", EMPLOYEE, query={"cursor": "not-a-cursor"})
    assert status == 400 and "without a cursor" in body["message"]


def walk(call: Call, who: dict[str, str], limit: int, **query: str) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        params = {"limit": str(limit), **query, **({"cursor": cursor} if cursor else {})}
        status, body = call("GET /moves", who, query=params)
        assert status == 200
        pages.append([m["id"] for m in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_pages_walk_every_move_once(call):
    ids = [register(call)["id"] for _ in range(5)]
    register(call, OTHER_CUSTOMER)
    newest_first = ids[::-1]
    assert walk(call, CUSTOMER, 2) == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    assert walk(call, CUSTOMER, 5) == [newest_first]
    assert sum(walk(call, EMPLOYEE, 4), []) == [*walk(call, EMPLOYEE, 100)[0]]
    assert len(walk(call, EMPLOYEE, 100)[0]) == 6


def test_pages_stay_exact_when_moves_share_a_timestamp(db, sent):
    app = app_on(db, EventPublisher("moving", SOURCE, events_client=sent), clock=Clock(step=0))
    ids = [call_app(app, "POST /moves", CUSTOMER, body=new_move())[1]["id"] for _ in range(5)]
    pages = walk(lambda *a, **k: call_app(app, *a, **k), CUSTOMER, 2)
    assert [len(p) for p in pages] == [2, 2, 1] and sorted(sum(pages, [])) == sorted(ids)
    assert sum(pages, []) == sorted(ids, reverse=True), "ties are ordered by id"


def test_the_default_page_is_twenty(call):
    for _ in range(21):
        register(call)
    status, body = call("GET /moves", CUSTOMER)
    assert len(body["items"]) == 20 and body["next_cursor"] is not None


# --- failures ------------------------------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("route_key", "who", "kwargs"),
    [
        ("POST /moves", CUSTOMER, {"body": new_move()}),
        ("GET /moves", EMPLOYEE, {}),
        ("GET /moves/{id}", CUSTOMER, {"move_id": "m1"}),
        ("POST /moves/{id}/complete", EMPLOYEE, {"move_id": "m1"}),
    ],
)
def test_an_unreachable_database_is_a_503(route_key, who, kwargs, sent):
    down = Database.mysql("127.0.0.1", closed_port(), user="moves", password="secret", database="moves")
    app = app_on(down, EventPublisher("moving", SOURCE, events_client=sent))
    assert said(call_app(app, route_key, who, **kwargs)) == (
        503,
        "the service is temporarily unavailable; try again shortly",
    )
    assert sent.entries == []


def test_a_move_is_never_written_without_its_event(call, db):
    with db.transaction() as tx:
        tx.execute("DROP TABLE outbox")
    status, body = call("POST /moves", CUSTOMER, body=new_move())
    assert said((status, body)) == (500, "internal error")
    assert count(db, "moves") == 0


# --- the Lambda entry point -----------------------------------------------------------------------------------------


def test_the_handler_wires_itself_from_the_environment(tmp_path, monkeypatch, moto_bus):
    url = f"sqlite:///{tmp_path}/moves.db"
    env = {"SYSTEM_NAME": "moving", "SERVICE_NAME": "moves", "DATABASE_URL": url, "EVENT_BUS_NAME": "moving",
           "EVENT_SOURCE": SOURCE}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    db = Database.from_url(url)
    apply_service_migrations(db, MIGRATIONS)
    db.close()
    api.router.reset()
    try:
        event = http_request("POST /moves", body=new_move(), lambda_context=CUSTOMER)
        response = api.handler(event, None)
        assert response["statusCode"] == 201
        assert (
            api.handler(http_request("POST /moves", body=new_move(), lambda_context=EMPLOYEE), None)["statusCode"]
            == 403
        ), "the declared group rules reach the handler"
    finally:
        api.router.reset()
    [delivered] = moto_bus.received()
    assert delivered["detail-type"] == "MoveRegistered" and delivered["source"] == SOURCE


def test_registered_and_completed_reach_a_subscriber_through_the_bus(db, consumer, moto_bus):
    app = app_on(db, EventPublisher("moving", SOURCE))
    status, move = call_app(app, "POST /moves", CUSTOMER, body=new_move())
    assign(consumer, move["id"], truck_id="t3")
    assert call_app(app, "POST /moves/{id}/complete", EMPLOYEE, move_id=move["id"])[0] == 200
    delivered = moto_bus.received() + moto_bus.received()
    by_type = {d["detail-type"]: d["detail"] for d in delivered}
    assert set(by_type) == {"MoveRegistered", "MoveCompleted"}
    assert by_type["MoveRegistered"]["move_id"] == move["id"]
    completed = by_type["MoveCompleted"]
    assert (completed["move_id"], completed["truck_id"]) == (move["id"], "t3")
    assert Status(move["status"]) is Status.REGISTERED
