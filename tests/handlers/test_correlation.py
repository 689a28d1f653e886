"""One correlation id from an API request through every event it causes: in the events' metadata, the consumers' log
lines and the X-Ray trace."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from handlers.shared import entry
from handlers.shared.consumer import EventConsumer, ReceivedEvent
from handlers.shared.entry import http_request_id, lambda_entry, logger
from handlers.shared.events import EventDetail, parse_detail
from tests.events import http_request, sqs_batch


class ThingHappened(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "ThingHappened"
    thing_id: str


class Booking(EventConsumer, system="moving", service="fleet", subscription="bookings"):
    """Makes one follow-up event per event it handles, as a real consumer's use case would."""

    def __init__(self) -> None:
        self.made: list[ThingHappened] = []
        self.logged_as: list[str | None] = []

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        self.logged_as.append(logger.get_correlation_id())
        self.made.append(ThingHappened(thing_id=received.event_id))


def moved(event_id: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "event_id": event_id,
        "occurred_at": "2026-12-04T10:00:00Z",
        "move_id": "m1",
        "truck_id": "t1",
    }
    if metadata is not None:
        detail["metadata"] = metadata
    return detail


def test_an_event_made_while_serving_a_request_carries_the_request_id():
    made = []

    @lambda_entry(http_request_id)
    def handler(event: Any, context: Any) -> None:
        made.append(ThingHappened(thing_id="t1"))

    request = http_request("POST /things")
    request["requestContext"]["requestId"] = "req-7"
    handler(request, None)
    assert made[0].metadata.correlation_id == "req-7"
    assert parse_detail(made[0].model_dump_json(), ThingHappened) == made[0], "it survives the outbox's JSON"


def test_an_event_made_outside_any_invocation_has_no_correlation_id():
    assert ThingHappened(thing_id="t1").metadata.correlation_id is None


def test_a_consumer_passes_the_id_its_event_carries_to_its_logs_and_the_events_it_makes():
    consumer = Booking()
    batch = sqs_batch(("MoveCompleted", "moving.moves", moved("e1", {"correlation_id": "req-7"})),
                      ("MoveCompleted", "moving.moves", moved("e2", {"correlation_id": "req-8"})))  # fmt: skip
    assert consumer.process(batch, None) == {"batchItemFailures": []}
    assert consumer.logged_as == ["req-7", "req-8"]
    assert [e.metadata.correlation_id for e in consumer.made] == ["req-7", "req-8"]


def test_an_event_from_before_metadata_is_its_own_story():
    consumer = Booking()
    consumer.process(sqs_batch(("MoveCompleted", "moving.moves", moved("e1", None))), None)
    assert consumer.logged_as == ["e1"]
    assert consumer.made[0].metadata.correlation_id == "e1"


def test_metadata_may_grow_but_the_detail_may_not():
    grown = moved("e1", {"correlation_id": "req-7", "trace": "Root=1-abc"})
    grown["thing_id"] = "t1"
    grown.pop("move_id")
    grown.pop("truck_id")
    assert parse_detail(grown, ThingHappened).metadata.correlation_id == "req-7"
    with pytest.raises(ValidationError):
        parse_detail({**grown, "unknown": 1}, ThingHappened)


class FakeTracer:
    """Records annotations, and whether they were made inside the traced handler (X-Ray refuses them outside)."""

    disabled = False

    def __init__(self) -> None:
        self.inside = False
        self.annotations: list[tuple[str, str, bool]] = []

    def capture_lambda_handler(self, function: Any) -> Any:
        def traced(event: Any, context: Any, **kwargs: Any) -> Any:
            self.inside = True
            try:
                return function(event, context, **kwargs)
            finally:
                self.inside = False

        return traced

    def put_annotation(self, key: str, value: str) -> None:
        self.annotations.append((key, value, self.inside))


def test_the_trace_is_annotated_with_the_correlation_id_inside_the_handler(monkeypatch):
    tracer = FakeTracer()
    monkeypatch.setattr(entry, "tracer", tracer)

    @lambda_entry(http_request_id)
    def handler(event: Any, context: Any) -> None:
        return None

    request = http_request("GET /things")
    request["requestContext"]["requestId"] = "req-9"
    handler(request, None)
    assert tracer.annotations == [("correlation_id", "req-9", True)]
