"""Fleet's HTTP routes (employees only, by the declared group rules): register and list trucks, assign one by hand.

- ``POST /trucks`` → 201 with the truck; 409 when the plate is taken; 422 for invalid fields.
- ``GET /trucks?active=&limit=&cursor=`` → ``{"items": [...], "next_cursor": ...}`` in plate order.
- ``POST /moves/{id}/truck`` ``{"truck_id"}`` → 200 ``{move_id, truck: {id, plate}, assigned_by: "manual"}``; 404 for
  a move fleet has not seen or an unknown truck; 409 when the truck is busy that day, too small, inactive, or the
  move is completed. A move that already has a truck is reassigned (old booking released in the same transaction).
"""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel, ConfigDict, Field

from handlers.moving.fleet.logic import NewTruck
from handlers.moving.fleet.service import Fleet, truck_dict
from handlers.moving.fleet.store import FleetStore
from handlers.shared.api import create_app, parse_body, parse_query
from handlers.shared.outbox import EventPublisher
from handlers.shared.settings import ServiceSettings


class TruckQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, min_length=1, max_length=200)
    active: bool | None = None


class AssignTruck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    truck_id: str = Field(min_length=1, max_length=64)


# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {
    "POST /trucks": NewTruck,
    "POST /moves/{id}/truck": AssignTruck,
}
QUERY_MODELS: dict[str, type[BaseModel]] = {"GET /trucks": TruckQuery}


def build_app(settings: ServiceSettings, store: FleetStore, publisher: EventPublisher | None) -> APIGatewayHttpResolver:
    fleet = Fleet(store, publisher)
    app = create_app(settings)

    @app.post("/trucks")
    def register_truck() -> tuple[dict[str, Any], int]:
        truck = fleet.register_truck(parse_body(app, NewTruck))
        return truck_dict(truck), 201

    @app.get("/trucks")
    def list_trucks() -> dict[str, Any]:
        query = parse_query(app, TruckQuery)
        page = fleet.list_trucks(active=query.active, limit=query.limit, cursor=query.cursor)
        return {"items": page.items, "next_cursor": page.next_cursor}

    @app.post("/moves/<move_id>/truck")
    def assign_truck(move_id: str) -> dict[str, Any]:
        body = parse_body(app, AssignTruck)
        return fleet.assign_manually(move_id, body.truck_id).as_dict()

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the container."""
    from handlers.shared.db import service_database
    from handlers.shared.outbox import publisher_for

    settings = ServiceSettings.from_env()
    return build_app(settings, FleetStore(service_database(settings)), publisher_for(settings))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
