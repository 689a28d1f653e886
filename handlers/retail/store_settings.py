"""The store settings item as the retail services read it, and its defaults: one contract for all of them.

The settings service owns the item (``settings/store.py`` writes it); catalog and sales only read it. It lives in the
``settings`` table (DynamoDB, env ``TABLE_SETTINGS``) under ``pk="SETTINGS", sk="STORE"``:

- ``tax_rate``: a decimal string such as ``"0.18"``, from 0 to 1 (sales tax each sale with it);
- ``low_stock_threshold``: a whole number from 0 to 100000 (catalog gives it as ``min_stock`` to a new product whose
  body leaves ``min_stock`` out).

A missing table name, item or attribute means the default (:data:`DEFAULT_TAX_RATE`, "0.00";
:data:`DEFAULT_LOW_STOCK_THRESHOLD`, 5); a stored value outside its range is logged and the default applies.

This module sits at the system's level (``handlers/retail/*.py``) because every retail service's archive includes
those modules, and no service's archive includes another service's package.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field

from handlers.shared.aws import client
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

SETTINGS_PK = "SETTINGS"
STORE_SK = "STORE"
DEFAULT_TAX_RATE = Decimal("0.00")
DEFAULT_LOW_STOCK_THRESHOLD = 5
MAX_LOW_STOCK_THRESHOLD = 100_000


class ReadsStoreSettings(ServiceSettings):
    """The environment of a service that reads the store settings: the common variables and the settings table
    (``TABLE_SETTINGS``; unset, the defaults apply)."""

    settings_table: str | None = Field(None, alias="TABLE_SETTINGS")


def _number(value: Any) -> Decimal | None:
    """A stored number as a finite Decimal, or None when it is not one."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_tax_rate(value: Any) -> Decimal:
    """A stored rate as a Decimal in [0, 1]; None is the default, anything else is logged and the default applies."""
    if value is None:
        return DEFAULT_TAX_RATE
    rate = _number(value)
    if rate is None or not Decimal(0) <= rate <= Decimal(1):
        log.warning("settings: tax_rate %r is not a rate between 0 and 1; using %s", value, DEFAULT_TAX_RATE)
        return DEFAULT_TAX_RATE
    return rate


def parse_low_stock_threshold(value: Any) -> int:
    """A stored threshold as a whole number in [0, 100000]; None is the default, anything else is logged and the
    default applies."""
    if value is None:
        return DEFAULT_LOW_STOCK_THRESHOLD
    threshold = _number(value)
    if threshold is None or threshold != threshold.to_integral_value() or not 0 <= threshold <= MAX_LOW_STOCK_THRESHOLD:
        log.warning("settings: low_stock_threshold %r is not a whole number from 0 to %d; using %d", value,
                    MAX_LOW_STOCK_THRESHOLD, DEFAULT_LOW_STOCK_THRESHOLD)  # fmt: skip
        return DEFAULT_LOW_STOCK_THRESHOLD
    return int(threshold)


@dataclass(frozen=True)
class StoreValues:
    """What the other services use of the store settings."""

    tax_rate: Decimal
    low_stock_threshold: int


DEFAULT_VALUES = StoreValues(DEFAULT_TAX_RATE, DEFAULT_LOW_STOCK_THRESHOLD)


class StoreSettingsReader:
    """``tax_rate()`` and ``low_stock_threshold()``: the values in force, from one read of the item that is repeated
    at most once per ``ttl_seconds`` (60 by default) per container. A warm container then costs no DynamoDB read, and
    a change made in settings applies within that time."""

    def __init__(self, table_name: str | None, *, dynamodb: Any | None = None, ttl_seconds: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.table_name = table_name
        self._dynamodb = dynamodb
        self.ttl_seconds = ttl_seconds
        self._monotonic = monotonic
        self._cached: tuple[float, StoreValues] | None = None

    def tax_rate(self) -> Decimal:
        return self.values().tax_rate

    def low_stock_threshold(self) -> int:
        return self.values().low_stock_threshold

    def values(self) -> StoreValues:
        now = self._monotonic()
        if self._cached is not None and now - self._cached[0] < self.ttl_seconds:
            return self._cached[1]
        values = self._read()
        self._cached = (now, values)
        return values

    def _read(self) -> StoreValues:
        if not self.table_name:
            return DEFAULT_VALUES
        db = self._dynamodb or client("dynamodb")
        key = {"pk": {"S": SETTINGS_PK}, "sk": {"S": STORE_SK}}
        item = db.get_item(TableName=self.table_name, Key=key).get("Item") or {}
        return StoreValues(parse_tax_rate(_stored(item, "tax_rate")),
                           parse_low_stock_threshold(_stored(item, "low_stock_threshold")))  # fmt: skip


def _stored(item: dict[str, Any], name: str) -> Any:
    """An attribute's value as DynamoDB returns it (the text of an S or an N), or None when it is absent."""
    attribute = item.get(name)
    if attribute is None:
        return None
    return attribute.get("S", attribute.get("N", attribute))  # another type is logged as invalid
