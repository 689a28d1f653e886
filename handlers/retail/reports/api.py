"""The reports API (HTTP API payload 2.0 behind the retail JWT authorizer; groups enforced per route).

- ``GET /reports/sales?from=YYYY-MM-DD&to=YYYY-MM-DD&group_by=day|product|seller`` (sellers, admins) →
  ``{from, to, group_by, totals: {sales, units, subtotal, tax, total}, groups: [{key, sales, units, total}],
  top_products: [{product_id, sku, name, units, total}]}`` (see ``logic`` for what each number means). Voided sales
  are excluded. Defaults: the last 7 days (UTC, today included), ``group_by=day``. A malformed date, ``from`` after
  ``to``, a range over 366 days or an unknown ``group_by`` is a 422 naming the field.
- ``GET /reports/daily/{date}`` (admins) → ``{date, csv_url, json_url, expires_in}``: presigned GET URLs (15 minutes)
  of the day's files written by the ``daily-report`` schedule; 404 when that day has no report; a malformed date is a
  422 naming ``date``.
"""

from __future__ import annotations

from typing import Any

from handlers.retail.reports.logic import ReportQuery
from handlers.retail.reports.usecases import ReportUseCases
from handlers.shared.routing import Request, Router

router = Router("retail", "reports")
View = dict[str, Any]


@router.route("GET /reports/sales", query=ReportQuery, response=View)
def sales_report(request: Request, reports: ReportUseCases) -> View:
    """Sales figures over a period, per day, week or month, with the top products."""
    return reports.sales_report(request.query)


@router.route("GET /reports/daily/{date}", response=View)
def daily_report(request: Request, reports: ReportUseCases) -> View:
    """Links to a day's report files (CSV and JSON), valid for a few minutes.

    A day without a report is a 404; a date that is not YYYY-MM-DD is a 422 naming date.
    """
    return reports.daily_links(request.params["date"])


handler = router.handler(ReportUseCases.from_settings)
