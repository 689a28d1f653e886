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

from handlers.retail.settings.logic import SettingsView, StoreSettingsFields
from handlers.retail.settings.usecases import SettingsUseCases
from handlers.shared.routing import Request, Router

router = Router("retail", "settings")


@router.route("GET /settings", response=SettingsView)
def show_settings(request: Request, settings: SettingsUseCases) -> SettingsView:
    """Show the store's settings (the defaults until an admin saves them)."""
    return settings.show()


@router.route("PUT /settings", body=StoreSettingsFields, response=SettingsView)
def save_settings(request: Request, settings: SettingsUseCases) -> SettingsView:
    """Save the store's settings: its name, currency, tax rate and low-stock threshold.

    409 when a later write already replaced them.
    """
    return settings.save(request.caller, request.body)


handler = router.handler(SettingsUseCases.from_settings)
