"""The price table (``prices.json`` beside this module): each price with its region, the date it was taken and the
AWS pricing page it came from.

The table holds list prices written down by hand, to be refreshed: its ``about`` line says so, and every figure the
estimator prints can be traced back to an entry here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent / "prices.json"
FIELDS = ("usd", "per", "region", "taken", "source")


@dataclass(frozen=True)
class Price:
    """One list price: ``usd`` for each ``per`` (an hour, a GB-month, a million requests)."""

    key: str
    usd: float
    per: str
    region: str
    taken: str
    """The date the price was read from ``source`` (YYYY-MM-DD)."""
    source: str
    """The AWS pricing page it came from."""
    vcpu: int | None = None
    """vCPUs of an instance class, where a price depends on them (RDS Proxy)."""


@dataclass(frozen=True)
class PriceTable:
    about: str
    currency: str
    prices: Mapping[str, Price]

    def __getitem__(self, key: str) -> Price:
        return self.prices[key]

    def find(self, key: str) -> Price | None:
        return self.prices.get(key)

    @property
    def regions(self) -> set[str]:
        return {p.region for p in self.prices.values()}

    @property
    def taken(self) -> str:
        """The oldest date in the table: how fresh its figures are at worst."""
        return min(p.taken for p in self.prices.values())


def parse(data: Mapping[str, Any]) -> PriceTable:
    """A table from its JSON form; an entry without a price, unit, region, date or source is refused by key."""
    prices: dict[str, Price] = {}
    for key, entry in data["prices"].items():
        missing = [f for f in FIELDS if f not in entry]
        if missing:
            raise ValueError(f"price {key!r}: missing {', '.join(missing)}")
        if not str(entry["source"]).startswith("https://aws.amazon.com/"):
            raise ValueError(f"price {key!r}: source must be an AWS pricing page, got {entry['source']!r}")
        prices[key] = Price(
            key, float(entry["usd"]), entry["per"], entry["region"], entry["taken"], entry["source"], entry.get("vcpu")
        )
    return PriceTable(data["about"], data["currency"], prices)


@cache
def load(path: Path = TABLE) -> PriceTable:
    """The repository's price table (read once)."""
    return parse(json.loads(path.read_text()))
