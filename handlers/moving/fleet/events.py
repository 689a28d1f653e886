"""Fleet's ``bookings`` subscription: MoveRegistered books a truck (or says none fits), MoveCompleted frees it.

Each event is handled once (claimed by its ``event_id`` in the transaction of its effect); a record that fails is
returned to the queue and retried, then dead-lettered.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from handlers.moving.contracts import MoveCompleted, MoveRegistered
from handlers.moving.fleet.service import Fleet
from handlers.moving.fleet.store import FleetStore
from handlers.shared.consumer import ReceivedEvent, handle_batch
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


def handle(fleet: Fleet, event: ReceivedEvent) -> None:
    """One received event; an invalid detail raises (so the record is retried and ends in the DLQ)."""
    if event.detail_type == MoveRegistered.DETAIL_TYPE:
        fleet.on_move_registered(MoveRegistered.model_validate(event.detail))
    elif event.detail_type == MoveCompleted.DETAIL_TYPE:
        fleet.on_move_completed(MoveCompleted.model_validate(event.detail))
    else:
        log.warning("ignoring %s from %s: not an event the bookings subscription handles",
                    event.detail_type, event.source)  # fmt: skip


def build_handler(fleet: Fleet) -> Any:
    """An SQS batch handler over ``fleet`` (tests inject their own)."""

    def batch_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_batch(event, context, lambda received: handle(fleet, received))

    return batch_handler


@functools.cache
def default_handler() -> Any:
    """Built on the first invocation from the environment, then reused by the container."""
    from handlers.shared.database import service_database
    from handlers.shared.outbox import publisher_for

    settings = ServiceSettings.from_env()
    return build_handler(Fleet(FleetStore(service_database(settings)), publisher_for(settings)))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result: dict[str, Any] = default_handler()(event, context)
    return result
