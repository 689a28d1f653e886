"""The moves API: the routes of ``architectures/moving.py``'s moves service, each a call to one use case."""

from __future__ import annotations

from handlers.moving.moves import logic
from handlers.moving.moves.logic import ListQuery, MoveView, NewMove
from handlers.moving.moves.usecases import MoveUseCases
from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router

router = Router("moving", "moves")


@router.route("POST /moves", body=NewMove, response=MoveView, status=201, idempotent=True)
def register_move(request: Request, moves: MoveUseCases) -> MoveView:
    """Register a move.

    The move belongs to the signed-in customer and starts as REGISTERED; a truck is picked for it shortly after.
    """
    return logic.view(moves.register(request.caller, request.body))


@router.route("GET /moves", query=ListQuery, response=Page[MoveView])
def list_moves(request: Request, moves: MoveUseCases) -> Page[MoveView]:
    """List moves, newest first.

    Customers see their own moves and employees see every move, optionally only those of one status.
    """
    return moves.listing(request.caller, request.query)


@router.route("GET /moves/{id}", response=MoveView)
def show_move(request: Request, moves: MoveUseCases) -> MoveView:
    """Show one move.

    A move of another customer answers 404, as a missing one does.
    """
    return logic.view(moves.show(request.caller, request.params["id"]))


@router.route("POST /moves/{id}/complete", response=MoveView)
def complete_move(request: Request, moves: MoveUseCases) -> MoveView:
    """Complete a move.

    Only a move with a truck assigned can be completed (409 otherwise); its truck is free again.
    """
    return logic.view(moves.complete(request.params["id"]))


handler = router.handler(MoveUseCases.from_settings)
