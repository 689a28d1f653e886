"""The moves API (HTTP API payload 2.0 behind the moving company's Lambda authorizer).

- ``POST /moves`` (customers): register a move; MoveRegistered goes to the outbox in the same transaction.
- ``GET /moves`` (customers: their own; employees: all, optionally ``?status=``): newest first, ``limit``/``cursor``.
- ``GET /moves/{id}``: 404 for a move that does not exist *or* belongs to another customer, so ids leak nothing.
- ``POST /moves/{id}/complete`` (employees): only from TRUCK_ASSIGNED; MoveCompleted goes to the outbox.

Group rules come from the declaration (``ROUTE_GROUPS``) and are enforced by the shared resolver; refusals of the
status machine are a 409 naming the current status; an unreachable database is a 503 with nothing written.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from handlers.moving.moves import logic
from handlers.moving.moves.store import MoveStore
from handlers.shared.api import NotFound, create_app, current_caller, parse_body, parse_query
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.settings import ServiceSettings

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {
    "POST /moves": logic.NewMove,
    "POST /moves/{id}/complete": None,
}
QUERY_MODELS: dict[str, type[BaseModel]] = {"GET /moves": logic.ListQuery}


def _new_id() -> str:
    return str(uuid.uuid4())


def build_app(
    settings: ServiceSettings,
    store: MoveStore,
    publisher: EventPublisher,
    *,
    clock: Callable[[], datetime] = utc_now,
    new_id: Callable[[], str] = _new_id,
) -> APIGatewayHttpResolver:
    """The resolver with the moves routes, on injected adapters (the store, the bus publisher, the clock)."""
    app = create_app(settings)  # TransitionRefused and MoveNotFound are the shared Conflict and NotFound: 409, 404

    @app.post("/moves")
    def register_move() -> tuple[dict[str, Any], int]:
        caller = current_caller(app)
        new = parse_body(app, logic.NewMove)
        change = logic.register(
            new, move_id=new_id(), customer_id=caller.user_id, customer_email=caller.email, now=clock()
        )
        store.add(change)
        relay_after_commit(store.db, publisher)
        return logic.view(change.move), 201

    @app.get("/moves")
    def list_moves() -> Any:
        caller = current_caller(app)
        query = parse_query(app, logic.ListQuery)
        scope = logic.listing_scope(query, caller.user_id, caller.groups)
        return logic.page(store.find(scope, query.after, query.limit + 1), query.limit)

    @app.get("/moves/<move_id>")
    def show_move(move_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        move = store.get(move_id)
        if move is None or not logic.can_see(move, caller.user_id, caller.groups):
            raise NotFound(f"no move {move_id}")
        return logic.view(move)

    @app.post("/moves/<move_id>/complete")
    def complete_move(move_id: str) -> dict[str, Any]:
        now = clock()
        change = store.update(move_id, lambda move: logic.complete(move, now))
        assert change is not None, "no claim was asked for, so there is always a change"
        relay_after_commit(store.db, publisher)
        return logic.view(change.move)

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ServiceSettings.from_env()
    return build_app(settings, MoveStore(service_database(settings)), publisher_for(settings))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
