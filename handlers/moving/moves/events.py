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

import logging

from handlers.moving.contracts import event_move_id
from handlers.moving.moves import logic
from handlers.moving.moves.usecases import MoveUseCases
from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent, log_outcome
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class ProgressConsumer(EventConsumer, system="moving", service="moves", subscription="progress"):
    """Handles one received event; raises to have its record retried."""

    def __init__(self, moves: MoveUseCases) -> None:
        self.moves = moves

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        move_id = event_move_id(event)
        try:
            change = self.moves.follow(self.name, event, move_id)
        except logic.MoveNotFound:
            log.error("%s %s names an unknown move %s; will retry", received.detail_type, event.event_id, move_id)
            raise
        log_outcome(log, received, event, change)


handler = ConsumerEntry(lambda: ProgressConsumer(MoveUseCases(service_database(ServiceSettings.from_env()))))
