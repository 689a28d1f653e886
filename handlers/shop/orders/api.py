"""The orders API (HTTP API payload 2.0 behind the shop's JWT authorizer; any signed-in user).

- ``POST /orders``: price the items from the catalog copy and place a PENDING order; OrderPlaced goes to the outbox
  in the same transaction. An optional ``Idempotency-Key`` header (1..100 characters, per customer) makes a retry
  return the first response instead of a second order; the same key with another body is a 422 naming the header.
- ``GET /orders``: the caller's own orders, newest first, ``limit``/``cursor``.
- ``GET /orders/{id}``: the owner or an admin; anyone else gets a 404, as for a missing order, so ids leak nothing.
- ``POST /orders/{id}/cancel``: the owner only (others: 404); PENDING or CONFIRMED → CANCELLING, OrderCancelled
  goes to the outbox; any other status is a 409 naming it.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from handlers.shared import idempotency
from handlers.shared.api import create_app, current_caller, parse_body, parse_query
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.settings import ServiceSettings
from handlers.shop.orders import logic
from handlers.shop.orders.store import OrderStore

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {
    "POST /orders": logic.NewOrder,
    "POST /orders/{id}/cancel": None,
}
QUERY_MODELS: dict[str, type[BaseModel]] = {"GET /orders": logic.ListQuery}


def _new_id() -> str:
    return str(uuid.uuid4())


def build_app(
    settings: ServiceSettings,
    store: OrderStore,
    publisher: EventPublisher | None,
    *,
    clock: Callable[[], datetime] = utc_now,
    new_id: Callable[[], str] = _new_id,
) -> APIGatewayHttpResolver:
    """The resolver with the orders routes, on injected adapters (the store, the bus publisher, the clock)."""
    app = create_app(settings)

    @app.post("/orders")
    def place_order() -> tuple[dict[str, Any], int]:
        caller = current_caller(app)
        new = parse_body(app, logic.NewOrder)
        key = idempotency.key_from(app.current_event.headers)
        fingerprint = idempotency.fingerprint(new)
        if key is not None and (earlier := store.idempotency(caller.user_id, key)) is not None:
            return idempotency.replay(earlier, fingerprint), 201
        catalog = store.catalog(item.product_id for item in new.items)
        change = logic.place(new, catalog, order_id=new_id(), customer_id=caller.user_id, now=clock())
        response = logic.view(change.order)
        record = None
        if key is not None:
            record = idempotency.Record(caller.user_id, key, fingerprint, change.order.id, response)
        try:
            store.add(change, record)
        except idempotency.KeyTaken as taken:  # a concurrent duplicate won: answer as it did
            return idempotency.replay(taken.record, fingerprint), 201
        relay_after_commit(store.db, publisher)
        return response, 201

    @app.get("/orders")
    def list_orders() -> Any:
        caller = current_caller(app)
        query = parse_query(app, logic.ListQuery)
        return logic.page(store.find(caller.user_id, query.after, query.limit + 1), query.limit)

    @app.get("/orders/<order_id>")
    def show_order(order_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        order = store.get(order_id)
        if order is None or not logic.can_see(order, caller.user_id, caller.groups):
            raise logic.OrderNotFound(order_id)
        return logic.view(order)

    @app.post("/orders/<order_id>/cancel")
    def cancel_order(order_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        now = clock()

        def decide(order: logic.Order) -> logic.Change:
            if not logic.can_cancel(order, caller.user_id):
                raise logic.OrderNotFound(order_id)
            return logic.cancel(order, now)

        change = store.update(order_id, decide)
        assert change is not None, "no claim was asked for, so there is always a change"
        relay_after_commit(store.db, publisher)
        return logic.view(change.order)

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ServiceSettings.from_env()
    return build_app(settings, OrderStore(service_database(settings)), publisher_for(settings))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
