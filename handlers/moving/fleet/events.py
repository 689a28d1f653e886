"""Fleet's ``bookings`` subscription: MoveRegistered books a truck (or says none fits), MoveCompleted frees it.

Each event is handled once (claimed as ``fleet-bookings`` in the transaction of its effect); a record that fails is
returned to the queue and retried, then dead-lettered. A detail type the subscription does not handle is logged and
dropped.
"""

from __future__ import annotations

import logging

from handlers.moving.contracts import MoveCompleted, MoveRegistered
from handlers.moving.fleet.usecases import FleetUseCases
from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class BookingsConsumer(EventConsumer, system="moving", service="fleet", subscription="bookings"):
    """Handles one received event; raises to have its record retried."""

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


handler = ConsumerEntry(lambda: BookingsConsumer(FleetUseCases.from_settings(ServiceSettings.from_env())))
