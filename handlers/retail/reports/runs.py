"""The automatic reports' files and notices: what one period's report writes and how it is announced. No boto3.

A period's report is the product report of its days (the same figures as ``GET /reports/sales?group_by=product`` over
the store's days, voided sales left out), written to the reports bucket as ``<kind>/<period>/report.csv`` (one row
per product sold; line totals before tax) and ``<kind>/<period>/report.json`` (the whole report, with its period and
when it was generated), then announced on the reports topic in the store's language. Writing a period again
overwrites the same keys with the report as the data stands then.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from pydantic import ConfigDict, Field
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.retail import messages
from handlers.retail.reports.logic import Report, report_view
from handlers.retail.reports.periods import Kind, ReportPeriod
from handlers.retail.store_settings import StoreValues
from handlers.shared.clock import timestamp_ms
from handlers.shared.errors import NotFound
from handlers.shared.money import money_text
from handlers.shared.paging import PageQuery
from handlers.shared.views import IsoDate, IsoTimestamp, Money

CSV_COLUMNS = ("product_id", "sku", "name", "sales", "units", "total")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
URL_EXPIRES_IN = 15 * 60  # seconds: the presigned links of a report's files


class ReportNotGenerated(NotFound):
    """No report of that period has been written; ``runs_at`` says when the schedule writes it (null: it does not,
    the period being older than the latest one; an admin may generate it)."""

    def __init__(self, kind: str, period: str, runs_at: str | None) -> None:
        super().__init__(f"no {kind} report for {period}")


def keys(period: ReportPeriod) -> tuple[str, str]:
    """The CSV and JSON keys of a period's report; a re-run writes the same keys (the newest run wins)."""
    prefix = f"{period.kind.value}/{period.key}/report"
    return f"{prefix}.csv", f"{prefix}.json"


def report_csv(report: Report) -> str:
    """One row per product sold in the period (largest total first), with a header; line totals before tax."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for g in report.groups:
        writer.writerow((g.key, g.sku, g.name, g.sales, g.units, money_text(g.total)))
    return out.getvalue()


def report_json(report: Report, period: ReportPeriod, store: StoreValues, generated_at: datetime) -> str:
    """The whole report with its period, the store it is of and when it was generated."""
    body = {"kind": period.kind.value, "period": period.key, "store_name": store.store_name,
            "currency": store.currency, "time_zone": store.time_zone, "generated_at": timestamp_ms(generated_at),
            **report_view(report)}  # fmt: skip
    return json.dumps(body, indent=2, ensure_ascii=False)


def period_name(period: ReportPeriod, store: StoreValues) -> str:
    """The period as the store's language names it in a sentence: "del 2 de diciembre de 2026", "for December 2026"."""
    language = store.language
    if period.kind is Kind.DAILY:
        return messages.text(language, "period.day", day=messages.day(period.first, language))
    if period.kind is Kind.WEEKLY:
        first, last = messages.day(period.first, language), messages.day(period.last, language)
        return messages.text(language, "period.week", first=first, last=last)
    return messages.text(language, "period.month", month=messages.month(period.first, language))


def notice(period: ReportPeriod, report: Report, store: StoreValues, app_url: str | None) -> tuple[str, str]:
    """The SNS subject (at most 100 characters) and message announcing a report, in the store's language, with a
    link to it in the web app when its address is known."""
    language = store.language
    params = {"store": store.store_name, "kind": messages.text(language, f"kind.{period.kind.value}"),
              "period": period_name(period, store), "sales": report.sales,
              "total": messages.money(report.total, store.currency, language)}  # fmt: skip
    link = f"{app_url.rstrip('/')}/#reports/{period.kind.value}/{period.key}" if app_url else None
    body = messages.text(language, "report.body", **params)
    if link:
        body += "\n" + messages.text(language, "report.link", link=link)
    return messages.text(language, "report.subject", **params)[:100], body


class RunView(TypedDict):
    """What a run wrote: the period, its files, its figures and the notice's id."""

    kind: Kind
    period: str
    csv_key: str
    json_key: str
    sales: int
    total: Money
    message_id: str | None
    """None when no notice was sent (a report an admin generated)."""


def run_view(period: ReportPeriod, report: Report, written: tuple[str, str], message_id: str | None) -> RunView:
    return {"kind": period.kind, "period": period.key, "csv_key": written[0], "json_key": written[1],
            "sales": report.sales, "total": money_text(report.total), "message_id": message_id}  # fmt: skip


class ReportLinksView(TypedDict):
    """A generated report: its period and short-lived links to its files."""

    kind: Kind
    period: str
    first: IsoDate
    last: IsoDate
    csv_url: str
    json_url: str
    expires_in: int
    """Seconds the links stay valid."""


def links_view(period: ReportPeriod, csv_url: str, json_url: str) -> ReportLinksView:
    return {"kind": period.kind, "period": period.key, "first": period.first.isoformat(),
            "last": period.last.isoformat(), "csv_url": csv_url, "json_url": json_url,
            "expires_in": URL_EXPIRES_IN}  # fmt: skip


class PeriodView(TypedDict):
    """One period of a kind: whether its report is written, and when the schedule writes it if not."""

    kind: Kind
    period: str
    first: IsoDate
    last: IsoDate
    generated: bool
    runs_at: IsoTimestamp | None
    """When the schedule writes it; null once written, or for a period older than the latest (generate it)."""


def period_view(period: ReportPeriod, generated: bool, runs_at: datetime | None) -> PeriodView:
    return {"kind": period.kind, "period": period.key, "first": period.first.isoformat(),
            "last": period.last.isoformat(), "generated": generated,
            "runs_at": None if generated or runs_at is None else timestamp_ms(runs_at)}  # fmt: skip


class ReportListQuery(PageQuery):
    """``GET /reports?kind=&limit=&cursor=``: the periods of a kind, newest first, from the one in progress."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    kind: Kind = Field(Kind.DAILY, description="daily, weekly or monthly")
    limit: int = Field(7, ge=1, le=31, description="How many periods a page holds (each is one S3 request)")
