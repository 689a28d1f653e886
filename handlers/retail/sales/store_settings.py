"""The store settings the sales service reads: ``tax_rate`` from the settings table (DynamoDB, ``TABLE_SETTINGS``).

The item is ``pk="SETTINGS", sk="STORE"``; ``tax_rate`` is a decimal string such as ``"0.18"``. A missing item or
attribute means the default ``"0.00"``. The value is cached for ``ttl_seconds`` (60 by default) per container, so a
sale costs no DynamoDB read when the container is warm; a change made in settings applies within that time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from handlers.shared.aws import client

log = logging.getLogger(__name__)

DEFAULT_TAX_RATE = Decimal("0.00")
SETTINGS_KEY = {"pk": {"S": "SETTINGS"}, "sk": {"S": "STORE"}}


def parse_tax_rate(value: Any) -> Decimal:
    """A stored rate as a Decimal in [0, 1]; anything else is logged and the default applies."""
    if value is None:
        return DEFAULT_TAX_RATE
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        rate = Decimal(-1)
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        log.warning("settings: tax_rate %r is not a rate between 0 and 1; using %s", value, DEFAULT_TAX_RATE)
        return DEFAULT_TAX_RATE
    return rate


class TaxRate:
    """``tax_rate()`` → the current rate, read from the table at most once per ``ttl_seconds``."""

    def __init__(self, table_name: str | None, *, dynamodb: Any | None = None, ttl_seconds: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.table_name = table_name
        self._dynamodb = dynamodb
        self.ttl_seconds = ttl_seconds
        self._monotonic = monotonic
        self._cached: tuple[float, Decimal] | None = None

    def __call__(self) -> Decimal:
        now = self._monotonic()
        if self._cached is not None and now - self._cached[0] < self.ttl_seconds:
            return self._cached[1]
        rate = self._read()
        self._cached = (now, rate)
        return rate

    def _read(self) -> Decimal:
        if not self.table_name:
            return DEFAULT_TAX_RATE
        db = self._dynamodb or client("dynamodb")
        item = db.get_item(TableName=self.table_name, Key=SETTINGS_KEY).get("Item") or {}
        attribute = item.get("tax_rate") or {}
        return parse_tax_rate(attribute.get("S", attribute.get("N")))
