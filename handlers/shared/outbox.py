"""The ``outbox-relay`` schedule's function, shared by every publishing service: it publishes what the handlers'
own after-commit relay could not (the bus was down, the function timed out)."""

from __future__ import annotations

import functools
import logging
from typing import Any

from handlers.shared.database import service_database
from handlers.shared.db import Database
from handlers.shared.events import EventPublisher
from handlers.shared.events import relay as relay_outbox
from handlers.shared.settings import ServiceSettings, SettingsError

log = logging.getLogger(__name__)


def publisher_for(settings: ServiceSettings) -> EventPublisher:
    """The service's publisher: its bus and its own source."""
    if not settings.event_bus_name or not settings.event_source:
        raise SettingsError("environment: EVENT_BUS_NAME and EVENT_SOURCE are required to publish events")
    return EventPublisher(settings.event_bus_name, settings.event_source)


def _wiring() -> tuple[Database, EventPublisher]:
    """Every publishing service runs this same module, so the wiring is kept per service (in Lambda there is one)."""
    settings = ServiceSettings.from_env()
    return _wiring_for(settings.service_name, settings.database_url, settings.db_secret_arn,
                       settings.event_bus_name, settings.event_source)  # fmt: skip


@functools.cache
def _wiring_for(service: str, database_url: str | None, db_secret_arn: str | None, bus: str | None,
                source: str | None) -> tuple[Database, EventPublisher]:  # fmt: skip
    settings = ServiceSettings.from_env()
    return service_database(settings), publisher_for(settings)


def relay(event: Any, context: Any) -> dict[str, int]:
    """Lambda entry point for the schedule; the result is logged and returned."""
    db, publisher = _wiring()
    result = relay_outbox(db, publisher)
    if result.published or result.failed:
        log.info("outbox relay: %d published, %d still pending", result.published, result.failed)
    return {"published": result.published, "failed": result.failed}
