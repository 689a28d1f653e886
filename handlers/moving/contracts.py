"""The moving company's events (bus ``moving``, source ``moving.<service>``), shared by producers and consumers.

Every detail carries ``event_id`` and ``occurred_at`` (from :class:`EventDetail`); consumers are idempotent on
``event_id``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from handlers.shared.events import EventDetail


class Place(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)


class MoveRegistered(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "MoveRegistered"
    move_id: str
    customer_id: str
    customer_email: str
    move_date: date
    volume_m3: float = Field(gt=0, le=100)
    origin: Place
    destination: Place


class TruckAssigned(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "TruckAssigned"
    move_id: str
    truck_id: str
    plate: str
    assigned_by: Literal["auto", "manual"]


class MoveUnassignable(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "MoveUnassignable"
    move_id: str
    reason: str


class MoveCompleted(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "MoveCompleted"
    move_id: str
    truck_id: str


class PositionRecorded(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "PositionRecorded"
    move_id: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    recorded_at: datetime


def event_move_id(event: EventDetail) -> str:
    """The move an event is about (every event the moving services consume names one)."""
    move_id = getattr(event, "move_id", None)
    if not isinstance(move_id, str):
        raise TypeError(f"{type(event).__name__} does not name a move")
    return move_id


EVENTS: dict[str, type[EventDetail]] = {
    model.DETAIL_TYPE: model
    for model in (MoveRegistered, TruckAssigned, MoveUnassignable, MoveCompleted, PositionRecorded)
}
