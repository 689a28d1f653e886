"""Users' sessions and preferences in the settings table, for the web app's back end (no HTTP route declares them).

    from handlers.retail.settings import sessions

    sessions.record_session(user_id, session_id, ttl_seconds=3600)   # writes expires_at for DynamoDB's TTL
    sessions.get_session(user_id, session_id)                       # None when missing or expired
    sessions.put_preferences(user_id, {"theme": "dark"})             # a JSON object of at most 4 KB
    sessions.get_preferences(user_id)                               # {} when none were saved

The functions use the table named by ``TABLE_SETTINGS`` through a lazily created DynamoDB client; tests and other
callers pass ``table=`` (a ``SettingsTable``) and ``now=`` instead. Bad identifiers or TTLs raise ``InvalidSession``
(a 400 ``BadRequest``); preferences that are not a small JSON object raise pydantic's ``ValidationError`` (a 422 if
a route ever takes them as a body); an unreachable DynamoDB raises ``DatabaseUnavailable`` (a 503).
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from pydantic import JsonValue

from handlers.retail.settings import logic
from handlers.retail.settings.store import SettingsTable, TableSettings
from handlers.shared.clock import timestamp_ms, utc_now


@functools.cache
def default_table() -> SettingsTable:
    """The table from ``TABLE_SETTINGS``, built on first use."""
    return SettingsTable(TableSettings.from_env().table_settings)


def record_session(
    user_id: str, session_id: str, ttl_seconds: int, *, table: SettingsTable | None = None,
    now: datetime | None = None,
) -> logic.Session:  # fmt: skip
    """Store (or renew) a session that DynamoDB deletes some time after ``ttl_seconds`` from now."""
    session = logic.new_session(user_id, session_id, ttl_seconds, now or utc_now())
    (table or default_table()).put_session(session)
    return session


def get_session(
    user_id: str, session_id: str, *, table: SettingsTable | None = None, now: datetime | None = None
) -> logic.Session | None:
    """The session while it lasts; None when unknown or expired (even before TTL has deleted it)."""
    logic.check_id("user_id", user_id)
    logic.check_id("session_id", session_id)
    session = (table or default_table()).get_session(user_id, session_id)
    return session if session is not None and logic.is_live(session, now or utc_now()) else None


def get_preferences(user_id: str, *, table: SettingsTable | None = None) -> dict[str, Any]:
    """The user's preferences, ``{}`` when none were saved."""
    logic.check_id("user_id", user_id)
    saved = (table or default_table()).get_preferences_json(user_id)
    return {} if saved is None else dict(json.loads(saved))


def put_preferences(
    user_id: str, prefs: dict[str, JsonValue], *, table: SettingsTable | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Replace the user's preferences with ``prefs`` (a JSON object of at most 4 KB); the stored preferences."""
    logic.check_id("user_id", user_id)
    checked = logic.Preferences(preferences=prefs).preferences
    text = logic.preferences_json(checked)
    (table or default_table()).put_preferences_json(user_id, text, timestamp_ms(now or utc_now()))
    return dict(json.loads(text))
