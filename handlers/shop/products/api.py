"""The products API (HTTP API payload 2.0; admin routes behind the shop's JWT authorizer).

- ``GET /products?q=&category=&limit=&cursor=`` (public): sold products in SKU order, ``q`` searched in name, SKU
  and description (any case) → ``{"items": [...], "next_cursor": str | null}``.
- ``GET /products/{id}`` (public): one sold product; a deleted or unknown one is a 404.
- ``POST /products`` (admins): ``{sku, name, description?, category, price, active?}`` → 201 with the product; it
  starts with an empty inventory (0 available, 0 reserved). 409 naming the SKU when it is taken.
- ``PUT /products/{id}`` (admins): replaces every field (``active`` omitted keeps it; ``true`` restores a deleted
  product) → 200; 404 for an unknown product, 409 for a taken SKU.
- ``DELETE /products/{id}`` (admins): soft delete → 200 with the product, ``active: false``; it leaves the public
  catalog and orders stop selling it.
- ``GET /products/{id}/inventory``, ``PUT /products/{id}/inventory {quantity}`` (admins): ``{product_id, available,
  reserved}``; PUT sets the available units (≥ 0), reserved ones are unchanged.

Every create, update and delete writes ProductChanged in the same transaction; the outbox is relayed after the
commit. Prices are Decimal and shown as strings with two decimals (``"12.50"``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from handlers.shared.api import create_app, parse_body, parse_query
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.settings import ServiceSettings
from handlers.shop.products import logic
from handlers.shop.products.store import ProductStore

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {
    "POST /products": logic.ProductFields,
    "PUT /products/{id}": logic.ProductFields,
    "PUT /products/{id}/inventory": logic.InventoryUpdate,
}
QUERY_MODELS: dict[str, type[BaseModel]] = {"GET /products": logic.ListQuery}


def build_app(
    settings: ServiceSettings,
    store: ProductStore,
    publisher: EventPublisher | None,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> APIGatewayHttpResolver:
    """The resolver with the products routes, on injected adapters (the store, the bus publisher, the clock)."""
    app = create_app(settings)

    @app.get("/products")
    def list_products() -> dict[str, Any]:
        query = parse_query(app, logic.ListQuery)
        return logic.page(store.list_active(query), query.limit)

    @app.get("/products/<product_id>")
    def show_product(product_id: str) -> dict[str, Any]:
        return logic.product_view(logic.visible(store.get(product_id), product_id))

    @app.post("/products")
    def create_product() -> tuple[dict[str, Any], int]:
        fields = parse_body(app, logic.ProductFields)
        product = store.create(logic.new_product(fields, clock()))
        relay_after_commit(store.db, publisher)
        return logic.product_view(product), 201

    @app.put("/products/<product_id>")
    def update_product(product_id: str) -> dict[str, Any]:
        fields = parse_body(app, logic.ProductFields)
        now = clock()
        product = store.change(product_id, lambda current: logic.updated_product(current, product_id, fields, now))
        relay_after_commit(store.db, publisher)
        return logic.product_view(product)

    @app.delete("/products/<product_id>")
    def delete_product(product_id: str) -> dict[str, Any]:
        now = clock()
        product = store.change(product_id, lambda current: logic.deleted_product(current, product_id, now))
        relay_after_commit(store.db, publisher)
        return logic.product_view(product)

    @app.get("/products/<product_id>/inventory")
    def show_inventory(product_id: str) -> dict[str, Any]:
        inventory = store.inventory(product_id)
        if inventory is None:
            raise logic.ProductNotFound(product_id)
        return logic.inventory_view(inventory)

    @app.put("/products/<product_id>/inventory")
    def set_inventory(product_id: str) -> dict[str, Any]:
        update = parse_body(app, logic.InventoryUpdate)
        return logic.inventory_view(store.set_available(product_id, update.quantity, clock()))

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ServiceSettings.from_env()
    return build_app(settings, ProductStore(service_database(settings)), publisher_for(settings))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
