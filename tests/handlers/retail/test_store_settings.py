"""The store settings reader that the retail services share: the values from one read of the settings item (moto
DynamoDB), the store's defaults (the stack's ``store`` config, else a Peruvian store's) when nothing is saved, invalid
values logged, and a short per-container cache."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest

from handlers.retail.settings import logic as settings_logic
from handlers.retail.settings.store import SettingsTable
from handlers.retail.store_settings import StoreDefaults, StoreSettingsReader, StoreValues, stored_value
from tests.handlers.retail.conftest import put_store_settings
from tests.handlers.retail.settings.conftest import START, TABLE


class CountingDynamoDB:
    """A DynamoDB client that counts ``get_item`` calls and hands them to the real one."""

    def __init__(self, real: Any) -> None:
        self.real, self.reads = real, 0

    def get_item(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self.real.get_item(**kwargs)


def parse_tax_rate(value: Any) -> Any:
    return stored_value("tax_rate", value, Decimal("0.18"))


def parse_low_stock_threshold(value: Any) -> Any:
    return stored_value("low_stock_threshold", value, 5)


def test_the_readers_defaults_are_the_ones_the_settings_service_shows() -> None:
    defaults = StoreDefaults(name="Bodega Rosita", currency="USD", tax_rate=Decimal("0.1"), language="en")
    shown = settings_logic.default_settings(defaults)
    read = StoreSettingsReader(None, defaults=defaults).values()
    assert read == StoreValues(shown.store_name, shown.currency, shown.tax_rate, shown.low_stock_threshold,
                               shown.language, shown.time_zone)  # fmt: skip
    assert read == StoreValues("Bodega Rosita", "USD", Decimal("0.1"), 5, "en", "America/Lima")


def test_a_peruvian_store_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIG_STORE", raising=False)
    assert StoreSettingsReader(None).values() == StoreValues("Mi tienda", "PEN", Decimal("0.18"), 5, "es-PE",
                                                             "America/Lima")  # fmt: skip


def test_the_stacks_store_config_gives_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIG_STORE", '{"name":"Market Carmensita","taxRate":"0.10","timeZone":"Europe/Madrid"}')
    values = StoreSettingsReader(None).values()
    assert (values.store_name, values.tax_rate, values.time_zone, values.currency) == (
        "Market Carmensita", Decimal("0.10"), "Europe/Madrid", "PEN")  # fmt: skip


@pytest.mark.parametrize(("config", "named"), [('{"currency":"pen"}', "currency"), ('{"timeZone":"Lima"}', "timeZone"),
                                               ('{"colour":"red"}', "colour"), ("{", "json_invalid")])  # fmt: skip
def test_a_bad_store_config_is_one_line_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, config: str, named: str
) -> None:
    monkeypatch.setenv("CONFIG_STORE", config)
    with pytest.raises(ValueError, match="^CONFIG_STORE: ") as raised:
        StoreDefaults.from_env()
    assert "\n" not in str(raised.value)
    assert named in str(raised.value) or named == "json_invalid"


def test_defaults_when_the_item_is_missing(settings_table: Any) -> None:
    reader = StoreSettingsReader(TABLE)
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.18"), 5)


def test_defaults_when_an_attribute_is_missing(settings_table: Any) -> None:
    put_store_settings(settings_table, tax_rate={"S": "0.21"})
    reader = StoreSettingsReader(TABLE)
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.21"), 5)


def test_no_table_means_the_defaults_without_calling_dynamodb() -> None:
    reader = StoreSettingsReader(None, dynamodb=object())  # any call on it would fail
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.18"), 5)


def test_reads_what_the_settings_service_saves(settings_table: Any) -> None:
    fields = settings_logic.StoreSettingsFields(store_name="Shop", currency="EUR", tax_rate=Decimal("0.0825"),
                                                low_stock_threshold=12, language="en",
                                                time_zone="Europe/Madrid")  # fmt: skip
    current = settings_logic.default_settings(StoreDefaults())
    SettingsTable(TABLE, settings_table).save_store_settings(settings_logic.stamped(fields, current, "u-admin", START))
    reader = StoreSettingsReader(TABLE)
    assert reader.values() == StoreValues("Shop", "EUR", Decimal("0.0825"), 12, "en", "Europe/Madrid")


def test_both_values_come_from_one_cached_read(settings_table: Any) -> None:
    now = [0.0]
    dynamodb = CountingDynamoDB(settings_table)
    reader = StoreSettingsReader(TABLE, dynamodb=dynamodb, ttl_seconds=60, monotonic=lambda: now[0])
    put_store_settings(settings_table, tax_rate={"S": "0.18"}, low_stock_threshold={"N": "7"})
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.18"), 7)
    assert dynamodb.reads == 1
    put_store_settings(settings_table, tax_rate={"S": "0.21"}, low_stock_threshold={"N": "9"})
    now[0] = 30
    assert (reader.low_stock_threshold(), reader.tax_rate()) == (7, Decimal("0.18"))  # cached
    assert dynamodb.reads == 1
    now[0] = 61
    assert (reader.low_stock_threshold(), reader.tax_rate()) == (9, Decimal("0.21"))
    assert dynamodb.reads == 2


def test_an_invalid_stored_value_is_logged_and_the_default_applies(
    settings_table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    put_store_settings(settings_table, tax_rate={"S": "0.18"}, low_stock_threshold={"S": "plenty"})
    with caplog.at_level(logging.WARNING, logger="handlers.retail.store_settings"):
        reader = StoreSettingsReader(TABLE)
        assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.18"), 5)
    assert any("low_stock_threshold 'plenty'" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("value", ["abc", "-0.1", "2", "NaN", "Infinity", {"BOOL": True}])
def test_bad_rates_fall_back_to_the_default(value: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.retail.store_settings"):
        assert parse_tax_rate(value) == Decimal("0.18")
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


@pytest.mark.parametrize("value", ["abc", "-1", "2.5", "100001", "NaN", "Infinity", {"BOOL": True}])
def test_bad_thresholds_fall_back_to_the_default(value: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.retail.store_settings"):
        assert parse_low_stock_threshold(value) == 5
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("12", 12), ("12.0", 12), ("100000", 100_000)])
def test_good_thresholds_are_whole_numbers(value: str, expected: int) -> None:
    assert parse_low_stock_threshold(value) == expected


def test_absent_values_are_the_defaults_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.retail.store_settings"):
        assert (parse_tax_rate(None), parse_low_stock_threshold(None)) == (Decimal("0.18"), 5)
    assert caplog.records == []


@pytest.mark.parametrize(("name", "value"), [("language", "fr"), ("time_zone", "Mars/Olympus"), ("currency", "soles")])
def test_a_bad_language_zone_or_currency_falls_back(name: str, value: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.retail.store_settings"):
        assert stored_value(name, value, "default") == "default"
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
