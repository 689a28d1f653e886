"""Publishing domain events without ever losing one: an outbox in the service's own database, relayed to the bus.

A change and the events it causes are written in one transaction (:func:`add_to_outbox`). After the commit the
handler relays the outbox (:func:`relay_after_commit`); if the bus is unavailable the rows stay, and the
``outbox-relay`` schedule (:func:`relay_handler`, shared by every publishing service) retries them. Delivery is at
least once: consumers recognise a repeated ``event_id`` (see ``consumer.py``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers.shared.aws import client
from handlers.shared.clock import timestamp_ms, utc_now
from handlers.shared.db import Database, Transaction, service_database
from handlers.shared.entry import lambda_entry
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings, SettingsError

log = logging.getLogger(__name__)

PUT_EVENTS_BATCH = 10  # EventBridge's limit of entries per PutEvents call


def _now() -> str:
    return timestamp_ms(utc_now())


def add_to_outbox(tx: Transaction, event: EventDetail) -> None:
    """Record ``event`` in the same transaction as the change it describes."""
    tx.execute(
        "INSERT INTO outbox (event_id, detail_type, detail, created_at) "
        "VALUES (:event_id, :detail_type, :detail, :created_at)",
        {
            "event_id": event.event_id,
            "detail_type": event.DETAIL_TYPE,
            "detail": event.model_dump_json(),
            "created_at": _now(),
        },
    )


@dataclass(frozen=True)
class PendingEvent:
    event_id: str
    detail_type: str
    detail: str


class EventPublisher:
    """Puts events on one bus with one source (``EVENT_BUS_NAME``, ``EVENT_SOURCE``)."""

    def __init__(self, bus_name: str, source: str, events_client: Any | None = None) -> None:
        self.bus_name = bus_name
        self.source = source
        self._client = events_client

    def publish(self, events: Sequence[PendingEvent]) -> set[str]:
        """Publish ``events``; return the ids that EventBridge did not accept (retry those later)."""
        failed: set[str] = set()
        events_client = self._client or client("events")
        for start in range(0, len(events), PUT_EVENTS_BATCH):
            batch = events[start : start + PUT_EVENTS_BATCH]
            entries = [
                {"EventBusName": self.bus_name, "Source": self.source, "DetailType": e.detail_type, "Detail": e.detail}
                for e in batch
            ]
            try:
                result = events_client.put_events(Entries=entries)
            except Exception as e:  # the bus is unreachable: every event of the batch stays in the outbox
                log.warning("put_events failed for %d event(s): %s", len(batch), e)
                failed |= {e.event_id for e in batch}
                continue
            for event, entry in zip(batch, result.get("Entries", []), strict=False):
                if entry.get("ErrorCode"):
                    log.warning("event %s refused: %s", event.event_id, entry.get("ErrorMessage"))
                    failed.add(event.event_id)
        return failed


@dataclass(frozen=True)
class RelayResult:
    published: int
    failed: int


def relay(db: Database, publisher: EventPublisher, limit: int = 100) -> RelayResult:
    """Publish what the outbox holds, oldest first, and mark what went out. Safe to run at any time."""
    with db.transaction() as tx:
        rows = tx.query(
            "SELECT event_id, detail_type, detail FROM outbox WHERE published_at IS NULL "
            "ORDER BY created_at LIMIT :limit",
            {"limit": limit},
        )
    if not rows:
        return RelayResult(0, 0)
    pending = [PendingEvent(r["event_id"], r["detail_type"], r["detail"]) for r in rows]
    failed = publisher.publish(pending)
    sent = [e.event_id for e in pending if e.event_id not in failed]
    with db.transaction() as tx:
        for event_id in sent:
            tx.execute(
                "UPDATE outbox SET published_at = :now, attempts = attempts + 1 WHERE event_id = :id",
                {"now": _now(), "id": event_id},
            )
        for event_id in failed:
            tx.execute("UPDATE outbox SET attempts = attempts + 1 WHERE event_id = :id", {"id": event_id})
    return RelayResult(len(sent), len(failed))


def relay_after_commit(db: Database, publisher: EventPublisher | None) -> None:
    """Best effort after a commit: the change is already safe, so a failure is only logged and the ``outbox-relay``
    schedule retries. Nothing happens without a publisher."""
    if publisher is None:
        return
    try:
        relay(db, publisher)
    except Exception:
        log.warning("relaying the outbox after commit failed; the outbox-relay schedule will retry", exc_info=True)


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


@lambda_entry()
def relay_handler(event: Any, context: Any) -> dict[str, int]:
    """Lambda entry point for the schedule; the result is logged and returned."""
    db, publisher = _wiring()
    result = relay(db, publisher)
    if result.published or result.failed:
        log.info("outbox relay: %d published, %d still pending", result.published, result.failed)
    return {"published": result.published, "failed": result.failed}
