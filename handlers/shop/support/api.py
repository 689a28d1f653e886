"""The support API (HTTP API payload 2.0 behind the shop's JWT authorizer).

- ``POST /tickets``: open a ticket as the token's subject (a ``customer_id`` in the body is a 422) → 201.
- ``GET /tickets`` (customers: their own; agents: all; ``?status=``): newest first, ``limit``/``cursor``.
- ``GET /tickets/{id}``: the ticket with its comments, oldest first; 404 for a ticket that does not exist *or*
  that the caller may not see, so ids leak nothing.
- ``POST /tickets/{id}/take`` (agents): assign it to the caller; optional body ``{"reassign": true}`` to take over
  a ticket another agent holds (without it, a 409 naming the holder).
- ``PATCH /tickets/{id} {"status": ...}`` (agents): one step of the status machine (see ``logic.py``), else 409.
- ``POST /tickets/{id}/comments {"body": ...}`` (the owner or an agent) → 201.

Group rules come from the declaration (``ROUTE_GROUPS``) and are enforced by the shared resolver; domain refusals
are the shared ``NotFound``/``Conflict`` (404/409); an unreachable database is a 503 with nothing written. The
service publishes no events and consumes none.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from handlers.shared.api import create_app, current_caller, parse_body, parse_query
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.settings import ServiceSettings
from handlers.shop.support import logic
from handlers.shop.support.logic import TicketNotFound
from handlers.shop.support.store import TicketStore

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {
    "POST /tickets": logic.NewTicket,
    "POST /tickets/{id}/take": logic.TakeRequest,  # optional: no body is the same as {}
    "PATCH /tickets/{id}": logic.StatusChange,
    "POST /tickets/{id}/comments": logic.NewComment,
}
QUERY_MODELS: dict[str, type[BaseModel]] = {"GET /tickets": logic.ListQuery}


def _new_id() -> str:
    return str(uuid.uuid4())


def build_app(
    settings: ServiceSettings,
    store: TicketStore,
    *,
    clock: Callable[[], datetime] = utc_now,
    new_id: Callable[[], str] = _new_id,
) -> APIGatewayHttpResolver:
    """The resolver with the support routes, on injected adapters (the store, the clock, the id maker)."""
    app = create_app(settings)

    @app.post("/tickets")
    def open_ticket() -> tuple[dict[str, Any], int]:
        caller = current_caller(app)
        new = parse_body(app, logic.NewTicket)
        ticket = logic.open_ticket(
            new, ticket_id=new_id(), customer_id=caller.user_id, customer_email=caller.email, now=clock()
        )
        store.add(ticket)
        return logic.detail(ticket, []), 201

    @app.get("/tickets")
    def list_tickets() -> Any:
        caller = current_caller(app)
        query = parse_query(app, logic.ListQuery)
        scope = logic.listing_scope(query, caller)
        return logic.page(store.find(scope, query.after, query.limit + 1), query.limit)

    @app.get("/tickets/<ticket_id>")
    def show_ticket(ticket_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        found = store.get(ticket_id)
        if found is None:
            raise TicketNotFound(ticket_id)
        ticket, comments = found
        return logic.detail(logic.visible(ticket, caller), comments)

    @app.post("/tickets/<ticket_id>/take")
    def take_ticket(ticket_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        request = parse_body(app, logic.TakeRequest) if app.current_event.body else logic.TakeRequest()
        now = clock()
        ticket, comments = store.update(ticket_id, lambda t: logic.take(t, caller, now, reassign=request.reassign))
        return logic.detail(ticket, comments)

    @app.patch("/tickets/<ticket_id>")
    def change_status(ticket_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        change = parse_body(app, logic.StatusChange)
        now = clock()
        ticket, comments = store.update(ticket_id, lambda t: logic.move(t, change.status, caller, now))
        return logic.detail(ticket, comments)

    @app.post("/tickets/<ticket_id>/comments")
    def add_comment(ticket_id: str) -> tuple[dict[str, Any], int]:
        caller = current_caller(app)
        new = parse_body(app, logic.NewComment)
        comment_id, now = new_id(), clock()
        note = store.add_comment(ticket_id, lambda t: logic.comment(t, caller, new, comment_id=comment_id, now=now))
        return logic.comment_view(note), 201

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ServiceSettings.from_env()
    return build_app(settings, TicketStore(service_database(settings)))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
