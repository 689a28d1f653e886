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

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from handlers.retail.reports import logic
from handlers.retail.reports.files import ReportFiles, signing_s3
from handlers.retail.reports.settings import ReportsSettings
from handlers.retail.reports.store import ReportsStore
from handlers.shared.api import create_app, parse_query
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.settings import ServiceSettings

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {}
QUERY_MODELS: dict[str, type[BaseModel]] = {"GET /reports/sales": logic.ReportQuery}


def build_app(
    settings: ServiceSettings,
    store: ReportsStore,
    files: ReportFiles,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> APIGatewayHttpResolver:
    """The resolver with the reports routes, on injected adapters (store, report files, clock)."""
    app = create_app(settings)

    @app.get("/reports/sales")
    def sales_report() -> dict[str, Any]:
        query = parse_query(app, logic.ReportQuery)
        span = logic.period(query, clock().date())
        return logic.report_view(store.report(span, query.group_by))

    @app.get("/reports/daily/<day>")
    def daily_report(day: str) -> dict[str, Any]:
        when = logic.DailyPath.model_validate({"date": day}).date
        if not files.exists(when):
            raise logic.ReportNotFound(when)
        csv_url, json_url = files.links(when, logic.URL_EXPIRES_IN)
        return {"date": when.isoformat(), "csv_url": csv_url, "json_url": json_url,
                "expires_in": logic.URL_EXPIRES_IN}  # fmt: skip

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ReportsSettings.from_env()
    return build_app(settings, ReportsStore(service_database(settings)), ReportFiles(signing_s3(),
                     settings.bucket_reports))  # fmt: skip


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
