"""The ``daily-report`` schedule (cron 06:00 UTC): the previous UTC day's report, as files and a notification.

Event ``{"schedule": "daily-report"}``; ``{"date": "YYYY-MM-DD"}`` runs it for a given day (default: yesterday, UTC).
A run computes the day's product report (the same logic as ``GET /reports/sales?group_by=product``, voided sales
excluded), writes ``daily/YYYY-MM-DD/report.csv`` (one row per product sold; line totals before tax) and
``daily/YYYY-MM-DD/report.json`` (the full report) to the reports bucket, then publishes "Daily report for
YYYY-MM-DD is ready: N sales, total X" to the reports topic.

Idempotent: re-running a day overwrites the same two keys with the report as the data stands now (a sale voided
since is gone from it), and notifies again (each run is announced; subscribers may see a day twice). A failure to
publish fails the run after the files are written, so the scheduler's retry rewrites the same files and notifies.
Returns ``{"date", "csv_key", "json_key", "sales", "total", "message_id"}``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from handlers.retail.reports import logic
from handlers.retail.reports.files import ReportFiles, ReportTopic
from handlers.retail.reports.settings import ReportsSettings
from handlers.retail.reports.store import ReportsStore
from handlers.shared.aws import client
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.entry import lambda_entry
from handlers.shared.money import money_text

log = logging.getLogger(__name__)


def run_daily(
    event: Mapping[str, Any] | None,
    store: ReportsStore,
    files: ReportFiles,
    topic: ReportTopic,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> dict[str, Any]:
    now = clock()
    day = logic.report_day(event, now)
    report = store.report(logic.Period(day, day), logic.GroupBy.PRODUCT)
    csv_key, json_key = files.write(day, logic.daily_csv(report), logic.daily_json(report, now))
    message_id = topic.notify(logic.daily_subject(day), logic.daily_message(day, report))
    log.info("daily report %s: %d sales, total %s", day, report.sales, report.total)
    return {"date": day.isoformat(), "csv_key": csv_key, "json_key": json_key, "sales": report.sales,
            "total": money_text(report.total), "message_id": message_id}  # fmt: skip


@functools.cache
def _wiring() -> tuple[ReportsStore, ReportFiles, ReportTopic]:
    """Built on the first invocation from the environment, then reused by the warm container."""
    settings = ReportsSettings.from_env()
    return (ReportsStore(service_database(settings)), ReportFiles(client("s3"), settings.bucket_reports),
            ReportTopic(client("sns"), settings.topic_reports_arn))  # fmt: skip


@lambda_entry()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    store, files, topic = _wiring()
    return run_daily(event, store, files, topic)
