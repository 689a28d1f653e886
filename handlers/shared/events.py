"""What a domain event is: the detail model that producers and consumers share, and how a received one is parsed.

Producers write events to their outbox (``outbox.py``); consumers receive them from a queue (``consumer.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from handlers.shared import correlation
from handlers.shared.clock import utc_now


class EventMetadata(BaseModel):
    """What an event says about itself rather than about the domain. It ignores fields it does not know, so metadata
    can grow without breaking consumers deployed before the producers."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    correlation_id: str | None = Field(default=None, max_length=128)
    """The request (or schedule run) whose work caused the event: see ``handlers.shared.correlation``."""


def _current_metadata() -> EventMetadata:
    return EventMetadata(correlation_id=correlation.current())


class EventDetail(BaseModel):
    """The detail of a domain event. Subclasses set ``DETAIL_TYPE`` and add their fields; producers and consumers
    share the subclass, so both sides agree on the schema."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    DETAIL_TYPE: ClassVar[str]
    event_id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=64)
    occurred_at: datetime = Field(default_factory=utc_now)
    metadata: EventMetadata = Field(default_factory=_current_metadata)
    """Taken from the invocation that made the event: its correlation id travels on with it."""


def correlation_of(detail: Any) -> str | None:
    """The correlation id a received detail carries in its metadata; an event made before events carried one is its
    own story (its event id). None for what is not a detail at all."""
    if not isinstance(detail, dict):
        return None
    metadata = detail.get("metadata")
    carried = metadata.get("correlation_id") if isinstance(metadata, dict) else None
    found = carried or detail.get("event_id")
    return str(found) if found else None


def parse_detail(detail: str | dict[str, Any], model: type[EventDetail]) -> EventDetail:
    """A received detail as its shared model (a wrong shape raises pydantic's ValidationError)."""
    return model.model_validate_json(detail) if isinstance(detail, str) else model.model_validate(detail)
