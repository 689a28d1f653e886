"""The reports service's domain: the period asked for and the report built from the aggregates (the automatic
reports' periods are ``periods.py``, their files and notices ``runs.py``). No boto3, no SQL.

A report covers whole days of a time zone (the store's; UTC by default), ``from`` to ``to`` inclusive (``YYYY-MM-DD``;
at most 366 days; by default the last 7 days, today included). Only COMPLETED sales count: voided sales are excluded
everywhere (totals, groups, products).

- ``totals``: ``sales`` (count), ``units`` (items sold), and the sums of the sales' ``subtotal``, ``tax`` and ``total``.
- ``groups`` (``group_by``):
  - ``day``: key ``YYYY-MM-DD`` (the zone's day), oldest first; ``total`` sums the sales' totals (tax included).
  - ``seller``: key the seller's user id; ``total`` tax included; largest total first (then key).
  - ``product``: key the product id (with its ``sku`` and ``name``); ``sales`` counts the sales that include it and
    ``total`` sums its line totals, *before tax* (tax is charged per sale, not per line); largest total first.
  Only keys with sales appear (a day without sales has no group).
- ``top_products``: the 5 products with the most units (ties: larger line total, then product id).

Money is ``Decimal`` end to end and serialized as strings with 2 places ("12.50"). The store sums in integer cents
(exact on both SQLite and MariaDB).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, NotRequired
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.shared.clock import as_utc
from handlers.shared.fields import Day
from handlers.shared.money import cents, money_text
from handlers.shared.views import IsoDate, Money

DEFAULT_DAYS = 7
MAX_DAYS = 366
TOP_PRODUCTS = 5
URL_EXPIRES_IN = 15 * 60  # seconds: the presigned links of a daily report


def from_cents(value: Any) -> Decimal:
    """A sum of cents from SQL (an int, a Decimal, or a float on SQLite) as an amount with 2 places."""
    return cents(Decimal(str(value if value is not None else 0)) / 100)


# --- requests ------------------------------------------------------------------------------------------------------


class GroupBy(StrEnum):
    DAY = "day"
    PRODUCT = "product"
    SELLER = "seller"


class ReportQuery(BaseModel):
    """``GET /reports/sales?from=&to=&group_by=``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    from_: Day | None = Field(None, alias="from")
    to: Day | None = None
    group_by: GroupBy = GroupBy.DAY


@dataclass(frozen=True)
class Period:
    """Whole days, both inclusive, of a time zone's calendar (UTC unless told: the automatic reports use the
    store's)."""

    first: date
    last: date
    zone: str = "UTC"

    @property
    def since(self) -> str:
        """The lower bound on ``created_at`` as UTC text (ISO text compares as time:
        ``"2026-03-10T05:00:00.000+00:00" >= "2026-03-10T05:00:00"``)."""
        return _utc_text(self.first, self.zone)

    @property
    def before(self) -> str:
        return _utc_text(self.last + timedelta(days=1), self.zone)

    @property
    def bucket_chars(self) -> int:
        """How much of ``created_at`` (UTC text) names a time bucket that lies within one of the zone's days: the
        hour (13 characters) where the zone's offsets in the period are whole hours, else the minute (16)."""
        tz = ZoneInfo(self.zone)
        ends = (datetime.combine(self.first, time(), tz), datetime.combine(self.last + timedelta(days=1), time(), tz))
        whole_hours = all((end.utcoffset() or timedelta()) % timedelta(hours=1) == timedelta() for end in ends)
        return 13 if whole_hours else 16

    def day_of(self, bucket: str) -> str:
        """The zone's day (``YYYY-MM-DD``) of a UTC time bucket (``2026-03-11T00`` or ``2026-03-11T00:30``)."""
        moment = datetime.fromisoformat(bucket if len(bucket) > 13 else f"{bucket}:00").replace(tzinfo=UTC)
        return moment.astimezone(ZoneInfo(self.zone)).date().isoformat()


def _utc_text(day: date, zone: str) -> str:
    """Midnight of ``day`` in ``zone``, as UTC text to the second."""
    return as_utc(datetime.combine(day, time(), ZoneInfo(zone))).strftime("%Y-%m-%dT%H:%M:%S")


def _invalid(field: str, message: str, value: Any) -> ValidationError:
    """A 422 naming ``field`` (the same shape as the query model's own errors)."""
    detail = InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(field,), input=value)
    return ValidationError.from_exception_data("ReportQuery", [detail])


def period(query: ReportQuery, today: date, zone: str = "UTC") -> Period:
    """The days (of ``zone``) a query covers: ``to`` defaults to today, ``from`` to 6 days before ``to``."""
    last = query.to or today
    first = query.from_ or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise _invalid("from", f"must not be after to ({last.isoformat()})", first.isoformat())
    if (last - first).days + 1 > MAX_DAYS:
        raise _invalid("to", f"the range may cover at most {MAX_DAYS} days", last.isoformat())
    return Period(first, last, zone)


# --- aggregates (what the store reads) and the report ---------------------------------------------------------------


@dataclass(frozen=True)
class SalesRow:
    """Sales aggregated under one key (a day or a seller)."""

    key: str
    sales: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def local_days(
    span: Period, rows: Sequence[SalesRow], units: Mapping[str, int]
) -> tuple[list[SalesRow], dict[str, int]]:
    """Sales and units summed per UTC time bucket, folded into the period's own days (its zone's)."""
    days: dict[str, SalesRow] = {}
    for row in rows:
        day = span.day_of(row.key)
        seen = days.get(day, SalesRow(day, 0, Decimal(0), Decimal(0), Decimal(0)))
        days[day] = SalesRow(day, seen.sales + row.sales, seen.subtotal + row.subtotal, seen.tax + row.tax,
                             seen.total + row.total)  # fmt: skip
    day_units: dict[str, int] = {}
    for bucket, count in units.items():
        day_units[span.day_of(bucket)] = day_units.get(span.day_of(bucket), 0) + count
    return list(days.values()), day_units


@dataclass(frozen=True)
class ProductRow:
    product_id: str
    sku: str
    name: str
    sales: int
    units: int
    total: Decimal  # line totals, before tax


@dataclass(frozen=True)
class Group:
    key: str
    sales: int
    units: int
    total: Decimal
    sku: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Report:
    period: Period
    group_by: GroupBy
    sales: int
    units: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    groups: tuple[Group, ...]
    top_products: tuple[ProductRow, ...]


def sales_key(group_by: GroupBy) -> GroupBy:
    """How a report sums its sales: per day for a product report (only its totals use them, the groups come from the
    products sold), else per its own key."""
    return GroupBy.DAY if group_by is GroupBy.PRODUCT else group_by


def _by_units(row: ProductRow) -> tuple[int, Decimal, str]:
    return (-row.units, -row.total, row.product_id)


def build_report(
    span: Period,
    group_by: GroupBy,
    sales_rows: Sequence[SalesRow],
    units: Mapping[str, int],
    products: Sequence[ProductRow],
) -> Report:
    """The report from the aggregates: ``sales_rows`` grouped by day or seller (by day for a product report, only for
    the totals), ``units`` per the same key, ``products`` per product."""
    if group_by is GroupBy.PRODUCT:
        groups = [Group(p.product_id, p.sales, p.units, p.total, p.sku, p.name) for p in products]
    else:
        groups = [Group(r.key, r.sales, int(units.get(r.key, 0)), r.total) for r in sales_rows]
    if group_by is GroupBy.DAY:
        groups.sort(key=lambda g: g.key)
    else:
        groups.sort(key=lambda g: (-g.total, g.key))
    return Report(
        period=span,
        group_by=group_by,
        sales=sum(r.sales for r in sales_rows),
        units=sum(p.units for p in products),
        subtotal=cents(sum((r.subtotal for r in sales_rows), Decimal(0))),
        tax=cents(sum((r.tax for r in sales_rows), Decimal(0))),
        total=cents(sum((r.total for r in sales_rows), Decimal(0))),
        groups=tuple(groups),
        top_products=tuple(sorted(products, key=_by_units)[:TOP_PRODUCTS]),
    )


class TotalsView(TypedDict):
    """Every sale of the period: ``total`` is ``subtotal`` plus ``tax``."""

    sales: int
    units: int
    subtotal: Money
    tax: Money
    total: Money


class GroupView(TypedDict):
    """The sales under one key: a day, a seller, or a product (with its ``sku`` and ``name``)."""

    key: str
    sales: int
    units: int
    total: Money
    sku: NotRequired[str]
    name: NotRequired[str]


class TopProductView(TypedDict):
    product_id: str
    sku: str
    name: str
    units: int
    total: Money


ReportView = TypedDict(
    "ReportView",
    {"from": IsoDate, "to": IsoDate, "group_by": GroupBy, "totals": TotalsView, "groups": list[GroupView],
     "top_products": list[TopProductView]},
)  # fmt: skip
"""A sales report: the period (whole days of the store, both included), its totals, its groups and its top products."""


def _group_view(group: Group) -> GroupView:
    view: GroupView = {"key": group.key, "sales": group.sales, "units": group.units, "total": money_text(group.total)}
    if group.sku is not None and group.name is not None:
        view["sku"], view["name"] = group.sku, group.name
    return view


def report_view(report: Report) -> ReportView:
    return {
        "from": report.period.first.isoformat(),
        "to": report.period.last.isoformat(),
        "group_by": report.group_by,
        "totals": {
            "sales": report.sales,
            "units": report.units,
            "subtotal": money_text(report.subtotal),
            "tax": money_text(report.tax),
            "total": money_text(report.total),
        },  # fmt: skip
        "groups": [_group_view(g) for g in report.groups],
        "top_products": [
            {"product_id": p.product_id, "sku": p.sku, "name": p.name, "units": p.units, "total": money_text(p.total)}
            for p in report.top_products
        ],
    }
