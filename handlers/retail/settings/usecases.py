"""What the settings service does: show and save the store's settings, in its DynamoDB table. It keeps no SQL data,
so it has the shape of the others without the shared transaction base."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Self

from handlers.retail.settings import logic
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

    def show(self) -> dict[str, Any]:
        return logic.settings_view(self.table.store_settings())

    def save(self, caller: Caller, fields: logic.StoreSettingsFields) -> dict[str, Any]:
        return logic.settings_view(self.table.save_store_settings(logic.stamped(fields, caller.user_id, self.clock())))
