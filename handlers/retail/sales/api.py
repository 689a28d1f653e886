"""The sales API (HTTP API payload 2.0 behind the retail JWT authorizer; groups enforced per route).

- ``POST /sales`` (sellers, admins) ``{client_id?, items: [{product_id, quantity}] (1..100, distinct),
  payment_method: cash|card|transfer}`` with an optional ``Idempotency-Key`` header (1..100 characters, per seller:
  the same key and body answer the first response again without a second sale; the same key with another body is a
  422 naming the header) → 201 ``{id, number, items, subtotal, tax_rate, tax, total, payment_method, client_id,
  seller_id, status, created_at, ...}``. Unit prices come from the products, the tax rate from the settings table;
  the sale and its stock decrements are one transaction. 409 naming the item short of stock (nothing written); 422
  naming an unknown or inactive product, or an unknown client.
- ``GET /sales?from=&to=&seller=&limit=&cursor=`` (sellers, admins): newest first. A seller lists only their own
  sales (``seller`` naming someone else is a 403); an admin lists all, or one seller's.
- ``GET /sales/{id}`` (sellers, admins): a seller reads only their own (another's is a 404).
- ``POST /sales/{id}/void`` (admins): the stock goes back (VOID movements) and the sale is VOIDED, once; a second
  void is a 409 naming the status.

Each sale emits the EMF metrics ``SalesCount`` and ``SalesAmount``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from handlers.retail.sales import logic
from handlers.retail.sales.metrics import SaleMetrics
from handlers.retail.sales.store import SalesStore
from handlers.retail.store_settings import ReadsStoreSettings, StoreSettingsReader
from handlers.shared import idempotency
from handlers.shared.api import create_app, current_caller, parse_body, parse_query
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {"POST /sales": logic.NewSale, "POST /sales/{id}/void": None}
QUERY_MODELS: dict[str, type[BaseModel]] = {"GET /sales": logic.SaleQuery}


def build_app(
    settings: ServiceSettings,
    store: SalesStore,
    publisher: EventPublisher | None,
    *,
    tax_rate: Callable[[], Decimal],
    metrics: Callable[[Decimal], None] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> APIGatewayHttpResolver:
    """The resolver with the sales routes, on injected adapters (store, publisher, tax rate, metrics, clock)."""
    app = create_app(settings)

    def record_metrics(total: Decimal) -> None:
        if metrics is None:
            return
        try:
            metrics(total)
        except Exception:  # metrics never fail a sale that is already committed
            log.warning("emitting sale metrics failed", exc_info=True)

    @app.post("/sales")
    def create_sale() -> tuple[dict[str, Any], int]:
        caller = current_caller(app)
        new = parse_body(app, logic.NewSale)
        key = idempotency.key_from(app.current_event.headers)
        fingerprint = idempotency.fingerprint(new)
        if key is not None and (earlier := store.idempotency(caller.user_id, key)) is not None:
            return idempotency.replay(earlier, fingerprint), 201
        try:
            sale = store.sell(new, seller_id=caller.user_id, tax_rate=tax_rate(), now=clock(),
                              idempotency=None if key is None else (key, fingerprint))  # fmt: skip
        except idempotency.KeyTaken as taken:  # a concurrent duplicate won: answer as it did
            return idempotency.replay(taken.record, fingerprint), 201
        relay_after_commit(store.db, publisher)
        record_metrics(sale.total)
        return logic.sale_view(sale), 201

    @app.get("/sales")
    def list_sales() -> dict[str, Any]:
        caller = current_caller(app)
        query = parse_query(app, logic.SaleQuery)
        seller = logic.seller_filter(query, caller.user_id, caller.groups)
        sales = store.find(seller=seller, since=query.since, before=query.before, after=query.after,
                           limit=query.limit + 1)  # fmt: skip
        return logic.page(sales, query.limit)

    @app.get("/sales/<sale_id>")
    def show_sale(sale_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        sale = store.get(sale_id)
        if sale is None or not logic.can_see(sale, caller.user_id, caller.groups):
            raise logic.SaleNotFound(sale_id)
        return logic.sale_view(sale)

    @app.post("/sales/<sale_id>/void")
    def void_sale(sale_id: str) -> dict[str, Any]:
        caller = current_caller(app)
        return logic.sale_view(store.void(sale_id, caller.user_id, clock()))

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ReadsStoreSettings.from_env()
    store_settings = StoreSettingsReader(settings.settings_table)
    return build_app(settings, SalesStore(service_database(settings)), publisher_for(settings),
                     tax_rate=store_settings.tax_rate, metrics=SaleMetrics())  # fmt: skip


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
