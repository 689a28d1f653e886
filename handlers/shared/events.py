"""What a domain event is: the detail model that producers and consumers share, and how a received one is parsed.

Producers write events to their outbox (``outbox.py``); consumers receive them from a queue (``consumer.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from handlers.shared.clock import utc_now


class EventDetail(BaseModel):
    """The detail of a domain event. Subclasses set ``DETAIL_TYPE`` and add their fields; producers and consumers
    share the subclass, so both sides agree on the schema."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    DETAIL_TYPE: ClassVar[str]
    event_id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=64)
    occurred_at: datetime = Field(default_factory=utc_now)


def parse_detail(detail: str | dict[str, Any], model: type[EventDetail]) -> EventDetail:
    """A received detail as its shared model (a wrong shape raises pydantic's ValidationError)."""
    return model.model_validate_json(detail) if isinstance(detail, str) else model.model_validate(detail)
