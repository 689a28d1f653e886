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
from typing import Any

from handlers.retail.reports.usecases import ReportUseCases
from handlers.shared.entry import lambda_entry
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


@functools.cache
def default_use_cases() -> ReportUseCases:
    """Built on the first invocation from the environment, then reused by the warm container."""
    return ReportUseCases.from_settings(ServiceSettings.from_env())


@lambda_entry()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    run = default_use_cases().publish_daily(event)
    log.info("daily report %s: %d sales, total %s", run["date"], run["sales"], run["total"])
    return dict(run)
