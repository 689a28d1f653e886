"""The tracking routes through the real resolver, with canonical API Gateway events, on SQLite and MariaDB."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

from handlers.moving.tracking.usecases import TrackingUseCases
from handlers.shared.db import Database
from handlers.shared.outbox import EventPublisher
from tests.events import said
from tests.handlers.moving.conftest import (
    CUSTOMER,
    EMPLOYEE,
    OTHER_CUSTOMER,
    START,
    RecordingEvents,
    UnreachableBus,
    assigned,
    call_app,
    completed,
    count,
    deliver,
    outbox,
    registered,
    run_together,
)
from tests.handlers.moving.tracking.conftest import SOURCE, app_on, position

POST = "POST /moves/{id}/positions"
GET = "GET /moves/{id}/tracking"


def tracked_move(consumer, *, owner: str = "c-ana", truck: bool = True) -> str:
    move_id = str(uuid.uuid4())
    events = [registered(move_id, owner)] + ([assigned(move_id)] if truck else [])
    assert deliver(consumer, *events) == {"batchItemFailures": []}
    return move_id


# --- POST /moves/{id}/positions ------------------------------------------------------------------------------------


def test_a_position_on_an_open_session_is_accepted_stored_and_announced(call, consumer, db, sent):
    move_id = tracked_move(consumer)
    status, body = call(POST, EMPLOYEE, move_id=move_id, body=position("2026-03-10T09:59:30Z"))
    assert (status, body) == (202, {"move_id": move_id, "accepted": True})
    [event] = outbox(db)
    assert event["detail_type"] == "PositionRecorded" and event["published_at"] is not None
    detail = event["detail"]
    assert (detail["move_id"], detail["lat"], detail["lon"]) == (move_id, -12.05, -77.04)
    assert detail["recorded_at"].startswith("2026-03-10T09:59:30")
    assert [(e["Source"], e["DetailType"]) for e in sent.entries] == [(SOURCE, "PositionRecorded")]
    assert sent.details() == [detail]


def test_the_same_fix_sent_again_is_accepted_but_stored_and_announced_once(call, consumer, db, sent):
    move_id = tracked_move(consumer)
    for _ in range(2):
        assert call(POST, EMPLOYEE, move_id=move_id, body=position("2026-03-10T09:59:30Z"))[0] == 202
    assert call(POST, EMPLOYEE, move_id=move_id, body=position("2026-03-10T04:59:30-05:00"))[0] == 202
    assert count(db, "positions") == 1 and len(outbox(db)) == 1 and len(sent.entries) == 1


def test_an_unreachable_bus_does_not_lose_the_position_or_its_event(consumer, db, clock):
    app = app_on(db, EventPublisher("moving", SOURCE, events_client=UnreachableBus()), clock=clock)
    move_id = tracked_move(consumer)
    assert call_app(app, POST, EMPLOYEE, move_id=move_id, body=position(START))[0] == 202
    [event] = outbox(db)
    assert event["published_at"] is None, "the outbox-relay schedule publishes it later"


def test_a_move_without_a_truck_refuses_positions_saying_why(call, consumer, db):
    move_id = tracked_move(consumer, truck=False)
    status, body = call(POST, EMPLOYEE, move_id=move_id, body=position(START))
    assert status == 409 and "no truck is assigned to it yet" in body["message"]
    assert count(db, "positions") == 0 and outbox(db) == []


def test_a_completed_move_refuses_positions_saying_why(call, consumer, db):
    move_id = tracked_move(consumer)
    deliver(consumer, completed(move_id))
    status, body = call(POST, EMPLOYEE, move_id=move_id, body=position(START))
    assert status == 409 and "tracking session was closed at" in body["message"] and "completed" in body["message"]
    assert outbox(db) == []


def test_an_unknown_move_is_a_404(call):
    assert said(call(POST, EMPLOYEE, move_id="nope", body=position(START))) == (404, "no move nope")


def test_out_of_range_or_future_fields_are_a_422_naming_them(call, consumer):
    move_id = tracked_move(consumer)
    for body, field in [
        (position(START, lat=91), "lat"),
        (position(START, lon=-180.5), "lon"),
        (position(START + timedelta(minutes=6)), "recorded_at"),
        (position("not a date"), "recorded_at"),
        (position("0001-01-01T00:00:19+00:01"), "recorded_at"),  # before year 1 in UTC: was a 500
        ({"lat": 1, "lon": 2}, "recorded_at"),
    ]:
        status, answer = call(POST, EMPLOYEE, move_id=move_id, body=body)
        assert status == 422 and [e["field"] for e in answer["errors"]] == [field], (body, answer)
    status, answer = call(POST, EMPLOYEE, move_id=move_id, body=position(START + timedelta(minutes=6)))
    assert "5 minutes in the future" in answer["errors"][0]["message"]


def test_a_body_that_is_not_a_json_object_is_a_400(call, consumer):
    move_id = tracked_move(consumer)
    assert call(POST, EMPLOYEE, move_id=move_id, body="{not json")[0] == 400
    assert call(POST, EMPLOYEE, move_id=move_id, body="[1, 2]")[0] == 400


def test_customers_may_not_post_positions(call, consumer, db):
    move_id = tracked_move(consumer)
    assert call(POST, CUSTOMER, move_id=move_id, body=position(START))[0] == 403
    assert count(db, "positions") == 0


def twin(db: Database) -> Database:
    """Another connection to the same database (a Database holds one connection)."""
    return Database(db.dialect, sqlite_path=db._sqlite_path, mysql=db._mysql)


def test_drivers_posting_while_the_move_completes_either_land_before_the_close_or_get_a_409(consumer, db, clock):
    move_id = tracked_move(consumer)
    databases = [twin(db) for _ in range(5)]
    apps = [app_on(d, EventPublisher("moving", SOURCE, events_client=RecordingEvents()), clock=clock)
            for d in databases[:4]]  # fmt: skip
    closer = type(consumer)(TrackingUseCases(databases[4], clock=clock))
    start, results = threading.Barrier(5), []

    def post(app: Any, second: int) -> None:
        start.wait()
        body = position(START + timedelta(seconds=second))
        results.append(call_app(app, POST, EMPLOYEE, move_id=move_id, body=body)[0])

    def close() -> None:
        start.wait()
        assert deliver(closer, completed(move_id)) == {"batchItemFailures": []}

    threads = [threading.Thread(target=post, args=(a, i)) for i, a in enumerate(apps)]
    threads.append(threading.Thread(target=close))
    run_together(threads, databases)
    accepted = results.count(202)
    assert sorted(results) == [202] * accepted + [409] * (4 - accepted)
    assert count(db, "positions") == accepted == len(outbox(db))
    with db.transaction() as tx:
        row = tx.query_one("SELECT status FROM tracked_moves WHERE move_id = :m", {"m": move_id})
    assert row == {"status": "CLOSED"}


# --- GET /moves/{id}/tracking --------------------------------------------------------------------------------------


def test_the_owner_sees_the_session_with_its_path_in_time_order(call, consumer):
    move_id = tracked_move(consumer)
    for second, lat in [(20, -12.2), (0, -12.0), (10, -12.1)]:  # the phone sends a buffered fix late
        body = position(START + timedelta(seconds=second), lat=lat)
        assert call(POST, EMPLOYEE, move_id=move_id, body=body)[0] == 202
    status, body = call(GET, CUSTOMER, move_id=move_id)
    assert status == 200
    assert body["move_id"] == move_id and body["truck_id"] == "t-1" and body["status"] == "OPEN"
    assert [p["lat"] for p in body["path"]] == [-12.0, -12.1, -12.2]
    assert body["last_position"] == {"lat": -12.2, "lon": -77.04,
                                     "recorded_at": "2026-03-10T10:00:20.000000+00:00"}  # fmt: skip
    assert call(GET, EMPLOYEE, move_id=move_id) == (200, body)


def test_the_path_is_capped_at_the_latest_positions(store, consumer, call):
    move_id = tracked_move(consumer)
    for second in range(5):
        assert call(POST, EMPLOYEE, move_id=move_id, body=position(START + timedelta(seconds=second)))[0] == 202
    assert [p.recorded_at.second for p in store.path(move_id, limit=3)] == [2, 3, 4]


def test_a_new_session_has_no_position_yet_and_a_completed_one_is_closed(call, consumer):
    move_id = tracked_move(consumer)
    assert call(GET, CUSTOMER, move_id=move_id)[1] == {
        "move_id": move_id, "truck_id": "t-1", "status": "OPEN", "last_position": None, "path": []
    }  # fmt: skip
    call(POST, EMPLOYEE, move_id=move_id, body=position(START))
    deliver(consumer, completed(move_id))
    status, body = call(GET, CUSTOMER, move_id=move_id)
    assert status == 200 and body["status"] == "CLOSED" and len(body["path"]) == 1


def test_another_customers_move_is_a_404_like_an_unknown_one(call, consumer):
    move_id = tracked_move(consumer)
    assert said(call(GET, OTHER_CUSTOMER, move_id=move_id)) == (404, f"no move {move_id}")
    assert said(call(GET, CUSTOMER, move_id="nope")) == (404, "no move nope")


def test_a_move_without_a_truck_is_a_404_that_says_so(call, consumer):
    move_id = tracked_move(consumer, truck=False)
    status, body = call(GET, CUSTOMER, move_id=move_id)
    assert status == 404
    assert body["message"] == f"move {move_id} has no tracking session yet: no truck is assigned to it"


def test_until_the_owner_is_known_only_employees_see_the_session(call, consumer):
    move_id = str(uuid.uuid4())
    deliver(consumer, assigned(move_id))
    assert call(GET, CUSTOMER, move_id=move_id)[0] == 404
    assert call(GET, EMPLOYEE, move_id=move_id)[0] == 200
    deliver(consumer, registered(move_id, "c-ana"))
    assert call(GET, CUSTOMER, move_id=move_id)[0] == 200


def test_signed_out_callers_are_refused(call, consumer):
    move_id = tracked_move(consumer)
    assert call(GET, None, move_id=move_id)[0] == 401
