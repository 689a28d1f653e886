"""The console's views over real HTTP against a real runtime (the moving company, its demo trucks): the event trail's
stories, the messages sent, the log lines, the schedules, and the queues with a real DLQ redrive; bad input is a 4xx
with one line.

The queues' visibility timeout is 1 s here, so a redriven message that still fails is back in its DLQ within seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from local.cognito import sign_in
from local.console import Console
from local.demo import runtime_target, seed
from local.runtime import LocalRuntime, Options, free_base_port
from tests.local.test_console import asgi_get, refused
from tests.local.test_moving_flow import eventually
from tests.stories import REGISTRATION_STORY

MOVE = {"origin": {"address": "Av. Grau 1", "city": "Lima"}, "destination": {"address": "Jr. Luna 2", "city": "Ica"},
        "move_date": (date.today() + timedelta(days=14)).isoformat(), "volume_m3": 10}  # fmt: skip


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    options = Options(systems=("moving",), state_dir=tmp_path_factory.mktemp("local"),
                      base_port=free_base_port(("moving",)), visibility_seconds=1)  # fmt: skip
    rt = LocalRuntime(options, say=lambda line: None)
    try:
        rt.start()
        seed(runtime_target(rt))
        yield rt
    finally:
        rt.stop()


@pytest.fixture(scope="module")
def console(runtime: LocalRuntime) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=runtime.console_url, timeout=30) as client:
        yield client


def api(runtime: LocalRuntime, group: str) -> httpx.Client:
    running = runtime.systems["moving"]
    user = next(u for u in running.users if group in u.groups)
    token = sign_in(runtime._session(), running.auth, user.email, user.password)["IdToken"]
    return httpx.Client(base_url=running.api_url, headers={"authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture(scope="module")
def registered(runtime: LocalRuntime, console: httpx.Client) -> dict[str, str]:
    """A move a customer registered, once its whole story is in the trail: its request id and move id."""
    with api(runtime, "customers") as customer:
        answer = customer.post("/moves", json=MOVE)
    assert answer.status_code == 201, answer.text
    move = {"request_id": answer.headers["apigw-requestid"], "move_id": answer.json()["id"]}

    def told() -> bool:  # every step: events reach the trail in batches, after the deliveries they caused can
        answer = console.get("/api/systems/moving/trail", params={"correlation_id": move["request_id"]}).json()
        steps = [(s["kind"], s["summary"]) for story in answer["stories"] for s in story["steps"]]
        return all(any(k == kind and s.startswith(start) for k, s in steps) for kind, start in REGISTRATION_STORY)

    assert eventually(told), "the registration's story never came whole into the trail"
    return move


def sqs(runtime: LocalRuntime) -> Any:
    return runtime._session().client("sqs")


def depth(console: httpx.Client, service: str, subscription: str) -> tuple[int, int]:
    """The DLQ's (visible, in flight) as the Queues view shows them."""
    rows = console.get("/api/systems/moving/queues").json()["queues"]
    row = next(r for r in rows if (r["service"], r["subscription"]) == (service, subscription))
    return row["dlq"]["visible"], row["dlq"]["in_flight"]


# --- the event trail --------------------------------------------------------------------------------------------------
def test_a_registrations_story_is_found_by_its_move_and_told_in_the_order_things_happened(
    console: httpx.Client, registered: dict[str, str]
):
    answer = console.get("/api/systems/moving/trail", params={"entity": registered["move_id"]}).json()
    [story] = answer["stories"]
    assert story["id"] == story["correlation_id"] == registered["request_id"]
    assert story["title"].startswith("POST /moves → 201") and story["request"]["status"] == 201
    assert registered["move_id"] in story["entities"] and story["problems"] == 0
    steps = [(s["kind"], s["summary"]) for s in story["steps"]]
    assert steps[0][0] == "request" and story["steps"][0]["offset_ms"] == 0

    def first(kind: str, start: str) -> int:
        return next(n for n, (k, summary) in enumerate(steps) if k == kind and summary.startswith(start))

    # each cause before its effects, though the trail records some of them after the fact
    assert first("publish", "MoveRegistered from moving.moves") < first("delivery", "MoveRegistered → fleet/bookings")
    assert first("delivery", "MoveRegistered → fleet/bookings") < first("publish", "TruckAssigned from moving.fleet")
    assert first("publish", "TruckAssigned") < first("delivery", "TruckAssigned → moves/progress: done")
    assert first("publish", "TruckAssigned") < first("delivery", "TruckAssigned → notifications/customer-updates")
    offsets = [s["offset_ms"] for s in story["steps"]]
    assert offsets == sorted(offsets)
    assert {s["correlation_id"] for s in story["steps"]} == {registered["request_id"]}


def test_the_newest_story_comes_first_and_a_poll_brings_only_what_changed(
    runtime: LocalRuntime, console: httpx.Client, registered: dict[str, str]
):
    trail = runtime.watch.trail
    assert trail is not None
    quiet_since, seen = time.monotonic(), trail.last_seq
    while time.monotonic() - quiet_since < 1.0:  # the registration's last steps (its messages, read in batches)
        time.sleep(0.1)
        if trail.last_seq != seen:
            quiet_since, seen = time.monotonic(), trail.last_seq
    everything = console.get("/api/systems/moving/trail").json()
    started = [s["started"] for s in everything["stories"]]
    assert started == sorted(started, reverse=True)
    assert registered["request_id"] in {s["correlation_id"] for s in everything["stories"]}
    last = everything["last_seq"]
    assert console.get("/api/systems/moving/trail", params={"after": last}).json() == {"stories": [], "last_seq": last}

    with api(runtime, "customers") as customer:
        listed = customer.get("/moves")
    polled = console.get("/api/systems/moving/trail", params={"after": last}).json()
    assert [s["correlation_id"] for s in polled["stories"]] == [listed.headers["apigw-requestid"]]
    assert polled["last_seq"] > last


def test_the_start_of_a_correlation_id_finds_its_story_as_the_terminal_shows_it(
    console: httpx.Client, registered: dict[str, str]
):
    found = console.get("/api/systems/moving/trail", params={"correlation_id": registered["request_id"][:8]}).json()
    assert [s["correlation_id"] for s in found["stories"]] == [registered["request_id"]]


def test_a_schedules_run_is_a_story_when_it_caused_something(console: httpx.Client, runtime: LocalRuntime):
    trail = runtime.watch.trail
    assert trail is not None
    idle = console.post("/api/systems/moving/schedules/moves/outbox-relay/run")
    assert idle.status_code == 200 and idle.json()["result"] == {"published": 0, "failed": 0}
    run = trail.entries(kinds=("schedule",))[-1]
    found = console.get("/api/systems/moving/trail", params={"correlation_id": run.correlation_id}).json()
    assert run.correlation_id and found["stories"] == [], "a run that caused nothing tells no story"
    # a run that did: its log line (recorded here as the function would) joins the run's entry under its id
    trail.add("schedule", "moving", "run-1", "schedule moves/outbox-relay: done (5 ms)", {"ms": 5.0})
    line = {"function": "moving-moves-relay", "level": "INFO"}
    trail.add("log", "moving", "run-1", "moving-moves-relay: outbox relay: 1 published", line)
    [story] = console.get("/api/systems/moving/trail", params={"correlation_id": "run-1"}).json()["stories"]
    assert story["title"] == "schedule moves/outbox-relay: done (5 ms)" and story["request"] is None
    assert [s["kind"] for s in story["steps"]] == ["schedule", "log"]


# --- messages and logs ------------------------------------------------------------------------------------------------
def test_the_customers_notifications_for_the_move_newest_first(console: httpx.Client, registered: dict[str, str]):
    answer = console.get("/api/systems/moving/messages", params={"topic": "customer-notifications"}).json()
    assert answer["topics"] == ["customer-notifications"]
    mine = [m for m in answer["messages"] if m["attributes"].get("move_id") == registered["move_id"]]
    assert [m["attributes"]["event_type"] for m in mine] == ["TruckAssigned", "MoveRegistered"]
    assigned = mine[0]
    assert assigned["subject"].startswith("A truck is assigned to your move")
    assert assigned["message"].startswith("Truck ") and assigned["correlation_id"] == registered["request_id"]
    assert assigned["topic"] == "customer-notifications" and assigned["sent"]
    since = console.get("/api/systems/moving/messages", params={"after": answer["last_seq"]}).json()
    assert since["messages"] == []


def test_log_lines_by_correlation_id_function_and_level(console: httpx.Client, registered: dict[str, str]):
    lines = console.get("/api/systems/moving/logs", params={"correlation_id": registered["request_id"]}).json()
    assert lines["levels"] == ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
    assert "moving-notifications-events" in lines["functions"]
    told = [line for line in lines["lines"] if line["function"] == "moving-notifications-events"]
    assert told and all("notified" in line["message"] for line in told)
    assert [line["seq"] for line in lines["lines"]] == sorted((line["seq"] for line in lines["lines"]), reverse=True)
    wanted = {"correlation_id": registered["request_id"], "function": "moving-notifications-events"}
    only = console.get("/api/systems/moving/logs", params=wanted).json()
    assert {line["function"] for line in only["lines"]} == {"moving-notifications-events"}
    warnings = console.get("/api/systems/moving/logs", params={"level": "warning"}).json()["lines"]
    assert all(line["level"] in ("WARNING", "ERROR", "CRITICAL") for line in warnings)


# --- schedules --------------------------------------------------------------------------------------------------------
def test_schedules_with_their_next_run_and_run_now_then_their_last_result(console: httpx.Client):
    listed = console.get("/api/systems/moving/schedules").json()["schedules"]
    relays = {(s["service"], s["schedule"]): s for s in listed}
    assert set(relays) == {("moves", "outbox-relay"), ("fleet", "outbox-relay"), ("tracking", "outbox-relay")}
    fleet = relays[("fleet", "outbox-relay")]
    assert fleet["expression"] == "rate(1 minute)" and fleet["next_run"] > time.time() - 5

    ran = console.post("/api/systems/moving/schedules/fleet/outbox-relay/run")
    assert ran.status_code == 200, ran.text
    assert ran.json()["fired"] == "moving/fleet/outbox-relay" and ran.json()["result"] == {"published": 0, "failed": 0}
    after = {(s["service"], s["schedule"]): s for s in console.get("/api/systems/moving/schedules").json()["schedules"]}
    last = after[("fleet", "outbox-relay")]["last"]
    assert last["result"] == {"published": 0, "failed": 0} and last["error"] is None
    assert last["summary"].startswith("schedule fleet/outbox-relay: done")
    assert after[("fleet", "outbox-relay")]["runs"] >= 1


def test_a_schedule_run_is_refused_for_an_unknown_schedule_or_a_body_that_is_not_an_object(console: httpx.Client):
    refused(console.post("/api/systems/moving/schedules/fleet/nightly/run"), 404, "fleet/nightly", "fleet/outbox-relay")
    refused(console.post("/api/systems/moving/schedules/fleet/outbox-relay/run", json=[1]), 400, "JSON object")
    refused(console.post("/api/systems/nope/schedules/fleet/outbox-relay/run"), 404, "'nope'")


# --- queues and redrive -----------------------------------------------------------------------------------------------
def test_each_subscriptions_queue_and_dlq_with_their_depths(console: httpx.Client, runtime: LocalRuntime):
    answer = console.get("/api/systems/moving/queues").json()
    rows = {(r["service"], r["subscription"]): r for r in answer["queues"]}
    assert set(rows) == set(runtime.systems["moving"].aws.queues)
    bookings = rows[("fleet", "bookings")]
    assert bookings["queue"]["name"] == "moving-fleet-bookings"
    assert bookings["dlq"]["name"] == "moving-fleet-bookings-dlq"
    assert bookings["dlq"]["arn"].endswith(":moving-fleet-bookings-dlq") and bookings["max_receive_count"] == 5
    assert {"visible", "in_flight"} <= set(bookings["dlq"]) and answer["visibility_seconds"] == 1


def test_a_dlqs_messages_are_shown_and_left_in_it(console: httpx.Client, runtime: LocalRuntime):
    dlq = runtime.systems["moving"].aws.queues[("tracking", "sessions")].dlq_url
    envelope = json.dumps({"detail-type": "MoveRegistered", "source": "moving.moves",
                           "detail": {"metadata": {"correlation_id": "r-1"}}})  # fmt: skip
    sqs(runtime).send_message(QueueUrl=dlq, MessageBody=envelope,
                              MessageAttributes={"why": {"DataType": "String", "StringValue": "a test"}})  # fmt: skip
    shown = console.get("/api/systems/moving/queues/tracking/sessions/dlq").json()
    [message] = shown["messages"]
    assert message["json"]["detail-type"] == "MoveRegistered" and message["detail_type"] == "MoveRegistered"
    assert message["correlation_id"] == "r-1" and message["attributes"] == {"why": "a test"}
    assert message["receives"] == 1 and message["body"] == envelope
    assert shown["queue"] == "moving-tracking-sessions" and shown["dlq"]["name"] == "moving-tracking-sessions-dlq"
    assert depth(console, "tracking", "sessions") == (1, 0), "looking leaves it there, visible"
    again = console.get("/api/systems/moving/queues/tracking/sessions/dlq").json()["messages"]
    assert [m["receives"] for m in again] == [2], "each look receives it once, as in SQS"


def test_redriving_a_malformed_message_moves_it_back_to_its_queue_where_it_fails_again(
    console: httpx.Client, runtime: LocalRuntime
):
    queue = runtime.systems["moving"].aws.queues[("fleet", "bookings")]
    client = sqs(runtime)
    first = client.send_message(QueueUrl=queue.dlq_url, MessageBody="{not json")["MessageId"]
    other = client.send_message(QueueUrl=queue.dlq_url, MessageBody="{also not json")["MessageId"]
    path = "/api/systems/moving/queues/fleet/bookings"
    refused(console.post(f"{path}/redrive", json={"message_id": "no-such-id"}), 404, "'no-such-id'", "bookings-dlq")
    assert depth(console, "fleet", "bookings") == (2, 0), "a redrive that found nothing leaves all visible"

    answer = console.post(f"{path}/redrive", json={"message_id": first}).json()
    [moved] = answer["moved"]
    assert moved["message_id"] == first and answer["to"] == "moving-fleet-bookings"
    assert answer["dlq"]["visible"] == 1, "the other message is visible again at once"
    assert [m["message_id"] for m in console.get(f"{path}/dlq").json()["messages"]] == [other]

    trail = runtime.watch.trail
    assert trail is not None

    def delivered(message_id: str) -> list[str]:
        return [e.details["result"] for e in trail.entries(kinds=("delivery",))
                if e.details.get("message_id") == message_id]  # fmt: skip

    results = eventually(lambda: delivered(moved["new_message_id"]))
    assert results and results[0].startswith("failed, retried after the visibility timeout (receive 1 of 5)")
    story = console.get("/api/systems/moving/trail").json()["stories"]
    assert f"message:{moved['new_message_id']}" in {s["id"] for s in story}, "its deliveries are a story of their own"

    everything = console.post(f"{path}/redrive", json={"all": True}).json()
    assert [m["message_id"] for m in everything["moved"]] == [other] and everything["dlq"]["visible"] == 0
    # still malformed: after its five receives (1 s apart here) the queue's redrive policy sends it back
    assert eventually(lambda: depth(console, "fleet", "bookings")[0] == 2, timeout=40)
    assert delivered(moved["new_message_id"])[-1] == "failed, to the DLQ"


@pytest.mark.parametrize(
    "body", [{}, {"all": False}, {"message_id": ""}, {"message_id": 7}, {"message_id": "x", "all": True}]
)
def test_a_redrive_must_name_one_message_or_all(console: httpx.Client, body: dict[str, Any]):
    refused(console.post("/api/systems/moving/queues/fleet/bookings/redrive", json=body), 400, '{"all": true}')


def test_an_unknown_queue_or_system_is_a_404_that_lists_what_there_is(console: httpx.Client):
    refused(console.get("/api/systems/moving/queues/fleet/nope/dlq"), 404, "fleet/nope", "fleet/bookings")
    refused(console.post("/api/systems/moving/queues/nope/bookings/redrive", json={"all": True}), 404, "nope/bookings")
    refused(console.get("/api/systems/retail/queues"), 404, "'retail'", "moving")


# --- bad input and no trail -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("trail", {"after": "x"}, ("after",)),
        ("trail", {"limit": "0"}, ("limit", "1 to 200")),
        ("logs", {"level": "LOUD"}, ("level", "WARNING")),
        ("logs", {"after": "-1"}, ("after",)),
        ("messages", {"topic": "nope"}, ("'nope'", "customer-notifications")),
    ],
)
def test_bad_filters_are_a_4xx_with_one_line(console: httpx.Client, path: str, params: dict[str, str],
                                             words: tuple[str, ...]):  # fmt: skip
    status = 404 if path == "messages" else 400
    refused(console.get(f"/api/systems/moving/{path}", params=params), status, *words)


def test_without_a_trail_the_trails_views_say_why(runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(runtime.watch, "trail", None)
    app = Console(runtime)
    for path in ("trail", "messages", "logs"):
        refused(asgi_get(app, f"/api/systems/moving/{path}"), 409, "--no-console")
    assert asgi_get(app, "/api/systems/moving/schedules").json()["schedules"][0]["last"] is None
