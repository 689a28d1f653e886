"""Fleet rules, free of I/O: what a valid truck is, which truck a move gets, and when a manual assignment is refused.

Automatic selection (:func:`rank_candidates`): a truck qualifies when it is active, its capacity is at least the
move's volume and it is not booked on the move's date. Among those, trucks based in the move's origin city come
first, then the smallest capacity that fits (the big trucks stay free for big moves), then the plate, so the choice
is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.moving.contracts import MoveRegistered
from handlers.shared.errors import Conflict, NotFound
from handlers.shared.paging import PageQuery

PLATE = re.compile(r"^[A-Z0-9-]{2,15}$")
MAX_CAPACITY_M3 = 100


# --- refusals (the shared resolver answers them with their base class's status) -----------------------------------


class UnknownMove(NotFound):
    """Fleet has not seen the move's registration (yet)."""


class UnknownTruck(NotFound):
    """No truck has this id."""


class PlateTaken(Conflict):
    """Another truck has this plate."""


class AssignmentConflict(Conflict):
    """A manual assignment refused; the message says why (see :func:`manual_refusal`)."""


class MoveStatus(StrEnum):
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    UNASSIGNABLE = "unassignable"
    COMPLETED = "completed"


class AssignedBy(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


def normalize_plate(value: object) -> object:
    """Plates compare upper-case, without surrounding spaces; anything that is not text is left for pydantic."""
    return value.strip().upper() if isinstance(value, str) else value


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


Plate = Annotated[
    str,
    BeforeValidator(normalize_plate),
    Field(pattern=PLATE.pattern, description="2 to 15 characters of A-Z, 0-9 and '-', stored upper-case"),
]


class NewTruck(BaseModel):
    """The body of ``POST /trucks``."""

    model_config = ConfigDict(extra="forbid")

    plate: Plate
    capacity_m3: float = Field(gt=0, le=MAX_CAPACITY_M3)
    home_city: Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=100)]
    active: bool = True


class AssignTruck(BaseModel):
    """The body of a manual assignment."""

    model_config = ConfigDict(extra="forbid")

    truck_id: str = Field(min_length=1, max_length=64)


class TruckQuery(PageQuery):
    """The truck list's query: trucks in plate order, optionally only the active (or inactive) ones."""

    active: bool | None = None


@dataclass(frozen=True)
class Truck:
    id: str
    plate: str
    capacity_m3: float
    home_city: str
    active: bool


def new_truck(truck_id: str, new: NewTruck) -> Truck:
    return Truck(truck_id, new.plate, new.capacity_m3, new.home_city, new.active)


class TruckView(TypedDict):
    id: str
    plate: str
    capacity_m3: float
    home_city: str
    active: bool


def truck_view(truck: Truck) -> TruckView:
    return {
        "id": truck.id,
        "plate": truck.plate,
        "capacity_m3": truck.capacity_m3,
        "home_city": truck.home_city,
        "active": truck.active,
    }


class AssignedTruckView(TypedDict):
    id: str
    plate: str


class AssignmentView(TypedDict):
    move_id: str
    truck: AssignedTruckView
    assigned_by: AssignedBy


def manual_assignment_view(move_id: str, truck: Truck) -> AssignmentView:
    return {"move_id": move_id, "truck": {"id": truck.id, "plate": truck.plate}, "assigned_by": AssignedBy.MANUAL}


@dataclass(frozen=True)
class Move:
    """Fleet's view of a move (from its MoveRegistered, then what fleet did with it)."""

    move_id: str
    move_date: date
    volume_m3: float
    origin_city: str
    status: MoveStatus = MoveStatus.REGISTERED
    truck_id: str | None = None


def registered_move(event: MoveRegistered) -> Move:
    """What fleet keeps of a registered move."""
    return Move(event.move_id, event.move_date, event.volume_m3, event.origin.city.strip())


def same_city(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def fits(move: Move, truck: Truck) -> bool:
    return truck.active and truck.capacity_m3 >= move.volume_m3


def rank_candidates(move: Move, trucks: Iterable[Truck], booked_truck_ids: Collection[str]) -> list[Truck]:
    """Every truck that could take ``move``, best first (see the module docstring for the order)."""
    candidates = [t for t in trucks if fits(move, t) and t.id not in booked_truck_ids]
    return sorted(candidates, key=lambda t: (not same_city(t.home_city, move.origin_city), t.capacity_m3, t.plate))


def select_truck(move: Move, trucks: Iterable[Truck], booked_truck_ids: Collection[str]) -> Truck | None:
    """The truck ``move`` gets, or None when none qualifies."""
    ranked = rank_candidates(move, trucks, booked_truck_ids)
    return ranked[0] if ranked else None


def m3(volume: float) -> str:
    return f"{float(volume)} m³"


def unassignable_reason(move: Move) -> str:
    return f"no active truck with capacity ≥ {m3(move.volume_m3)} free on {move.move_date.isoformat()}"


def manual_refusal(move: Move, truck: Truck, busy_with_move: str | None) -> str | None:
    """Why ``truck`` cannot be assigned to ``move`` by hand, or None when it can.

    ``busy_with_move``: the other move the truck is booked for on the move's date, if any."""
    if move.status is MoveStatus.COMPLETED:
        return f"move {move.move_id} is {move.status.value}; its truck can no longer change"
    if not truck.active:
        return f"truck {truck.plate} is inactive"
    if truck.capacity_m3 < move.volume_m3:
        return (
            f"truck {truck.plate} is too small: capacity {m3(truck.capacity_m3)}, "
            f"move {move.move_id} needs {m3(move.volume_m3)}"
        )
    if busy_with_move is not None and busy_with_move != move.move_id:
        return f"truck {truck.plate} is already booked on {move.move_date.isoformat()} for move {busy_with_move}"
    return None
