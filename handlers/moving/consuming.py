"""What the moving services' subscriptions share: the contracts' event models, and how an outcome is logged."""

from __future__ import annotations

import logging
from typing import ClassVar, Protocol

from handlers.moving.contracts import EVENTS
from handlers.shared.consumer import EventConsumer, ReceivedEvent
from handlers.shared.events import EventDetail


class MovingConsumer(EventConsumer):
    """A consumer of the moving company's events: details are parsed with the shared contracts."""

    models: ClassVar[dict[str, type[EventDetail]]] = EVENTS


class Outcome(Protocol):
    """What an event did: ``ignored`` says why nothing changed."""

    @property
    def changed(self) -> bool: ...

    @property
    def ignored(self) -> str | None: ...


def log_outcome(log: logging.Logger, received: ReceivedEvent, event: EventDetail, outcome: Outcome | None) -> bool:
    """Log an event that had no effect (``None``: it was claimed before; or it was ignored); True when it had one."""
    if outcome is None:
        log.info("%s %s was already handled", received.detail_type, event.event_id)
        return False
    if not outcome.changed:
        log.warning("%s %s ignored: %s", received.detail_type, event.event_id, outcome.ignored)
        return False
    return True
