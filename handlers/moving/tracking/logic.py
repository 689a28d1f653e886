"""Tracking: GPS tracking sessions of the trucks assigned to moves, and the positions their drivers report.

Pure domain code: no boto3, no SQL; ``now`` comes from the caller (the handlers' clock is
``handlers.shared.clock.utc_now``, replaced in tests). The HTTP routes (``api.py``) and the event consumer
(``events.py``) call these functions; ``store.py`` persists the results.

Session of a move::

    (unknown) ──TruckAssigned──▶ OPEN ──MoveCompleted──▶ CLOSED
        │                         ▲ │
        └──MoveRegistered──▶ WAITING (owner known, no truck yet)

    TruckAssigned on OPEN with another truck: the session follows the new truck (a manual reassignment).
    MoveCompleted on an unknown or WAITING move: CLOSED straight away. CLOSED is final.

The events come through a standard SQS queue, so they may arrive in any order: each rule accepts what it can and
fills in the rest (a TruckAssigned before its MoveRegistered opens the session with the owner still unknown, and the
MoveRegistered adds the owner later; a late TruckAssigned never reopens a CLOSED session). Until the owner is known
only employees see the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.moving.contracts import MoveCompleted, MoveRegistered, PositionRecorded, TruckAssigned
from handlers.shared.clock import as_utc, timestamp_us, utc_now
from handlers.shared.errors import Conflict, NotFound
from handlers.shared.events import EventDetail
from handlers.shared.fields import Moment
from handlers.shared.records import view_of
from handlers.shared.views import IsoTimestamp

EMPLOYEES = "employees"
"""The group that sees every move's tracking (as declared in ``architectures/moving.py``)."""

MAX_FUTURE = timedelta(minutes=5)
"""How far ahead of the server's clock a position's ``recorded_at`` may be (the phone's clock drifts)."""

PATH_LIMIT = 500
"""The most recent positions ``GET /moves/{id}/tracking`` returns."""


class SessionStatus(StrEnum):
    WAITING = "WAITING"
    OPEN = "OPEN"
    CLOSED = "CLOSED"


# --- errors ------------------------------------------------------------------------------------------------------


class MoveNotFound(NotFound, LookupError):
    """Tracking knows no move with this id (or the caller may not know it exists): a 404."""

    def __init__(self, move_id: str) -> None:
        super().__init__(f"no move {move_id}")
        self.move_id = move_id


class NoSession(NotFound, LookupError):
    """The move is known and visible, but has never had a tracking session (no truck assigned yet): a 404."""

    def __init__(self, move_id: str) -> None:
        super().__init__(f"move {move_id} has no tracking session yet: no truck is assigned to it")
        self.move_id = move_id


class SessionNotOpen(Conflict):
    """Positions are refused: the session is not open (a 409); the message says why."""

    def __init__(self, tracking: Tracking) -> None:
        if tracking.status is SessionStatus.CLOSED:
            when = f" at {timestamp_us(tracking.closed_at)}" if tracking.closed_at else ""
            reason = f"its tracking session was closed{when} when the move was completed"
        else:
            reason = "no truck is assigned to it yet, so no tracking session is open"
        super().__init__(f"move {tracking.move_id} does not take positions: {reason}")
        self.move_id, self.status = tracking.move_id, tracking.status


# --- the tracking of a move --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tracking:
    """What tracking knows of a move: its owner (once MoveRegistered arrived) and its session."""

    move_id: str
    status: SessionStatus
    updated_at: datetime
    customer_id: str | None = None
    truck_id: str | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Change:
    """What an event does to a move's tracking. ``ignored`` says why nothing changed; ``tracking`` is then the
    current state (None when the move is still unknown)."""

    tracking: Tracking | None
    ignored: str | None = None

    @property
    def changed(self) -> bool:
        return self.ignored is None


def _new(move_id: str, now: datetime) -> Tracking:
    return Tracking(move_id=move_id, status=SessionStatus.WAITING, updated_at=now)


def on_registered(current: Tracking | None, event: MoveRegistered, now: datetime) -> Change:
    """Remember who owns the move (in any session state: the event may come after TruckAssigned)."""
    tracking = current or _new(event.move_id, now)
    if tracking.customer_id == event.customer_id:
        return Change(current, ignored=f"move {event.move_id} already belongs to {event.customer_id}")
    return Change(replace(tracking, customer_id=event.customer_id, updated_at=now))


def on_truck_assigned(current: Tracking | None, event: TruckAssigned, now: datetime) -> Change:
    """Open the session for the move and its truck; a new truck on an open session replaces the old one."""
    tracking = current or _new(event.move_id, now)
    if tracking.status is SessionStatus.CLOSED:
        return Change(current, ignored=f"move {event.move_id} is already completed; its session stays closed")
    if tracking.status is SessionStatus.OPEN and tracking.truck_id == event.truck_id:
        return Change(current, ignored=f"move {event.move_id} is already tracked with truck {event.truck_id}")
    opened_at = tracking.opened_at or now
    return Change(replace(tracking, status=SessionStatus.OPEN, truck_id=event.truck_id, opened_at=opened_at,
                          updated_at=now))  # fmt: skip


def on_completed(current: Tracking | None, event: MoveCompleted, now: datetime) -> Change:
    """Close the session for good (even one that never opened: a late TruckAssigned must not open it)."""
    tracking = current or _new(event.move_id, now)
    if tracking.status is SessionStatus.CLOSED:
        return Change(current, ignored=f"move {event.move_id}'s session is already closed")
    return Change(replace(tracking, status=SessionStatus.CLOSED, truck_id=tracking.truck_id or event.truck_id,
                          closed_at=now, updated_at=now))  # fmt: skip


def apply_event(current: Tracking | None, event: EventDetail, now: datetime) -> Change:
    """Dispatch a received event to its rule."""
    if isinstance(event, MoveRegistered):
        return on_registered(current, event, now)
    if isinstance(event, TruckAssigned):
        return on_truck_assigned(current, event, now)
    if isinstance(event, MoveCompleted):
        return on_completed(current, event, now)
    raise TypeError(f"tracking does not handle {type(event).__name__}")


# --- positions ---------------------------------------------------------------------------------------------------


class NewPosition(BaseModel):
    """The body of ``POST /moves/{id}/positions``. ``recorded_at`` is ISO 8601; without an offset it is taken as
    UTC; it may be at most :data:`MAX_FUTURE` ahead of now (validate with ``context={"now": datetime}`` to fix the
    clock). Unknown fields are refused, so a typo is not silently dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90, description="Latitude in degrees, -90..90")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees, -180..180")
    recorded_at: Moment

    @field_validator("recorded_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        now = as_utc((info.context or {}).get("now") or utc_now())
        if value > now + MAX_FUTURE:
            minutes = int(MAX_FUTURE.total_seconds() // 60)
            raise ValueError(f"must not be more than {minutes} minutes in the future (now is {timestamp_us(now)})")
        return value


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    recorded_at: datetime

    def view(self) -> PositionView:
        return cast(PositionView, view_of(self, timestamp_us))


class PositionView(TypedDict):
    lat: float
    lon: float
    recorded_at: IsoTimestamp


@dataclass(frozen=True)
class Accepted:
    """A position accepted for the move's open session, and the event that announces it."""

    move_id: str
    truck_id: str
    position: Position
    event: PositionRecorded


def accept_position(tracking: Tracking | None, move_id: str, new: NewPosition, now: datetime) -> Accepted:
    """A position for an OPEN session; :class:`MoveNotFound` or :class:`SessionNotOpen` otherwise."""
    if tracking is None:
        raise MoveNotFound(move_id)
    if tracking.status is not SessionStatus.OPEN or tracking.truck_id is None:
        raise SessionNotOpen(tracking)
    position = Position(new.lat, new.lon, as_utc(new.recorded_at))
    event = PositionRecorded(move_id=move_id, lat=position.lat, lon=position.lon,
                             recorded_at=position.recorded_at, occurred_at=now)  # fmt: skip
    return Accepted(move_id, tracking.truck_id, position, event)


class AcceptedView(TypedDict):
    move_id: str
    accepted: bool


def accepted_view(move_id: str) -> AcceptedView:
    return {"move_id": move_id, "accepted": True}


# --- who sees what, and how it looks -----------------------------------------------------------------------------


def is_employee(groups: frozenset[str]) -> bool:
    return EMPLOYEES in groups


def can_see(tracking: Tracking, user_id: str, groups: frozenset[str]) -> bool:
    """Employees see every move's tracking; a customer only their own (an unknown owner is nobody's yet)."""
    return is_employee(groups) or (tracking.customer_id is not None and tracking.customer_id == user_id)


def visible(tracking: Tracking | None, move_id: str, user_id: str, groups: frozenset[str]) -> Tracking:
    """The tracking the caller may see, or :class:`MoveNotFound` (the same answer for someone else's move as for
    an unknown one, so ids leak nothing) or :class:`NoSession` (no truck yet)."""
    if tracking is None or not can_see(tracking, user_id, groups):
        raise MoveNotFound(move_id)
    if tracking.status is SessionStatus.WAITING:
        raise NoSession(move_id)
    return tracking


class TrackingView(TypedDict):
    move_id: str
    truck_id: str | None
    status: SessionStatus
    last_position: PositionView | None
    path: list[PositionView]


def tracking_view(tracking: Tracking, path: Sequence[Position]) -> TrackingView:
    """The session as the API shows it; ``path`` in time order (the last :data:`PATH_LIMIT` positions)."""
    ordered = sorted(path, key=lambda p: p.recorded_at)[-PATH_LIMIT:]
    return {
        "move_id": tracking.move_id,
        "truck_id": tracking.truck_id,
        "status": tracking.status,
        "last_position": ordered[-1].view() if ordered else None,
        "path": [p.view() for p in ordered],
    }
