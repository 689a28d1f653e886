"""The runtime's trail: bounded, searchable by correlation id and by entity; fed by the bus and topics (through real
EventBridge rules and SNS subscriptions in moto) and by each delivery's result."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from architectures import SYSTEMS, topology
from local.aws import provision
from local.consumers import first_line, record_results
from local.observer import Observer, matched_rules, provision_observer
from local.trail import Trail, ids_in

MOVING = SYSTEMS["moving"]


def test_the_trail_keeps_only_the_newest_entries():
    trail = Trail(max_entries=3)
    for n in range(5):
        trail.add("request", "moving", f"c{n}", f"request {n}")
    assert len(trail) == 3
    assert [e.summary for e in trail.entries()] == ["request 2", "request 3", "request 4"]
    assert [e.seq for e in trail.entries()] == [3, 4, 5], "numbers keep counting, so 'after' still works"
    assert trail.last_seq == 5 and Trail().last_seq == 0


def test_entries_are_found_by_correlation_id_kind_system_and_position():
    trail = Trail()
    trail.add("request", "moving", "c1", "POST /moves")
    second = trail.add("publish", "moving", "c1", "MoveRegistered")
    trail.add("request", "retail", "c2", "GET /stock")
    trail.add("delivery", "moving", "c1", "fleet/bookings: done")
    assert [e.summary for e in trail.entries(correlation_id="c1")] == ["POST /moves", "MoveRegistered",
                                                                       "fleet/bookings: done"]  # fmt: skip
    assert [e.summary for e in trail.entries(kinds={"request"})] == ["POST /moves", "GET /stock"]
    assert [e.summary for e in trail.entries(system="retail")] == ["GET /stock"]
    assert [e.summary for e in trail.entries(after=second.seq, limit=1)] == ["fleet/bookings: done"]


def test_an_entity_finds_every_story_it_is_part_of():
    trail = Trail()
    trail.add("request", "moving", "c1", "POST /moves", entities=["m1"])
    trail.add("delivery", "moving", "c1", "fleet/bookings: done")  # names no move, but belongs to the story
    trail.add("request", "moving", "c2", "GET /moves/m2", entities=["m2"])
    assert [e.summary for e in trail.entries(entity="m1")] == ["POST /moves", "fleet/bookings: done"]
    assert trail.entries(entity="m9") == []


def test_only_requests_and_deliveries_are_echoed():
    echoed = []
    trail = Trail(echo=echoed.append)
    trail.add("request", "moving", "c1", "POST /moves")
    trail.add("publish", "moving", "c1", "MoveRegistered")
    trail.add("log", "moving", "c1", "a line")
    trail.add("delivery", "moving", "c1", "fleet/bookings: done")
    assert [e.summary for e in echoed] == ["POST /moves", "fleet/bookings: done"]


def test_ids_are_read_from_id_keys_but_not_from_event_or_correlation_ids():
    payload = {"id": "s1", "client_id": "k1", "event_id": "e1", "metadata": {"correlation_id": "c1"},
               "lines": [{"product_id": "p1"}], "total": "10.00"}  # fmt: skip
    assert ids_in(payload) == ["s1", "k1", "p1"]


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # moto in this process
    with mock_aws():
        yield boto3.Session(region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")


def test_the_observer_records_each_event_the_bus_routes_with_the_rules_it_matched(session):
    made = provision(MOVING, session)
    trail = Trail()
    observer = Observer(MOVING, made, provision_observer(MOVING, made, session) or "", trail,
                        session.client("sqs"), stopping=None)  # type: ignore[arg-type]  # fmt: skip
    detail = {"event_id": "e1", "occurred_at": "2026-12-04T10:00:00Z", "move_id": "m1",
              "metadata": {"correlation_id": "req-1"}}  # fmt: skip
    entry = {"EventBusName": made.bus, "Source": "moving.moves", "DetailType": "MoveRegistered",
             "Detail": json.dumps(detail)}  # fmt: skip
    session.client("events").put_events(Entries=[entry])
    assert observer.drain_once() == 1
    [published] = trail.entries()
    assert (published.kind, published.correlation_id, published.entities) == ("publish", "req-1", ("m1",))
    subscribed = [f"{s.name}/{sub.name}" for s, sub in topology.subscriptions(MOVING) if "MoveRegistered" in sub.events]
    assert published.details["rules"] == subscribed and "fleet/bookings" in subscribed
    assert published.details["written_to_outbox"] == "2026-12-04T10:00:00Z"
    assert published.at == datetime(2026, 12, 4, 10, tzinfo=UTC).timestamp(), "when it was made, not when seen"


def test_the_observer_records_what_a_topic_sends_with_its_correlation_id(session):
    made = provision(MOVING, session)
    trail = Trail()
    observer = Observer(MOVING, made, provision_observer(MOVING, made, session) or "", trail,
                        session.client("sqs"), stopping=None)  # type: ignore[arg-type]  # fmt: skip
    [(topic, arn)] = made.topics.items()
    attributes = {name: {"DataType": "String", "StringValue": value}
                  for name, value in (("correlation_id", "req-1"), ("move_id", "m1"))}  # fmt: skip
    session.client("sns").publish(
        TopicArn=arn, Subject="Truck assigned", Message="Your move m1 has a truck", MessageAttributes=attributes
    )
    observer.drain_once()
    [sent] = trail.entries()
    assert (sent.kind, sent.correlation_id, sent.entities) == ("message", "req-1", ("m1",))
    assert sent.details["topic"] == topic and sent.details["message"] == "Your move m1 has a truck"
    inbox = session.client("sqs").receive_message(QueueUrl=made.topic_inboxes[topic]).get("Messages", [])
    assert len(inbox) == 1, "the topic's own inbox still gets the message"


def test_an_event_no_rule_matches_says_so():
    assert matched_rules(MOVING, {"source": "moving.moves", "detail-type": "Unknown"}) == []


def message(detail_type: str, receives: int, correlation_id: str | None = "req-1") -> dict[str, Any]:
    detail = {"event_id": f"e-{detail_type}", "move_id": "m1",
              "metadata": {"correlation_id": correlation_id}}  # fmt: skip
    return {"MessageId": f"id-{detail_type}", "Body": json.dumps({"detail-type": detail_type, "detail": detail}),
            "Attributes": {"ApproximateReceiveCount": str(receives)}}  # fmt: skip


def test_each_record_of_a_delivery_is_done_retried_or_bound_for_the_dlq():
    service, sub = next((s, sub) for s, sub in topology.subscriptions(MOVING) if sub.name == "bookings")
    trail = Trail()
    batch = [message("MoveRegistered", 1), message("MoveCompleted", 2),
             message("TruckAssigned", sub.max_receive_count, correlation_id=None)]  # fmt: skip
    record_results(trail, MOVING, service, sub, batch, {"id-MoveCompleted", "id-TruckAssigned"}, started=0.0)
    results = {e.details["detail_type"]: e.details["result"] for e in trail.entries()}
    assert results["MoveRegistered"] == "done"
    assert results["MoveCompleted"].startswith("failed, retried after the visibility timeout (receive 2 of")
    assert results["TruckAssigned"] == "failed, to the DLQ"
    assert [e.correlation_id for e in trail.entries()] == ["req-1", "req-1", "e-TruckAssigned"]


def test_a_batch_s_error_is_told_in_its_first_line():
    assert first_line(RuntimeError("All records failed processing.\nTraceback (most recent call last):")) == (
        "All records failed processing."
    )
    assert first_line(RuntimeError()) == "RuntimeError"


def test_a_delivery_is_recorded_at_the_time_the_consumer_got_it():
    service, sub = topology.subscriptions(MOVING)[0]
    trail = Trail()
    started = time.perf_counter() - 2.0  # a batch that took two seconds
    record_results(trail, MOVING, service, sub, [message("MoveRegistered", 1)], set(), started)
    [entry] = trail.entries()
    assert time.time() - 2.5 < entry.at < time.time() - 1.5


def test_a_failed_invocation_fails_every_record_and_a_malformed_one_is_named():
    service, sub = topology.subscriptions(MOVING)[0]
    trail = Trail()
    garbage = {"MessageId": "x", "Body": "not json", "Attributes": {}}
    record_results(trail, MOVING, service, sub, [garbage], set(), 0.0, error="timed out after 30 s")
    [entry] = trail.entries()
    assert entry.details["detail_type"] == "a malformed message" and entry.details["error"] == "timed out after 30 s"
    assert entry.details["result"].startswith("failed")


def test_a_topic_s_inbox_forgets_what_nobody_read_after_a_day(session):
    made = provision(MOVING, session)
    [inbox] = made.topic_inboxes.values()
    attributes = session.client("sqs").get_queue_attributes(QueueUrl=inbox, AttributeNames=["MessageRetentionPeriod"])
    assert attributes["Attributes"]["MessageRetentionPeriod"] == str(24 * 3600)
