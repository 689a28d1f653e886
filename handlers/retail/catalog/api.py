"""The catalog API (HTTP API payload 2.0 behind the retail JWT authorizer; groups enforced per route).

- ``GET /products?category=&include_inactive=&limit=&cursor=``, ``GET /products/{id}`` (staff): SKU order; a
  deleted product is still shown by id (``active: false``).
- ``POST /products`` (admins) ``{sku, name, category, price, min_stock?, active?}`` → 201; it starts with a stock
  of 0 (same transaction). ``min_stock`` omitted is the store's ``low_stock_threshold`` (the settings table, read at
  most once a minute; 5 when none is saved). 409 naming the SKU when taken. ``PUT /products/{id}`` replaces every
  field but ``min_stock`` and ``active``, which keep their current values when omitted; ``DELETE /products/{id}``
  soft-deletes (``active: false``).
- ``GET /clients``, ``GET /clients/{id}`` (staff); ``POST /clients``, ``PUT /clients/{id}`` (sellers, admins)
  ``{document_id, name, email?, phone?}``, 409 naming a taken document_id; ``DELETE /clients/{id}`` (admins) → 204.
- ``GET /stock?low=true&limit=&cursor=`` (staff): ``{items: [{product_id, sku, name, stock, min_stock, low}]}``.
- ``POST /stock/adjustments`` (warehouse, admins) ``{product_id, delta ≠ 0, reason}`` → 201 ``{movement, stock}``;
  409 naming the product and its stock when it would go below zero. Crossing below ``min_stock`` emits StockLow.
- ``GET /stock/movements?product_id=&limit=&cursor=`` (staff): newest first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel

from handlers.retail.catalog import logic
from handlers.retail.catalog.store import CatalogStore
from handlers.retail.store_settings import ReadsStoreSettings, StoreSettingsReader
from handlers.shared.api import create_app, current_caller, parse_body, parse_query
from handlers.shared.clock import timestamp_ms, utc_now
from handlers.shared.db import service_database
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.settings import ServiceSettings

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {
    "POST /products": logic.ProductFields,
    "PUT /products/{id}": logic.ProductFields,
    "POST /clients": logic.ClientFields,
    "PUT /clients/{id}": logic.ClientFields,
    "POST /stock/adjustments": logic.Adjustment,
}
QUERY_MODELS: dict[str, type[BaseModel]] = {
    "GET /products": logic.ProductQuery,
    "GET /clients": logic.ClientQuery,
    "GET /stock": logic.StockQuery,
    "GET /stock/movements": logic.MovementQuery,
}


def build_app(
    settings: ServiceSettings,
    store: CatalogStore,
    publisher: EventPublisher | None,
    *,
    low_stock_threshold: Callable[[], int],
    clock: Callable[[], datetime] = utc_now,
) -> APIGatewayHttpResolver:
    """The resolver with the catalog routes, on injected adapters (the store, the bus publisher, the store's
    low-stock threshold, the clock)."""
    app = create_app(settings)

    # --- products --------------------------------------------------------------------------------------------------

    @app.get("/products")
    def list_products() -> dict[str, Any]:
        query = parse_query(app, logic.ProductQuery)
        return logic.page(store.products(query), query.limit, logic.product_view, lambda p: (p.sku,))

    @app.get("/products/<product_id>")
    def show_product(product_id: str) -> dict[str, Any]:
        product = store.product(product_id)
        if product is None:
            raise logic.ProductNotFound(product_id)
        return logic.product_view(product)

    @app.post("/products")
    def create_product() -> tuple[dict[str, Any], int]:
        fields = parse_body(app, logic.ProductFields)
        return logic.product_view(store.create_product(logic.new_product(fields, clock(), low_stock_threshold))), 201

    @app.put("/products/<product_id>")
    def update_product(product_id: str) -> dict[str, Any]:
        fields = parse_body(app, logic.ProductFields)
        now = clock()
        product = store.change_product(product_id, lambda p: logic.updated_product(p, product_id, fields, now))
        return logic.product_view(product)

    @app.delete("/products/<product_id>")
    def delete_product(product_id: str) -> dict[str, Any]:
        now = clock()
        return logic.product_view(store.change_product(product_id, lambda p: logic.deleted_product(p, product_id, now)))

    # --- clients ---------------------------------------------------------------------------------------------------

    @app.get("/clients")
    def list_clients() -> dict[str, Any]:
        query = parse_query(app, logic.ClientQuery)
        return logic.page(store.clients(query), query.limit, logic.client_view, lambda c: (c.name, c.id))

    @app.get("/clients/<client_id>")
    def show_client(client_id: str) -> dict[str, Any]:
        client = store.client(client_id)
        if client is None:
            raise logic.ClientNotFound(client_id)
        return logic.client_view(client)

    @app.post("/clients")
    def create_client() -> tuple[dict[str, Any], int]:
        fields = parse_body(app, logic.ClientFields)
        return logic.client_view(store.create_client(logic.new_client(fields, clock()))), 201

    @app.put("/clients/<client_id>")
    def update_client(client_id: str) -> dict[str, Any]:
        fields = parse_body(app, logic.ClientFields)
        now = clock()
        return logic.client_view(
            store.change_client(client_id, lambda c: logic.updated_client(c, client_id, fields, now))
        )

    @app.delete("/clients/<client_id>")
    def delete_client(client_id: str) -> Response:
        store.delete_client(client_id)
        return Response(status_code=204)

    # --- stock -----------------------------------------------------------------------------------------------------

    @app.get("/stock")
    def list_stock() -> dict[str, Any]:
        query = parse_query(app, logic.StockQuery)
        return logic.page(store.levels(query), query.limit, logic.stock_view, lambda s: (s.sku,))

    @app.post("/stock/adjustments")
    def adjust_stock() -> tuple[dict[str, Any], int]:
        caller = current_caller(app)
        adjustment = parse_body(app, logic.Adjustment)
        change = store.adjust(adjustment, caller.user_id, clock())
        if change.alert is not None:
            relay_after_commit(store.db, publisher)
        return {"movement": logic.movement_view(change.movement), "stock": logic.stock_view(change.level)}, 201

    @app.get("/stock/movements")
    def list_movements() -> dict[str, Any]:
        query = parse_query(app, logic.MovementQuery)
        return logic.page(store.movements(query), query.limit, logic.movement_view,
                          lambda m: (timestamp_ms(m.created_at), m.id))  # fmt: skip

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ReadsStoreSettings.from_env()
    store_settings = StoreSettingsReader(settings.settings_table)
    return build_app(settings, CatalogStore(service_database(settings)), publisher_for(settings),
                     low_stock_threshold=store_settings.low_stock_threshold)  # fmt: skip


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
