"""The settings API (HTTP API payload 2.0, behind the store's JWT authorizer).

- ``GET /settings`` (any staff: admins, sellers, warehouse) → ``{store_name, ruc, address, currency, tax_rate,
  low_stock_threshold, language, time_zone, configured, updated_at, updated_by}``; the store's defaults (the stack's
  ``store`` config: PEN, ``"0.18"``, ``es-PE``, ``America/Lima`` unless it says otherwise), ``configured`` false and
  null stamps when nothing was saved.
- ``PUT /settings`` (admins) with ``{store_name, currency, tax_rate, low_stock_threshold}`` required and ``ruc``,
  ``address``, ``language``, ``time_zone`` optional (left out, each keeps its value; ``ruc`` or ``address`` null
  clears it) → 200 with the stored settings, stamped with ``updated_at`` and ``updated_by`` (the caller's user id).
  422 with field errors for a bad value (``invalid_ruc`` for a RUC whose check digit is wrong); 409 when a later
  write already replaced the settings (see ``store.py``: last write wins).
- ``GET /preferences`` and ``PUT /preferences`` (any staff) → the caller's own ``{language}``; null follows the
  store's language.

``tax_rate`` is a decimal string in responses (``"0.18"``); a JSON number or a string is accepted. A DynamoDB that
cannot be reached is a 503. Sessions have no route: see ``sessions.py``.
"""

from __future__ import annotations

from handlers.retail.settings.logic import PreferencesFields, PreferencesView, SettingsView, StoreSettingsFields
from handlers.retail.settings.usecases import SettingsUseCases
from handlers.shared.routing import Request, Router

router = Router("retail", "settings")


@router.route("GET /settings", response=SettingsView)
def show_settings(request: Request, settings: SettingsUseCases) -> SettingsView:
    """Show the store's settings (its defaults, with `configured` false, until an admin saves them)."""
    return settings.show()


@router.route("PUT /settings", body=StoreSettingsFields, response=SettingsView)
def save_settings(request: Request, settings: SettingsUseCases) -> SettingsView:
    """Save the store's settings: its name, tax id, address, currency, tax rate, low-stock threshold, language and
    time zone.

    409 when a later write already replaced them.
    """
    return settings.save(request.caller, request.body)


@router.route("GET /preferences", response=PreferencesView)
def show_preferences(request: Request, settings: SettingsUseCases) -> PreferencesView:
    """Show the caller's own choices (a null language follows the store's)."""
    return settings.preferences(request.caller)


@router.route("PUT /preferences", body=PreferencesFields, response=PreferencesView)
def save_preferences(request: Request, settings: SettingsUseCases) -> PreferencesView:
    """Save the caller's own choices: the web app's language (null follows the store's)."""
    return settings.save_preferences(request.caller, request.body)


handler = router.handler(SettingsUseCases.from_settings)
