"""The settings API (HTTP API payload 2.0, behind the store's JWT authorizer).

- ``GET /settings`` (any staff: admins, sellers, warehouse) → ``{store_name, currency, tax_rate, low_stock_threshold,
  updated_at, updated_by}``; the defaults (``"Store"``, ``"USD"``, ``"0.00"``, ``5``, and null stamps) when nothing
  was saved.
- ``PUT /settings`` (admins) with ``{store_name, currency, tax_rate, low_stock_threshold}``, all required → 200 with
  the stored settings, stamped with ``updated_at`` and ``updated_by`` (the caller's user id). 422 with field errors
  for a bad value; 409 when a later write already replaced the settings (see ``store.py``: last write wins).

``tax_rate`` is a decimal string in responses (``"0.18"``); a JSON number or a string is accepted. A DynamoDB that
cannot be reached is a 503. Sessions and preferences have no route: see ``sessions.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from handlers.retail.settings import logic
from handlers.retail.settings.store import SettingsServiceSettings, SettingsTable
from handlers.shared.api import create_app, current_caller, parse_body
from handlers.shared.clock import utc_now
from handlers.shared.settings import ServiceSettings

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {"PUT /settings": logic.StoreSettingsFields}
QUERY_MODELS: dict[str, type[BaseModel]] = {}


def build_app(
    settings: ServiceSettings,
    table: SettingsTable,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> APIGatewayHttpResolver:
    """The resolver with the settings routes, on an injected table adapter and clock."""
    app = create_app(settings)

    @app.get("/settings")
    def show_settings() -> dict[str, Any]:
        return logic.settings_view(table.store_settings())

    @app.put("/settings")
    def save_settings() -> dict[str, Any]:
        fields = parse_body(app, logic.StoreSettingsFields)
        caller = current_caller(app)
        return logic.settings_view(table.save_store_settings(logic.stamped(fields, caller.user_id, clock())))

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = SettingsServiceSettings.from_env()
    return build_app(settings, SettingsTable(settings.table_settings))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
