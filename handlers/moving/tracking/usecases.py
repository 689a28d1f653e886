"""What the tracking service does: accept positions for an open session, show a session, and open and close
sessions as moves get a truck and complete. Each use case is one transaction (``handlers/shared/usecases.py``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Self

from handlers.moving.tracking import logic, store
from handlers.moving.tracking.logic import Change, NewPosition, TrackingView
from handlers.shared.api import Caller
from handlers.shared.clock import timestamp_us
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.outbox import publisher_for
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases

log = logging.getLogger(__name__)


class TrackingUseCases(UseCases):
    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    def validation_context(self) -> Mapping[str, Any]:
        """A position may be at most a few minutes ahead of this service's clock."""
        return {"now": self.clock()}

    def record_position(self, move_id: str, new: NewPosition) -> None:
        """Store a position of the move's open session with its PositionRecorded event. The same fix sent again
        (same ``recorded_at``, say a retry of the driver app) is accepted but stored and announced once. Locking the
        session orders positions against MoveCompleted, so none is stored after the session closed."""
        now = self.clock()
        with self.writing() as write:
            accepted = logic.accept_position(store.lock(write.tx, move_id), move_id, new, now)
            if store.has_position(write.tx, move_id, accepted.position.recorded_at):
                log.info("move %s: position at %s was already recorded", move_id, timestamp_us(new.recorded_at))
                return
            store.insert_position(write.tx, self.new_id(), accepted, now)
            write.publish([accepted.event])

    def show(self, caller: Caller, move_id: str) -> TrackingView:
        with self.reading() as tx:
            tracking = logic.visible(store.get(tx, move_id), move_id, caller.user_id, caller.groups)
            return logic.tracking_view(tracking, store.path(tx, move_id))

    def follow(self, consumer: str, event: EventDetail, move_id: str) -> Change | None:
        """Open or close the move's session as its events say, once: None when ``consumer`` had handled the event.
        Two first events of one move racing each other: one insert fails and rolls back, claim included, so its
        record is retried and then sees the row."""
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return None
            current = store.lock(write.tx, move_id)
            change = logic.apply_event(current, event, self.clock())
            if change.changed and change.tracking is not None:
                store.save(write.tx, change.tracking, new=current is None)
        return change
