"""The ``progress`` subscription: fleet and tracking tell moves what happened (SQS batch of EventBridge events).

- TruckAssigned → the move gets its truck and TRUCK_ASSIGNED (from REGISTERED, or UNASSIGNABLE after a manual
  assignment); MoveUnassignable → UNASSIGNABLE (from REGISTERED only); PositionRecorded → the latest position.
- An event the move's status cannot take (say TruckAssigned for a COMPLETED move) is logged and ignored; it is
  still claimed, so a redelivery is not logged again.
- Each event is claimed as ``moves-progress`` in the same transaction as its effect: a redelivery has no effect.
- A record that fails (unknown move, malformed detail, database down) is reported in ``batchItemFailures``, so only
  it is retried, and after the queue's maximum receives it goes to the DLQ.

Why an unknown move is a failure and not "ignore": moves is the producer of MoveRegistered, and publishes it from
its outbox only after the move's row is committed. Fleet and tracking act on MoveRegistered (or on an employee's
request about a move they learnt of that way), so an event about a move can only race ahead of the move's commit
in theory. An unknown move therefore means something is wrong (events from another stage's bus, a restored
database, a producer bug); retrying costs little and the DLQ keeps the evidence instead of dropping it silently.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from handlers.moving.contracts import EVENTS
from handlers.moving.moves import logic
from handlers.moving.moves.store import MoveStore
from handlers.shared.consumer import ReceivedEvent, handle_batch
from handlers.shared.database import service_database
from handlers.shared.events import parse_detail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

CONSUMER = "moves-progress"
CONSUMED = frozenset({"TruckAssigned", "MoveUnassignable", "PositionRecorded"})


class ProgressConsumer:
    """Handles one received event; raises to have its record retried."""

    def __init__(self, store: MoveStore, clock: Callable[[], datetime] = logic.utc_now) -> None:
        self.store = store
        self.clock = clock

    def __call__(self, received: ReceivedEvent) -> None:
        if received.detail_type not in CONSUMED:
            # The subscription's rule routes only CONSUMED here: anything else is a wiring error worth a DLQ entry.
            raise ValueError(f"{CONSUMER} does not consume {received.detail_type} events")
        event = parse_detail(received.detail, EVENTS[received.detail_type])
        move_id = logic.event_move_id(event)
        now = self.clock()
        try:
            change = self.store.update(
                move_id, lambda move: logic.apply_event(move, event, now), claim_for=(CONSUMER, event.event_id)
            )
        except logic.MoveNotFound:
            log.error("%s %s names an unknown move %s; will retry", received.detail_type, event.event_id, move_id)
            raise
        if change is None:
            log.info("%s %s was already handled", received.detail_type, event.event_id)
        elif not change.changed:
            log.warning("%s %s ignored: %s", received.detail_type, event.event_id, change.ignored)


def process(event: dict[str, Any], context: Any, consumer: ProgressConsumer) -> dict[str, Any]:
    """The batch response: ``{"batchItemFailures": [...]}`` naming only the records that failed."""
    return handle_batch(event, context, consumer)


@functools.cache
def default_consumer() -> ProgressConsumer:
    """Built on the first invocation from the environment, then reused by the warm container."""
    return ProgressConsumer(MoveStore(service_database(ServiceSettings.from_env())))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process(event, context, default_consumer())
