"""Moves: the order a customer places, its status machine, and what each event does to it.

Pure domain code: no boto3, no SQL; the rules take ``now`` and ids from their caller. The use cases
(``usecases.py``) call these functions and persist the results through ``store.py``.

Status machine::

    REGISTERED ──TruckAssigned──▶ TRUCK_ASSIGNED ──complete──▶ COMPLETED
        │                              ▲
        └──MoveUnassignable──▶ UNASSIGNABLE ──TruckAssigned (an employee assigned one by hand)

Every other transition is refused with a message that names the current status.

Listing order: newest first (``created_at`` descending, then ``id``), so a customer sees the move they just
registered at the top and a page never shifts when older moves change status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.moving.contracts import (
    MoveCompleted,
    MoveRegistered,
    MoveUnassignable,
    Place,
    PositionRecorded,
    TruckAssigned,
)
from handlers.shared.clock import as_utc, timestamp_us, utc_now
from handlers.shared.errors import NotFound
from handlers.shared.events import EventDetail
from handlers.shared.fields import Day
from handlers.shared.paging import NewestFirstQuery, OwnerScope, Page, newest_first_page
from handlers.shared.status import StatusMachine, TransitionRefused
from handlers.shared.views import IsoDate, IsoTimestamp

EMPLOYEES = "employees"
"""The group that sees and manages every move (as declared in ``architectures/moving.py``)."""


class Status(StrEnum):
    REGISTERED = "REGISTERED"
    TRUCK_ASSIGNED = "TRUCK_ASSIGNED"
    UNASSIGNABLE = "UNASSIGNABLE"
    COMPLETED = "COMPLETED"


class Action(StrEnum):
    """What someone tries to do to a move; the value completes the sentence "cannot ..."."""

    ASSIGN_TRUCK = "assign a truck to it"
    MARK_UNASSIGNABLE = "mark it unassignable"
    COMPLETE = "complete it"


MACHINE: StatusMachine[Status, Action] = StatusMachine(
    "move",
    {
        (Status.REGISTERED, Action.ASSIGN_TRUCK): Status.TRUCK_ASSIGNED,
        (Status.REGISTERED, Action.MARK_UNASSIGNABLE): Status.UNASSIGNABLE,
        (Status.UNASSIGNABLE, Action.ASSIGN_TRUCK): Status.TRUCK_ASSIGNED,
        # Fleet lets an employee move a booking to another truck; the move keeps its status and takes the new truck.
        (Status.TRUCK_ASSIGNED, Action.ASSIGN_TRUCK): Status.TRUCK_ASSIGNED,
        (Status.TRUCK_ASSIGNED, Action.COMPLETE): Status.COMPLETED,
    },
)
"""The only allowed transitions; anything else is refused with a 409 naming the current status."""


class MoveNotFound(NotFound, LookupError):
    """No move has this id (or the caller may not know it exists): a 404."""

    def __init__(self, move_id: str) -> None:
        super().__init__(f"no move {move_id}")
        self.move_id = move_id


# --- the move ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truck:
    id: str
    plate: str


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    recorded_at: datetime


@dataclass(frozen=True)
class Move:
    id: str
    customer_id: str
    customer_email: str
    status: Status
    origin: Place
    destination: Place
    move_date: date
    volume_m3: float
    notes: str | None
    created_at: datetime
    updated_at: datetime
    truck: Truck | None = None
    position: Position | None = None


@dataclass(frozen=True)
class Change:
    """What a command or an event does to a move: its new state and the events to publish with it.

    ``ignored`` says why nothing changed (an event that arrived for a status that cannot take it)."""

    move: Move
    events: tuple[EventDetail, ...] = ()
    ignored: str | None = None

    @property
    def changed(self) -> bool:
        return self.ignored is None


BOOKING_HORIZON = timedelta(days=730)
"""How far ahead a move can be booked: trucks and prices are not planned further."""


class NewMove(BaseModel):
    """The body of ``POST /moves``. Unknown fields are refused, so a typo is not silently dropped.

    ``move_date`` must be today or later, in UTC, and at most :data:`BOOKING_HORIZON` ahead; validate with
    ``context={"today": date}`` to fix the day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    origin: Place
    destination: Place
    move_date: Day
    volume_m3: float = Field(gt=0, le=100, description="Cubic metres to move; more than 0, at most 100")
    notes: str | None = Field(None, max_length=1000)

    @field_validator("move_date")
    @classmethod
    def _not_in_the_past(cls, value: date, info: ValidationInfo) -> date:
        today = (info.context or {}).get("today") or utc_now().date()
        if value < today:
            raise ValueError(f"must be today or later (today is {today.isoformat()})")
        if value > today + BOOKING_HORIZON:
            raise ValueError(f"must be at most {BOOKING_HORIZON.days} days ahead (today is {today.isoformat()})")
        return value


def register(new: NewMove, *, move_id: str, customer_id: str, customer_email: str, now: datetime) -> Change:
    """A new move in REGISTERED, and the MoveRegistered event that announces it."""
    move = Move(
        id=move_id,
        customer_id=customer_id,
        customer_email=customer_email,
        status=Status.REGISTERED,
        origin=new.origin,
        destination=new.destination,
        move_date=new.move_date,
        volume_m3=new.volume_m3,
        notes=new.notes,
        created_at=now,
        updated_at=now,
    )
    event = MoveRegistered(
        move_id=move.id,
        customer_id=customer_id,
        customer_email=customer_email,
        move_date=move.move_date,
        volume_m3=move.volume_m3,
        origin=move.origin,
        destination=move.destination,
        occurred_at=now,
    )
    return Change(move, (event,))


def complete(move: Move, now: datetime) -> Change:
    """An employee completes the move (only from TRUCK_ASSIGNED): MoveCompleted frees the truck."""
    status = MACHINE.next(move.id, move.status, Action.COMPLETE)
    assert move.truck is not None, "a TRUCK_ASSIGNED move has a truck"
    done = replace(move, status=status, updated_at=now)
    return Change(done, (MoveCompleted(move_id=move.id, truck_id=move.truck.id, occurred_at=now),))


# --- events from fleet and tracking ---------------------------------------------------------------------------


def on_truck_assigned(move: Move, event: TruckAssigned, now: datetime) -> Change:
    try:
        status = MACHINE.next(move.id, move.status, Action.ASSIGN_TRUCK)
    except TransitionRefused as refused:
        return Change(move, ignored=str(refused))
    return Change(replace(move, status=status, truck=Truck(event.truck_id, event.plate), updated_at=now))


def on_unassignable(move: Move, event: MoveUnassignable, now: datetime) -> Change:
    try:
        status = MACHINE.next(move.id, move.status, Action.MARK_UNASSIGNABLE)
    except TransitionRefused as refused:
        return Change(move, ignored=str(refused))
    return Change(replace(move, status=status, updated_at=now))


def on_position(move: Move, event: PositionRecorded, now: datetime) -> Change:
    """Keep the latest position only: positions may arrive out of order (SQS is not FIFO)."""
    recorded_at = as_utc(event.recorded_at)
    if move.position is not None and recorded_at <= move.position.recorded_at:
        return Change(move, ignored=f"move {move.id} already has a position from {move.position.recorded_at}")
    return Change(replace(move, position=Position(event.lat, event.lon, recorded_at), updated_at=now))


def apply_event(move: Move, event: EventDetail, now: datetime) -> Change:
    """Dispatch a received event to its rule."""
    if isinstance(event, TruckAssigned):
        return on_truck_assigned(move, event, now)
    if isinstance(event, MoveUnassignable):
        return on_unassignable(move, event, now)
    if isinstance(event, PositionRecorded):
        return on_position(move, event, now)
    raise TypeError(f"moves does not handle {type(event).__name__}")


# --- who sees what, and how it looks ------------------------------------------------------------------------------


def is_employee(groups: frozenset[str]) -> bool:
    return EMPLOYEES in groups


def can_see(move: Move, user_id: str, groups: frozenset[str]) -> bool:
    """Employees see every move; a customer only their own."""
    return is_employee(groups) or move.customer_id == user_id


class TruckView(TypedDict):
    id: str
    plate: str


class PositionView(TypedDict):
    lat: float
    lon: float


class TrackingView(TypedDict):
    last_position: PositionView
    updated_at: IsoTimestamp


class PlaceView(TypedDict):
    address: str
    city: str


class MoveView(TypedDict):
    """A move as the API shows it."""

    id: str
    status: Status
    origin: PlaceView
    destination: PlaceView
    move_date: IsoDate
    volume_m3: float
    notes: str | None
    truck: TruckView | None
    tracking: TrackingView | None
    created_at: IsoTimestamp


def view(move: Move) -> MoveView:
    """The move as the API shows it."""
    return {
        "id": move.id,
        "status": move.status,
        "origin": {"address": move.origin.address, "city": move.origin.city},
        "destination": {"address": move.destination.address, "city": move.destination.city},
        "move_date": move.move_date.isoformat(),
        "volume_m3": move.volume_m3,
        "notes": move.notes,
        "truck": None if move.truck is None else {"id": move.truck.id, "plate": move.truck.plate},
        "tracking": None
        if move.position is None
        else {
            "last_position": {"lat": move.position.lat, "lon": move.position.lon},
            "updated_at": timestamp_us(move.position.recorded_at),
        },
        "created_at": timestamp_us(move.created_at),
    }


# --- listing ---------------------------------------------------------------------------------------------------


class ListQuery(NewestFirstQuery):
    """``GET /moves`` query: ``limit`` (1..100, default 20), ``cursor`` (from ``next_cursor``), ``status``."""

    status: Status | None = None


def listing_scope(query: ListQuery, user_id: str, groups: frozenset[str]) -> OwnerScope:
    """A customer lists their own moves; employees list every one."""
    return OwnerScope.of(user_id, sees_all=is_employee(groups), status=query.status)


def page(moves: Sequence[Move], limit: int) -> Page[MoveView]:
    return newest_first_page(moves, limit, view)
