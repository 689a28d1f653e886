"""Fleet's routes through canonical API Gateway events, on SQLite and MariaDB."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.moving.fleet.api import router
from handlers.moving.fleet.events import BookingsConsumer
from tests.events import http_request
from tests.handlers.moving.fleet.conftest import (
    CUSTOMER,
    EMPLOYEE,
    as_sqs,
    bookings,
    move_completed,
    move_registered,
    outbox,
)

TRUCK = {"plate": "ab-123-cd", "capacity_m3": 30, "home_city": "Lyon"}


@pytest.fixture
def call(fleet):
    app = router.app(fleet)

    def call(route_key: str, *, caller: dict[str, str] = EMPLOYEE, **kwargs: Any) -> tuple[int, Any]:
        response = app.resolve(http_request(route_key, lambda_context=caller, **kwargs), None)
        return response["statusCode"], json.loads(response["body"])

    return call


def add_truck(call, **fields: Any) -> dict[str, Any]:
    status, body = call("POST /trucks", body={**TRUCK, **fields})
    assert status == 201, body
    return body


def assign(call, move_id: str, truck_id: str) -> tuple[int, Any]:
    return call("POST /moves/{id}/truck", path=f"/moves/{move_id}/truck", body={"truck_id": truck_id},
                path_parameters={"id": move_id})  # fmt: skip


# --- trucks ---------------------------------------------------------------------------------------------------


def test_registering_a_truck_normalizes_its_plate(call):
    truck = add_truck(call)
    assert truck["plate"] == "AB-123-CD" and truck["capacity_m3"] == 30.0
    assert truck["home_city"] == "Lyon" and truck["active"] is True and len(truck["id"]) == 36


def test_a_duplicate_plate_is_a_409_naming_the_plate(call):
    add_truck(call)
    status, body = call("POST /trucks", body={**TRUCK, "plate": "AB-123-cd "})
    assert status == 409 and "AB-123-CD" in body["message"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"plate": "A"}, "plate"),
        ({"plate": "AB 12"}, "plate"),
        ({"plate": "X" * 16}, "plate"),
        ({"capacity_m3": 0}, "capacity_m3"),
        ({"capacity_m3": 101}, "capacity_m3"),
        ({"capacity_m3": "big"}, "capacity_m3"),
        ({"home_city": "  "}, "home_city"),
        ({"active": "maybe"}, "active"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_truck_input_is_a_422_naming_the_field(call, fields, field):
    status, body = call("POST /trucks", body={**TRUCK, **fields})
    assert status == 422
    assert field in [e["field"] for e in body["errors"]]


def test_a_missing_field_is_a_422(call):
    status, body = call("POST /trucks", body={"plate": "AB-1"})
    assert status == 422 and {"capacity_m3", "home_city"} <= {e["field"] for e in body["errors"]}


def test_a_body_that_is_not_json_is_a_400(call):
    assert call("POST /trucks", body="{plate")[0] == 400


def test_customers_cannot_manage_trucks(call):
    assert call("POST /trucks", body=TRUCK, caller=CUSTOMER)[0] == 403
    assert call("GET /trucks", caller=CUSTOMER)[0] == 403
    status, _ = call("POST /moves/{id}/truck", path="/moves/m1/truck", body={"truck_id": "t1"}, caller=CUSTOMER)
    assert status == 403


def test_listing_pages_through_the_trucks_in_plate_order(call):
    for n in range(5):
        add_truck(call, plate=f"T-{n}", active=n % 2 == 0)
    status, page = call("GET /trucks", query={"limit": "2"})
    assert status == 200 and [t["plate"] for t in page["items"]] == ["T-0", "T-1"]
    seen = [t["plate"] for t in page["items"]]
    while page["next_cursor"]:
        status, page = call("GET /trucks", query={"limit": "2", "cursor": page["next_cursor"]})
        seen += [t["plate"] for t in page["items"]]
    assert seen == ["T-0", "T-1", "T-2", "T-3", "T-4"]


def test_listing_filters_on_active(call):
    for n in range(4):
        add_truck(call, plate=f"T-{n}", active=n != 2)
    _, active = call("GET /trucks", query={"active": "true"})
    _, inactive = call("GET /trucks", query={"active": "false"})
    assert [t["plate"] for t in active["items"]] == ["T-0", "T-1", "T-3"] and active["next_cursor"] is None
    assert [t["plate"] for t in inactive["items"]] == ["T-2"]
    _, everything = call("GET /trucks")
    assert len(everything["items"]) == 4


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"active": "perhaps"}])
def test_bad_listing_queries_are_422(call, query):
    assert call("GET /trucks", query=query)[0] == 422


@pytest.mark.parametrize("cursor", ["%%%", "QUJDLTEyMw"])  # garbage, and a plate as earlier cursors held it
def test_a_foreign_cursor_is_a_400_that_says_to_start_again(call, cursor):
    status, body = call("GET /trucks", query={"cursor": cursor})
    assert status == 400 and "first page again" in body["message"]


# --- manual assignment ----------------------------------------------------------------------------------------


@pytest.fixture
def registered(fleet):
    """A move fleet knows about (auto-assignment found no truck: there was none yet)."""
    event = move_registered("m1", on="2026-12-01", volume=20)
    fleet.on_move_registered(BookingsConsumer.name, event)
    return event


def test_assigning_by_hand(call, registered, db, bus):
    truck = add_truck(call)
    status, body = assign(call, "m1", truck["id"])
    assert status == 200
    assert body == {"move_id": "m1", "truck": {"id": truck["id"], "plate": "AB-123-CD"}, "assigned_by": "manual"}
    assert bookings(db) == [
        {"truck_id": truck["id"], "move_id": "m1", "move_date": "2026-12-01", "assigned_by": "manual"}
    ]
    last = outbox(db)[-1]
    assert last[0] == "TruckAssigned"
    assert {k: last[1][k] for k in ("move_id", "truck_id", "plate", "assigned_by")} == {
        "move_id": "m1", "truck_id": truck["id"], "plate": "AB-123-CD", "assigned_by": "manual"
    }  # fmt: skip
    assert ("TruckAssigned", last[1]) in bus.sent(), "relayed after the commit"


def test_reassigning_releases_the_old_booking(call, registered, db):
    first, second = add_truck(call, plate="FIRST-1"), add_truck(call, plate="SECOND-1")
    assert assign(call, "m1", first["id"])[0] == 200
    assert assign(call, "m1", second["id"])[0] == 200
    assert [(b["truck_id"], b["move_id"]) for b in bookings(db)] == [(second["id"], "m1")]
    assert assign(call, "m1", first["id"])[0] == 200, "the first truck is free that day again"
    assert [(b["truck_id"], b["move_id"]) for b in bookings(db)] == [(first["id"], "m1")]


def test_assigning_the_truck_the_move_has_changes_nothing(call, registered, db):
    truck = add_truck(call)
    assign(call, "m1", truck["id"])
    events = len(outbox(db))
    status, body = assign(call, "m1", truck["id"])
    assert status == 200 and body["truck"]["id"] == truck["id"]
    assert len(outbox(db)) == events and len(bookings(db)) == 1


def test_an_unknown_move_is_a_404(call):
    truck = add_truck(call)
    status, body = assign(call, "nope", truck["id"])
    assert status == 404 and "nope" in body["message"]


def test_an_unknown_truck_is_a_404(call, registered):
    status, body = assign(call, "m1", "no-such-truck")
    assert status == 404 and "no-such-truck" in body["message"]


def test_a_truck_busy_that_day_is_a_409_naming_truck_and_date(call, fleet, registered, db):
    truck = add_truck(call)
    fleet.on_move_registered(BookingsConsumer.name, move_registered("m2", on="2026-12-01", volume=10))  # books it
    status, body = assign(call, "m1", truck["id"])
    assert status == 409
    assert "AB-123-CD" in body["message"] and "2026-12-01" in body["message"] and "m2" in body["message"]
    assert [b["move_id"] for b in bookings(db)] == ["m2"]


def test_a_truck_too_small_is_a_409_naming_the_capacities(call, registered):
    truck = add_truck(call, capacity_m3=12.5)
    status, body = assign(call, "m1", truck["id"])
    assert status == 409 and "12.5 m³" in body["message"] and "20.0 m³" in body["message"]


def test_an_inactive_truck_is_a_409(call, registered):
    truck = add_truck(call, active=False)
    status, body = assign(call, "m1", truck["id"])
    assert status == 409 and "inactive" in body["message"]


def test_a_completed_move_is_a_409_naming_its_status(call, fleet, registered, db):
    truck = add_truck(call)
    assert assign(call, "m1", truck["id"])[0] == 200
    fleet.on_move_completed(BookingsConsumer.name, move_completed("m1", truck["id"]))
    status, body = assign(call, "m1", truck["id"])
    assert status == 409 and "completed" in body["message"]
    assert bookings(db) == []


def test_a_refused_assignment_keeps_the_current_booking(call, registered, db):
    good, small = add_truck(call, plate="GOOD-1"), add_truck(call, plate="SMALL-1", capacity_m3=5)
    assign(call, "m1", good["id"])
    assert assign(call, "m1", small["id"])[0] == 409
    assert [b["truck_id"] for b in bookings(db)] == [good["id"]]


def test_a_bad_assignment_body_is_a_422(call, registered):
    status, body = call("POST /moves/{id}/truck", path="/moves/m1/truck", body={"truck": "x"})
    assert status == 422 and "truck_id" in {e["field"] for e in body["errors"]}


def test_the_lambda_entry_point_builds_its_wiring_from_the_environment(monkeypatch, tmp_path):
    from handlers.moving.fleet import api
    from handlers.moving.fleet.store import MIGRATIONS
    from handlers.shared.db import Database
    from handlers.shared.migrate import apply_service_migrations

    url = f"sqlite:///{tmp_path}/fleet.db"
    apply_service_migrations(Database.from_url(url), MIGRATIONS)
    env = {"SYSTEM_NAME": "moving", "SERVICE_NAME": "fleet", "DATABASE_URL": url, "EVENT_BUS_NAME": "moving",
           "EVENT_SOURCE": "moving.fleet"}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    api.router.reset()
    try:
        response = api.handler(http_request("GET /trucks", lambda_context=EMPLOYEE), None)
        assert response["statusCode"] == 200 and json.loads(response["body"]) == {"items": [], "next_cursor": None}
    finally:
        api.router.reset()


def test_sqs_helpers_are_consistent():
    [(detail_type, source, detail)] = as_sqs(move_registered("m9"))
    assert (detail_type, source, detail["move_id"]) == ("MoveRegistered", "moving.moves", "m9")
