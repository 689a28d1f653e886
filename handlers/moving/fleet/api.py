"""Fleet's API: the routes of ``architectures/moving.py``'s fleet service, each a call to one use case."""

from __future__ import annotations

from handlers.moving.fleet import logic
from handlers.moving.fleet.logic import AssignmentView, AssignTruck, NewTruck, TruckQuery, TruckView
from handlers.moving.fleet.usecases import FleetUseCases
from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router

router = Router("moving", "fleet")


@router.route("POST /trucks", body=NewTruck, response=TruckView, status=201, idempotent=True)
def register_truck(request: Request, fleet: FleetUseCases) -> TruckView:
    """Register a truck.

    Plates are unique (409 when the plate is taken) and stored upper-case.
    """
    return logic.truck_view(fleet.register_truck(request.body))


@router.route("GET /trucks", query=TruckQuery, response=Page[TruckView])
def list_trucks(request: Request, fleet: FleetUseCases) -> Page[TruckView]:
    """List trucks in plate order.

    Optionally only the active ones (active=true) or the inactive ones (active=false).
    """
    return fleet.list_trucks(request.query)


@router.route("POST /moves/{id}/truck", body=AssignTruck, response=AssignmentView)
def assign_truck(request: Request, fleet: FleetUseCases) -> AssignmentView:
    """Assign a truck to a move by hand.

    404 for a move fleet has not seen yet or an unknown truck; 409 when the truck is busy that day, too small or
    inactive, or the move is completed. A move that already has a truck is moved to the new one.
    """
    move_id = request.params["id"]
    return logic.manual_assignment_view(move_id, fleet.assign_manually(move_id, request.body.truck_id))


handler = router.handler(FleetUseCases.from_settings)
