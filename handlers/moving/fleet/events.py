"""Fleet's ``bookings`` subscription: MoveRegistered books a truck (or says none fits), MoveCompleted frees it.

Each event is handled once (claimed by its ``event_id`` in the transaction of its effect); a record that fails is
returned to the queue and retried, then dead-lettered.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from handlers.moving.consuming import MovingConsumer
from handlers.moving.contracts import MoveCompleted, MoveRegistered
from handlers.moving.fleet.store import CONSUMER
from handlers.moving.fleet.usecases import FleetUseCases
from handlers.shared.consumer import ReceivedEvent, declared_events
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class BookingsConsumer(MovingConsumer):
    """One received event; an invalid detail raises (so the record is retried and ends in the DLQ)."""

    name = CONSUMER
    consumed = declared_events("moving", "fleet", "bookings")

    def __init__(self, fleet: FleetUseCases) -> None:
        self.fleet = fleet

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        if isinstance(event, MoveRegistered):
            self.fleet.on_move_registered(event)
        elif isinstance(event, MoveCompleted):
            self.fleet.on_move_completed(event)

    def unexpected(self, received: ReceivedEvent) -> None:
        log.warning("ignoring %s from %s: not an event the bookings subscription handles",
                    received.detail_type, received.source)  # fmt: skip


def build_handler(fleet: FleetUseCases) -> Any:
    """An SQS batch handler over ``fleet`` (tests inject their own)."""
    return BookingsConsumer(fleet).process


@functools.cache
def default_handler() -> Any:
    """Built on the first invocation from the environment, then reused by the container."""
    return build_handler(FleetUseCases.from_settings(ServiceSettings.from_env()))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result: dict[str, Any] = default_handler()(event, context)
    return result
