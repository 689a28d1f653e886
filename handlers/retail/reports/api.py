"""The reports API: the routes of ``architectures/retail.py``'s reports service, each a call to one use case.

Sales figures are computed on request from the sales tables; the daily report's files are written by the
``daily-report`` schedule (``daily.py``) and handed out here as presigned links.
"""

from __future__ import annotations

from handlers.retail.reports.logic import DailyLinksView, ReportQuery, ReportView
from handlers.retail.reports.usecases import ReportUseCases
from handlers.shared.routing import Request, Router

router = Router("retail", "reports")


@router.route("GET /reports/sales", query=ReportQuery, response=ReportView)
def sales_report(request: Request, reports: ReportUseCases) -> ReportView:
    """Sales figures over a period.

    The totals, the sales grouped by day, seller or product (group_by; day when left out) and the five products sold
    most. The period is whole UTC days from "from" to "to", both included: the last 7 days when left out, at most 366.
    Voided sales are left out; a product's group totals its lines before tax. Admins see the whole store; a seller
    sees the figures of their own sales only, as GET /sales lists only theirs.
    """
    return reports.sales_report(request.caller, request.query)


@router.route("GET /reports/daily/{date}", response=DailyLinksView)
def daily_report(request: Request, reports: ReportUseCases) -> DailyLinksView:
    """Links to a day's report files (CSV and JSON), valid for 15 minutes.

    The files are written each morning for the day before. A day without a report is a 404; a date that is not
    YYYY-MM-DD is a 422 naming date.
    """
    return reports.daily_links(request.params["date"])


handler = router.handler(ReportUseCases.from_settings)
