"""The tracking API (HTTP API payload 2.0 behind the moving company's Lambda authorizer).

- ``POST /moves/{id}/positions`` (employees: the driver app): ``{lat, lon, recorded_at}`` → 202
  ``{move_id, accepted: true}``; the position and its PositionRecorded event are written in one transaction and
  the outbox is relayed after the commit. 404 for an unknown move, 409 when its session is not open (no truck yet,
  or closed; the message says which), 422 for out-of-range fields or a ``recorded_at`` more than 5 minutes ahead.
  The same fix sent twice (same ``recorded_at``) is accepted twice but stored and announced once.
- ``GET /moves/{id}/tracking`` (the owning customer, or employees): the session with its last position and path.
  Someone else's move is a 404 like an unknown one, so ids leak nothing; a move without a truck yet is a 404 that
  says so.

Group rules come from the declaration (``ROUTE_GROUPS``) and are enforced by the shared resolver.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel, ConfigDict

from handlers.moving.tracking import logic
from handlers.moving.tracking.store import TrackingStore
from handlers.shared.api import create_app, current_caller, parse_body
from handlers.shared.clock import timestamp_us, utc_now
from handlers.shared.db import service_database
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class _JsonObject(BaseModel):
    """Any JSON object: the body is decoded by the shared parser, then validated with the clock as context."""

    model_config = ConfigDict(extra="allow")


# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {"POST /moves/{id}/positions": logic.NewPosition}
QUERY_MODELS: dict[str, type[BaseModel]] = {}


def build_app(
    settings: ServiceSettings,
    store: TrackingStore,
    publisher: EventPublisher,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> APIGatewayHttpResolver:
    """The resolver with the tracking routes, on injected adapters (the store, the bus publisher, the clock)."""
    app = create_app(settings)  # MoveNotFound and NoSession are the shared NotFound (404), SessionNotOpen a Conflict

    @app.post("/moves/<move_id>/positions")
    def record_position(move_id: str) -> tuple[dict[str, Any], int]:
        now = clock()
        raw = parse_body(app, _JsonObject).model_extra or {}
        new = logic.NewPosition.model_validate(raw, context={"now": now})
        _, fresh = store.record_position(
            move_id, lambda tracking: logic.accept_position(tracking, move_id, new, now), received_at=now
        )
        if fresh:
            relay_after_commit(store.db, publisher)
        else:
            log.info("move %s: position at %s was already recorded", move_id, timestamp_us(new.recorded_at))
        return logic.accepted_view(move_id), 202

    @app.get("/moves/<move_id>/tracking")
    def show_tracking(move_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        tracking = logic.visible(store.get(move_id), move_id, caller.user_id, caller.groups)
        return logic.tracking_view(tracking, store.path(move_id))

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ServiceSettings.from_env()
    return build_app(settings, TrackingStore(service_database(settings)), publisher_for(settings))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
