"""The store settings reader that catalog and sales share: both values from one read of the settings item (moto
DynamoDB), the defaults when nothing is saved, invalid values logged, and a short per-container cache."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest

from handlers.retail.settings import logic as settings_logic
from handlers.retail.settings.store import SettingsTable
from handlers.retail.store_settings import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    DEFAULT_TAX_RATE,
    StoreSettingsReader,
    parse_low_stock_threshold,
    parse_tax_rate,
)
from tests.handlers.retail.conftest import put_store_settings
from tests.handlers.retail.settings.conftest import START, TABLE


class CountingDynamoDB:
    """A DynamoDB client that counts ``get_item`` calls and hands them to the real one."""

    def __init__(self, real: Any) -> None:
        self.real, self.reads = real, 0

    def get_item(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self.real.get_item(**kwargs)


def test_the_readers_defaults_are_the_ones_the_settings_service_shows() -> None:
    shown = settings_logic.DEFAULT_SETTINGS
    assert (shown.tax_rate, shown.low_stock_threshold) == (DEFAULT_TAX_RATE, DEFAULT_LOW_STOCK_THRESHOLD)
    assert (shown.tax_rate, shown.low_stock_threshold) == (Decimal("0.00"), 5)


def test_defaults_when_the_item_is_missing(settings_table: Any) -> None:
    reader = StoreSettingsReader(TABLE)
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.00"), 5)


def test_defaults_when_an_attribute_is_missing(settings_table: Any) -> None:
    put_store_settings(settings_table, tax_rate={"S": "0.21"})
    reader = StoreSettingsReader(TABLE)
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.21"), 5)


def test_no_table_means_the_defaults_without_calling_dynamodb() -> None:
    reader = StoreSettingsReader(None, dynamodb=object())  # any call on it would fail
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.00"), 5)


def test_reads_what_the_settings_service_saves(settings_table: Any) -> None:
    fields = settings_logic.StoreSettingsFields(store_name="Shop", currency="EUR", tax_rate=Decimal("0.0825"),
                                                low_stock_threshold=12)  # fmt: skip
    SettingsTable(TABLE, settings_table).save_store_settings(settings_logic.stamped(fields, "u-admin", START))
    reader = StoreSettingsReader(TABLE)
    assert (reader.tax_rate(), reader.low_stock_threshold()) == (Decimal("0.0825"), 12)


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
        assert parse_tax_rate(value) == Decimal("0.00")
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
        assert (parse_tax_rate(None), parse_low_stock_threshold(None)) == (Decimal("0.00"), 5)
    assert caplog.records == []
