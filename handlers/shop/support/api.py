"""The support API: the routes of ``architectures/shop.py``'s support service, each a call to one use case."""

from __future__ import annotations

from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router
from handlers.shop.support import logic
from handlers.shop.support.logic import (
    CommentView,
    ListQuery,
    NewComment,
    NewTicket,
    StatusChange,
    TakeRequest,
    TicketSummary,
    TicketView,
)
from handlers.shop.support.usecases import SupportUseCases

router = Router("shop", "support")


@router.route("POST /tickets", body=NewTicket, response=TicketView, status=201, idempotent=True)
def open_ticket(request: Request, support: SupportUseCases) -> TicketView:
    """Open a support ticket. It starts OPEN and belongs to you."""
    return logic.detail(support.open(request.caller, request.body), [])


@router.route("GET /tickets", query=ListQuery, response=Page[TicketSummary])
def list_tickets(request: Request, support: SupportUseCases) -> Page[TicketSummary]:
    """List tickets, newest first.

    Agents see every ticket (status keeps those of one status); anyone else sees their own.
    """
    return support.listing(request.caller, request.query)


@router.route("GET /tickets/{id}", response=TicketView)
def show_ticket(request: Request, support: SupportUseCases) -> TicketView:
    """Show a ticket with its comments (someone else's ticket is a 404, as a missing one is)."""
    return logic.detail(*support.show(request.caller, request.params["id"]))


@router.route("POST /tickets/{id}/take", body=TakeRequest, optional_body=True, response=TicketView)
def take_ticket(request: Request, support: SupportUseCases) -> TicketView:
    """Take a ticket: it is assigned to you, and an OPEN ticket becomes IN_PROGRESS.

    Taking a ticket another agent holds is a 409 unless the body says reassign true. Taking one you hold changes
    nothing.
    """
    return logic.detail(*support.take(request.caller, request.params["id"], request.body.reassign))


@router.route("PATCH /tickets/{id}", body=StatusChange, response=TicketView)
def change_status(request: Request, support: SupportUseCases) -> TicketView:
    """Move a ticket one step: OPEN, IN_PROGRESS, RESOLVED, CLOSED (RESOLVED back to IN_PROGRESS reopens it).

    Any other move is a 409 that names the current status.
    """
    return logic.detail(*support.move(request.caller, request.params["id"], request.body.status))


@router.route("POST /tickets/{id}/comments", body=NewComment, response=CommentView, status=201, idempotent=True)
def add_comment(request: Request, support: SupportUseCases) -> CommentView:
    """Comment on a ticket (its owner or an agent); a CLOSED ticket takes no more comments (409)."""
    return logic.comment_view(support.comment(request.caller, request.params["id"], request.body))


handler = router.handler(SupportUseCases.from_settings)
