"""The moving company end to end, offline: real HTTP through the local gateway, the real Lambda authorizer with real
Cognito tokens (moto), real EventBridge rules into SQS queues, the real consumers, and SQLite.

register → truck auto-assigned → status TRUCK_ASSIGNED → tracking open → positions → complete → truck free, with
every customer notification recorded and published once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from local.cognito import sign_in
from local.runtime import LocalRuntime, Options, free_base_port
from tests.stories import REGISTRATION_STORY


@pytest.fixture(scope="module")
def runtime(tmp_path_factory) -> Iterator[LocalRuntime]:
    options = Options(
        systems=("moving",), state_dir=tmp_path_factory.mktemp("local"), base_port=free_base_port(("moving",))
    )
    rt = LocalRuntime(options, say=lambda line: None)
    rt.start()
    yield rt
    rt.stop()


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Events travel through queues: wait for ``check`` to return something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


class Client:
    def __init__(self, runtime: LocalRuntime, group: str) -> None:
        running = runtime.systems["moving"]
        user = next(u for u in running.users if group in u.groups)
        tokens = sign_in(runtime._session(), running.auth, user.email, user.password)
        self.http = httpx.Client(
            base_url=running.api_url, headers={"Authorization": f"Bearer {tokens['IdToken']}"}, timeout=10
        )

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(path, json=body)


def test_a_move_goes_from_registration_to_completion(runtime):
    customer, employee = Client(runtime, "customers"), Client(runtime, "employees")
    move_date = (date.today() + timedelta(days=10)).isoformat()

    truck = employee.post("/trucks", {"plate": "ABC-123", "capacity_m3": 30, "home_city": "Lima"})
    assert truck.status_code == 201, truck.text
    assert customer.post("/trucks", {"plate": "XYZ-999", "capacity_m3": 30, "home_city": "Lima"}).status_code == 403

    registered = customer.post(
        "/moves",
        {
            "origin": {"address": "Av. Arequipa 100", "city": "Lima"},
            "destination": {"address": "Calle Sol 5", "city": "Cusco"},
            "move_date": move_date,
            "volume_m3": 18.5,
        },
    )
    assert registered.status_code == 201, registered.text
    move_id = registered.json()["id"]
    assert registered.json()["status"] == "REGISTERED"

    assigned = eventually(lambda: (m := customer.get(f"/moves/{move_id}").json())["status"] == "TRUCK_ASSIGNED" and m)
    assert assigned, customer.get(f"/moves/{move_id}").text
    assert assigned["truck"]["plate"] == "ABC-123"

    tracking_open = eventually(
        lambda: (
            employee.post(
                f"/moves/{move_id}/positions",
                {"lat": -12.05, "lon": -77.04, "recorded_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()},
            ).status_code
            == 202
        )
    )
    assert tracking_open, "the tracking session should open once the truck is assigned"
    path = customer.get(f"/moves/{move_id}/tracking").json()
    assert path["last_position"]["lat"] == -12.05
    assert eventually(lambda: customer.get(f"/moves/{move_id}").json().get("tracking"))

    completed = employee.post(f"/moves/{move_id}/complete", {})
    assert completed.status_code == 200, completed.text
    again = employee.post(f"/moves/{move_id}/complete", {})
    assert again.status_code == 409 and "COMPLETED" in again.text

    # The truck is free again that date: a second move on the same day gets it.
    second = customer.post(
        "/moves",
        {
            "origin": {"address": "Jr. Luna 1", "city": "Lima"},
            "destination": {"address": "Av. Mar 9", "city": "Ica"},
            "move_date": move_date,
            "volume_m3": 10,
        },
    ).json()
    assert eventually(lambda: customer.get(f"/moves/{second['id']}").json()["status"] == "TRUCK_ASSIGNED")

    closed = eventually(lambda: customer.get(f"/moves/{move_id}/tracking").json().get("status") == "CLOSED")
    assert closed

    sent = eventually(lambda: len(notifications(runtime, move_id)) >= 3 and notifications(runtime, move_id))
    kinds = sorted(n["kind"] for n in sent)
    assert kinds == sorted(set(kinds)), "each event is notified once"
    assert {"MoveRegistered", "TruckAssigned", "MoveCompleted"} <= set(kinds)


def notifications(runtime: LocalRuntime, move_id: str) -> list[dict[str, Any]]:
    from handlers.shared.db import Database

    db = Database.from_url(runtime.systems["moving"].database_urls["notifications"])
    try:
        with db.transaction() as tx:
            return tx.query("SELECT kind FROM notifications WHERE move_id = :m", {"m": move_id})
    finally:
        db.close()


def test_another_customer_cannot_see_the_move(runtime):
    customer = Client(runtime, "customers")
    move = customer.post(
        "/moves",
        {
            "origin": {"address": "A 1", "city": "Lima"},
            "destination": {"address": "B 2", "city": "Lima"},
            "move_date": (date.today() + timedelta(days=3)).isoformat(),
            "volume_m3": 5,
        },
    ).json()
    anonymous = httpx.get(f"{runtime.systems['moving'].api_url}/moves/{move['id']}")
    assert anonymous.status_code == 401
    forged = httpx.get(f"{runtime.systems['moving'].api_url}/moves/{move['id']}",
                       headers={"Authorization": "Bearer " + json.dumps({"sub": "x"})})  # fmt: skip
    assert forged.status_code == 401


def test_schedules_run_on_demand(runtime):
    api = runtime.systems["moving"].api_url
    listed = httpx.get(f"{api}/_local/schedules").json()["schedules"]
    assert {(s["service"], s["schedule"]) for s in listed} == {
        ("moves", "outbox-relay"),
        ("fleet", "outbox-relay"),
        ("tracking", "outbox-relay"),
    }
    fired = httpx.post(f"{api}/_local/schedules/fleet/outbox-relay")
    assert fired.status_code == 200 and fired.json()["fired"] == "moving/fleet/outbox-relay"
    assert fired.json()["result"] == {"published": 0, "failed": 0}, "the function's own result comes back"
    bad = httpx.post(f"{api}/_local/schedules/fleet/outbox-relay", content=b"[1, 2]")
    assert bad.status_code == 400
    missing = httpx.post(f"{api}/_local/schedules/fleet/nightly")
    assert missing.status_code == 404 and "declared: moving/fleet/outbox-relay" in missing.json()["message"]


def test_one_correlation_id_follows_a_registration_through_every_event_it_causes(runtime):
    customer, employee = Client(runtime, "customers"), Client(runtime, "employees")
    assert employee.post("/trucks", {"plate": "TRL-001", "capacity_m3": 40, "home_city": "Ica"}).status_code == 201
    body = {"origin": {"address": "Av. Grau 1", "city": "Ica"},
            "destination": {"address": "Jr. Luna 2", "city": "Lima"},
            "move_date": (date.today() + timedelta(days=12)).isoformat(), "volume_m3": 10}  # fmt: skip
    registered = customer.post("/moves", body)
    request_id, move_id = registered.headers["apigw-requestid"], registered.json()["id"]
    trail = runtime.watch.trail
    assert trail is not None

    def steps() -> list[tuple[str, str]]:
        return [(e.kind, e.summary) for e in trail.entries(correlation_id=request_id)]

    def told(story: list[tuple[str, str]], kind: str, start: str) -> bool:
        return any(k == kind and s.startswith(start) for k, s in story)

    def whole() -> bool:  # steps arrive from several places (the observer reads its queue in batches)
        story = steps()
        return all(told(story, kind, start) for kind, start in [*REGISTRATION_STORY, ("message", ""), ("log", "")])

    assert eventually(whole), steps()  # every step, the customer's notifications and the consumers' log lines
    story = steps()
    assert story[0][0] == "request", "the request comes first"
    places = [next(n for n, (k, s) in enumerate(story) if k == kind and s.startswith(start))
              for kind, start in REGISTRATION_STORY]  # fmt: skip
    assert places == sorted(places), ("each cause before its effects", story)
    by_move = {e.correlation_id for e in trail.entries(entity=move_id)}
    assert request_id in by_move, "the move's id finds its story"
