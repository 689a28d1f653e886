"""The tracking API: the routes of ``architectures/moving.py``'s tracking service, each a call to one use case."""

from __future__ import annotations

from handlers.moving.tracking import logic
from handlers.moving.tracking.logic import AcceptedView, NewPosition, TrackingView
from handlers.moving.tracking.usecases import TrackingUseCases
from handlers.shared.routing import Request, Router

router = Router("moving", "tracking")


@router.route("POST /moves/{id}/positions", body=NewPosition, response=AcceptedView, status=202, idempotent=True)
def record_position(request: Request, tracking: TrackingUseCases) -> AcceptedView:
    """Report where the move's truck is.

    For the driver app. 404 for an unknown move; 409 when its tracking session is not open (no truck yet, or the
    move is done); 422 when recorded_at is more than 5 minutes ahead. The same fix sent twice is stored once.
    """
    tracking.record_position(request.params["id"], request.body)
    return logic.accepted_view(request.params["id"])


@router.route("GET /moves/{id}/tracking", response=TrackingView)
def show_tracking(request: Request, tracking: TrackingUseCases) -> TrackingView:
    """Show a move's tracking: its last position and its path.

    For the customer who owns the move, and employees. Another customer's move answers 404, as an unknown one does;
    a move without a truck yet is a 404 that says so.
    """
    return tracking.show(request.caller, request.params["id"])


handler = router.handler(TrackingUseCases.from_settings)
