"""Publishing domain events without ever losing one: an outbox in the service's own database, relayed to the bus.

A change and the events it causes are written in one transaction (:func:`add_to_outbox`). After the commit the
handler relays the events it wrote (:func:`relay_after_commit`, with a short call budget); if the bus is unavailable the
rows stay, and the ``outbox-relay`` schedule (:func:`relay_handler`, shared by every publishing service) retries them.
Delivery is at least once: consumers recognise a repeated ``event_id`` (see ``consumer.py``).

When the bus is down, writes do not pay for it: a write relays only its own events, and after a failed publish the
process leaves the relaying to the schedule for :data:`BUS_PAUSE_SECONDS`. The schedule drains the backlog in
batches until it is empty, the bus fails again, or its run nears its end.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers.shared.aws import AFTER_COMMIT, IN_REQUEST, CallBudget, client
from handlers.shared.clock import timestamp_ms, utc_now
from handlers.shared.db import Database, Transaction, service_database
from handlers.shared.entry import lambda_entry
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings, SettingsError

log = logging.getLogger(__name__)

PUT_EVENTS_BATCH = 10  # EventBridge's limit of entries per PutEvents call
RELAY_BATCH = 100
BUS_PAUSE_SECONDS = 30.0
"""After a failed publish, writes in this process leave the relaying to the schedule for this long."""
SCHEDULE_RUN_SECONDS = 40.0
"""How long one run of the schedule drains at most (its function's timeout is 60 s)."""


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

    def __init__(self, bus_name: str, source: str, events_client: Any | None = None,
                 clock: Any = time.monotonic) -> None:  # fmt: skip
        self.bus_name = bus_name
        self.source = source
        self._client = events_client
        self._clock = clock
        self._paused_until = 0.0

    @property
    def paused(self) -> bool:
        """Whether a publish failed less than :data:`BUS_PAUSE_SECONDS` ago."""
        return self._clock() < self._paused_until

    def publish(self, events: Sequence[PendingEvent], budget: CallBudget = IN_REQUEST) -> set[str]:
        """Publish ``events``; return the ids that EventBridge did not accept (retry those later)."""
        failed = self._put(events, budget)
        if failed:
            self._paused_until = self._clock() + BUS_PAUSE_SECONDS
        return failed

    def _put(self, events: Sequence[PendingEvent], budget: CallBudget) -> set[str]:
        failed: set[str] = set()
        events_client = self._client or client("events", budget)
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


def relay(db: Database, publisher: EventPublisher, limit: int = RELAY_BATCH, *, event_ids: Sequence[str] = (),
          budget: CallBudget = IN_REQUEST) -> RelayResult:  # fmt: skip
    """Publish what the outbox holds (or of it, the ``event_ids`` given), oldest first, and mark what went out. Safe
    to run at any time."""
    with db.transaction() as tx:
        rows = tx.query(*_pending_sql(limit, event_ids))
    if not rows:
        return RelayResult(0, 0)
    pending = [PendingEvent(r["event_id"], r["detail_type"], r["detail"]) for r in rows]
    failed = publisher.publish(pending, budget)
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


def _pending_sql(limit: int, event_ids: Sequence[str]) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"limit": limit}
    only = ""
    if event_ids:
        params |= {f"id{i}": event_id for i, event_id in enumerate(event_ids)}
        only = f" AND event_id IN ({', '.join(f':id{i}' for i in range(len(event_ids)))})"
    select = "SELECT event_id, detail_type, detail FROM outbox WHERE published_at IS NULL"
    return f"{select}{only} ORDER BY created_at LIMIT :limit", params


def relay_after_commit(db: Database, publisher: EventPublisher | None, event_ids: Sequence[str]) -> None:
    """Best effort after a commit: publish the events the write added, within :data:`AFTER_COMMIT`'s budget. The
    change is already safe, so a failure is only logged and the ``outbox-relay`` schedule retries; while the bus is
    known to be down, nothing is tried. Nothing happens without a publisher."""
    if publisher is None or not event_ids:
        return
    if publisher.paused:
        log.info("the bus failed recently: %d event(s) wait for the outbox-relay schedule", len(event_ids))
        return
    try:
        relay(db, publisher, len(event_ids), event_ids=event_ids, budget=AFTER_COMMIT)
    except Exception:
        log.warning("relaying the outbox after commit failed; the outbox-relay schedule will retry", exc_info=True)


def drain(db: Database, publisher: EventPublisher, seconds: float = SCHEDULE_RUN_SECONDS) -> RelayResult:
    """Relay batch after batch until the outbox is empty, a batch fails, or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    published = failed = 0
    while True:
        result = relay(db, publisher)
        published, failed = published + result.published, result.failed
        if result.failed or result.published < RELAY_BATCH or time.monotonic() > deadline:
            return RelayResult(published, failed)


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
    result = drain(db, publisher)
    if result.published or result.failed:
        log.info("outbox relay: %d published, %d still pending", result.published, result.failed)
    return {"published": result.published, "failed": result.failed}
