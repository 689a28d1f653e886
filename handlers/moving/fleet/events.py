"""Fleet's ``bookings`` subscription: MoveRegistered books a truck (or says none fits), MoveCompleted frees it.

Each event is handled once (claimed as ``fleet-bookings`` in the transaction of its effect); a record that fails is
returned to the queue and retried, then dead-lettered. A detail type the subscription does not handle is logged and
dropped.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from handlers.moving.consuming import MovingConsumer
from handlers.moving.contracts import MoveCompleted, MoveRegistered
from handlers.moving.fleet.usecases import FleetUseCases
from handlers.shared.consumer import ReceivedEvent, declared_events
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class BookingsConsumer(MovingConsumer):
    """Handles one received event; raises to have its record retried."""

    name = "fleet-bookings"
    consumed = declared_events("moving", "fleet", "bookings")

    def __init__(self, fleet: FleetUseCases) -> None:
        self.fleet = fleet

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        if isinstance(event, MoveRegistered):
            self.fleet.on_move_registered(self.name, event)
        elif isinstance(event, MoveCompleted):
            self.fleet.on_move_completed(self.name, event)

    def unexpected(self, received: ReceivedEvent) -> None:
        log.warning("ignoring %s from %s: not an event the bookings subscription handles",
                    received.detail_type, received.source)  # fmt: skip


@functools.cache
def default_consumer() -> BookingsConsumer:
    """Built on the first invocation from the environment, then reused by the warm container."""
    return BookingsConsumer(FleetUseCases.from_settings(ServiceSettings.from_env()))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_consumer().process(event, context)
