"""What the settings service does: show and save the store's settings, in its DynamoDB table. It keeps no SQL data,
so it has the shape of the others without the shared transaction base: the table's writes are single items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Self

from handlers.retail.settings import logic
from handlers.retail.settings.logic import SettingsView
from handlers.retail.settings.store import SettingsServiceSettings, SettingsTable
from handlers.shared.api import Caller
from handlers.shared.clock import utc_now
from handlers.shared.settings import ServiceSettings


class SettingsUseCases:
    def __init__(self, table: SettingsTable, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.table = table
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(SettingsTable(SettingsServiceSettings.from_env().table_settings))

    def show(self) -> SettingsView:
        """The settings in force: the saved ones, or the defaults when none were saved."""
        return logic.settings_view(logic.settings_or_defaults(self.table.saved_store_settings()))

    def save(self, caller: Caller, fields: logic.StoreSettingsFields) -> SettingsView:
        """Save the settings stamped with the caller and the time; a write overtaken by a later one is a 409."""
        settings = logic.stamped(fields, caller.user_id, self.clock())
        self.table.save_store_settings(settings)
        return logic.settings_view(settings)
