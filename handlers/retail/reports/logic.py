"""The reports service's domain: the period asked for, the report built from the aggregates, its files and its
notification. No boto3, no SQL.

A report covers whole UTC days, ``from`` to ``to`` inclusive (``YYYY-MM-DD``; at most 366 days; by default the last
7 days, today included). Only COMPLETED sales count: voided sales are excluded everywhere (totals, groups, products).

- ``totals``: ``sales`` (count), ``units`` (items sold), and the sums of the sales' ``subtotal``, ``tax`` and ``total``.
- ``groups`` (``group_by``):
  - ``day``: key ``YYYY-MM-DD`` (UTC), oldest first; ``total`` is the sum of the sales' totals (tax included).
  - ``seller``: key the seller's user id; ``total`` tax included; largest total first (then key).
  - ``product``: key the product id (with its ``sku`` and ``name``); ``sales`` counts the sales that include it and
    ``total`` sums its line totals, *before tax* (tax is charged per sale, not per line); largest total first.
  Only keys with sales appear (a day without sales has no group).
- ``top_products``: the 5 products with the most units (ties: larger line total, then product id).

Money is ``Decimal`` end to end and serialized as strings with 2 places ("12.50"). The store sums in integer cents
(exact on both SQLite and MariaDB).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, NotRequired

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.shared.clock import as_utc, timestamp_ms
from handlers.shared.errors import NotFound
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


class ReportNotFound(NotFound):
    def __init__(self, day: date) -> None:
        super().__init__(f"no daily report for {day.isoformat()}")


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


class DailyPath(BaseModel):
    """``GET /reports/daily/{date}``."""

    model_config = ConfigDict(frozen=True)

    date: Day


class DailyEvent(BaseModel):
    """The ``daily-report`` schedule's event: ``{"schedule": "daily-report"}``, optionally ``{"date": ...}``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schedule: str | None = None
    date: Day | None = None


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both inclusive."""

    first: date
    last: date

    @property
    def since(self) -> str:
        """The lower bound on ``created_at`` (ISO text compares as time: ``"2026-03-10T..." >= "2026-03-10"``)."""
        return self.first.isoformat()

    @property
    def before(self) -> str:
        return (self.last + timedelta(days=1)).isoformat()


def _invalid(field: str, message: str, value: Any) -> ValidationError:
    """A 422 naming ``field`` (the same shape as the query model's own errors)."""
    detail = InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(field,), input=value)
    return ValidationError.from_exception_data("ReportQuery", [detail])


def period(query: ReportQuery, today: date) -> Period:
    """The days a query covers: ``to`` defaults to today, ``from`` to 6 days before ``to``."""
    last = query.to or today
    first = query.from_ or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise _invalid("from", f"must not be after to ({last.isoformat()})", first.isoformat())
    if (last - first).days + 1 > MAX_DAYS:
        raise _invalid("to", f"the range may cover at most {MAX_DAYS} days", last.isoformat())
    return Period(first, last)


def report_day(event: Mapping[str, Any] | None, now: datetime) -> date:
    """The day a daily run reports on: the event's ``date``, or yesterday (UTC)."""
    asked = DailyEvent.model_validate(dict(event or {}))
    return asked.date or (as_utc(now).date() - timedelta(days=1))


# --- aggregates (what the store reads) and the report ---------------------------------------------------------------


@dataclass(frozen=True)
class SalesRow:
    """Sales aggregated under one key (a day or a seller)."""

    key: str
    sales: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal


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
"""A sales report: the period (whole UTC days, both included), its totals, its groups and its top products."""


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


class DailyLinksView(TypedDict):
    """Short-lived links to a day's report files."""

    date: IsoDate
    csv_url: str
    json_url: str
    expires_in: int
    """Seconds the links stay valid."""


def daily_links_view(day: date, csv_url: str, json_url: str) -> DailyLinksView:
    return {"date": day.isoformat(), "csv_url": csv_url, "json_url": json_url, "expires_in": URL_EXPIRES_IN}


# --- the daily report's files and notification -------------------------------------------------------------------

CSV_COLUMNS = ("product_id", "sku", "name", "sales", "units", "total")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"


def daily_keys(day: date) -> tuple[str, str]:
    """The CSV and JSON keys of a day's report; a re-run writes the same keys (the newest run wins)."""
    prefix = f"daily/{day.isoformat()}/report"
    return f"{prefix}.csv", f"{prefix}.json"


def daily_csv(report: Report) -> str:
    """One row per product sold that day (the product groups, largest total first), with a header; line totals are
    before tax, as in the product groups."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for g in report.groups:
        writer.writerow((g.key, g.sku, g.name, g.sales, g.units, money_text(g.total)))
    return out.getvalue()


def daily_json(report: Report, generated_at: datetime) -> str:
    """The product report of the day, with its date and when it was generated."""
    body = {"date": report.period.first.isoformat(),
            "generated_at": timestamp_ms(generated_at),
            **report_view(report)}  # fmt: skip
    return json.dumps(body, indent=2, sort_keys=False)


def daily_subject(day: date) -> str:
    return f"Daily report for {day.isoformat()}"


def daily_message(day: date, report: Report) -> str:
    noun = "sale" if report.sales == 1 else "sales"
    return f"Daily report for {day.isoformat()} is ready: {report.sales} {noun}, total {money_text(report.total)}"


class DailyRun(TypedDict):
    """What a daily run did: the day, the files it wrote, the day's figures and the notification's id."""

    date: IsoDate
    csv_key: str
    json_key: str
    sales: int
    total: Money
    message_id: str


def daily_run(report: Report, keys: tuple[str, str], message_id: str) -> DailyRun:
    csv_key, json_key = keys
    return {"date": report.period.first.isoformat(), "csv_key": csv_key, "json_key": json_key, "sales": report.sales,
            "total": money_text(report.total), "message_id": message_id}  # fmt: skip
