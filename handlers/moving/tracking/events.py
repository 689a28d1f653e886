"""The ``sessions`` subscription: tracking learns of moves and their trucks (SQS batch of EventBridge events).

- MoveRegistered → remember the move's owner (who may see its tracking).
- TruckAssigned → open the move's tracking session with that truck (or move it to a new truck).
- MoveCompleted → close the session for good.
- Events may arrive in any order (standard SQS): each rule takes what it can (see ``logic.py``), so nothing waits
  for another event. An event a session cannot take (TruckAssigned for a completed move) is logged and ignored;
  it is still claimed, so a redelivery is not logged again.
- Each event is claimed as ``tracking-sessions`` in the same transaction as its effect: a redelivery has no effect.
- A record that fails (malformed detail, database down, two first events of a move racing) is reported in
  ``batchItemFailures``, so only it is retried, and after the queue's maximum receives it goes to the DLQ.
"""

from __future__ import annotations

import logging

from handlers.moving.contracts import event_move_id
from handlers.moving.tracking.usecases import TrackingUseCases
from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent, log_outcome
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class SessionsConsumer(EventConsumer, system="moving", service="tracking", subscription="sessions"):
    """Handles one received event; raises to have its record retried."""

    def __init__(self, tracking: TrackingUseCases) -> None:
        self.tracking = tracking

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        move_id = event_move_id(event)
        change = self.tracking.follow(self.name, event, move_id)
        if log_outcome(log, received, event, change) and change is not None and change.tracking is not None:
            log.info("move %s: tracking %s after %s", move_id, change.tracking.status.value, received.detail_type)


handler = ConsumerEntry(lambda: SessionsConsumer(TrackingUseCases(service_database(ServiceSettings.from_env()))))
