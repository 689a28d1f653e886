"""The reports API: the routes of ``architectures/retail.py``'s reports service, each a call to one use case.

Sales figures are computed on request from the sales tables. The automatic reports (daily, weekly, monthly) are
written by the ``reports`` schedule (``scheduled.py``) or on an admin's request, and handed out here as presigned
links.
"""

from __future__ import annotations

from handlers.retail.reports.logic import ReportQuery, ReportView
from handlers.retail.reports.runs import PeriodView, ReportLinksView, ReportListQuery
from handlers.retail.reports.usecases import ReportUseCases
from handlers.shared.paging import Page
from handlers.shared.routing import Request, Router

router = Router("retail", "reports")


@router.route("GET /reports/sales", query=ReportQuery, response=ReportView)
def sales_report(request: Request, reports: ReportUseCases) -> ReportView:
    """Sales figures over a period.

    The totals, the sales grouped by day, seller or product (group_by; day when left out) and the five products sold
    most. The period is whole days of the store (its time zone) from "from" to "to", both included: the last 7 days
    when left out, at most 366.
    Voided sales are left out; a product's group totals its lines before tax. Admins see the whole store; a seller
    sees the figures of their own sales only, as GET /sales lists only theirs.
    """
    return reports.sales_report(request.caller, request.query)


@router.route("GET /reports", query=ReportListQuery, response=Page[PeriodView])
def list_reports(request: Request, reports: ReportUseCases) -> Page[PeriodView]:
    """The periods of one kind of automatic report, newest first.

    The first is the period in progress. Each says whether its report is written and, if not, when the schedule
    writes it (runs_at; null for an older period, which an admin may generate).
    """
    return reports.periods(request.query)


@router.route("GET /reports/{kind}/{period}", response=ReportLinksView)
def report_files(request: Request, reports: ReportUseCases) -> ReportLinksView:
    """Links to a period's report files (CSV and JSON), valid for 15 minutes.

    kind is daily (period YYYY-MM-DD), weekly (YYYY-Www, ISO weeks) or monthly (YYYY-MM), in the store's calendar. A
    report not written yet is a 404 report_not_generated whose params say when the schedule writes it (runs_at).
    """
    return reports.links(request.params["kind"], request.params["period"])


@router.route("PUT /reports/{kind}/{period}", response=ReportLinksView)
def generate_report(request: Request, reports: ReportUseCases) -> ReportLinksView:
    """Generate a period's report now and return links to its files.

    The period must be over in the store's time zone (else 409 period_not_over, with when it ends). Generating it
    again rewrites its files with the data as it stands. The admin who asks gets the links; no email is sent (the
    schedule announces the reports it writes).
    """
    return reports.generate(request.params["kind"], request.params["period"])


handler = router.handler(ReportUseCases.from_settings)
