"""What the settings service does: show and save the store's settings, and each user's preferences, in its DynamoDB
table. It keeps no SQL data, so it has the shape of the others without the shared transaction base: the table's
writes are single items."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Self

from handlers.retail.settings import logic
from handlers.retail.settings.logic import PreferencesView, SettingsView
from handlers.retail.settings.store import SettingsServiceSettings, SettingsTable
from handlers.retail.store_settings import StoreDefaults
from handlers.shared.api import Caller
from handlers.shared.clock import timestamp_ms, utc_now
from handlers.shared.settings import ServiceSettings


class SettingsUseCases:
    def __init__(self, table: SettingsTable, *, defaults: StoreDefaults | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:  # fmt: skip
        self.table = table
        self.defaults = defaults or StoreDefaults()
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(SettingsTable(SettingsServiceSettings.from_env().table_settings), defaults=StoreDefaults.from_env())

    def current(self) -> logic.StoreSettings:
        """The settings in force: the saved ones, or the defaults when none were saved."""
        return logic.settings_or_defaults(self.table.saved_store_settings(), self.defaults)

    def show(self) -> SettingsView:
        return logic.settings_view(self.current())

    def save(self, caller: Caller, fields: logic.StoreSettingsFields) -> SettingsView:
        """Save the settings stamped with the caller and the time; a write overtaken by a later one is a 409."""
        settings = logic.stamped(fields, self.current(), caller.user_id, self.clock())
        self.table.save_store_settings(settings)
        return logic.settings_view(settings)

    def preferences(self, caller: Caller) -> PreferencesView:
        saved = self.table.get_preferences_json(caller.user_id)
        return logic.preferences_view({} if saved is None else json.loads(saved))

    def save_preferences(self, caller: Caller, fields: logic.PreferencesFields) -> PreferencesView:
        """Set the caller's choices, keeping any other preference stored next to them."""
        saved = self.table.get_preferences_json(caller.user_id)
        merged = {**({} if saved is None else json.loads(saved)), **fields.model_dump()}
        text = logic.preferences_json(logic.Preferences(preferences=merged).preferences)
        self.table.put_preferences_json(caller.user_id, text, timestamp_ms(self.clock()))
        return logic.preferences_view(merged)
