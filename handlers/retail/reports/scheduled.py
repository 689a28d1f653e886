"""The ``reports`` schedule (each hour): for each kind (daily, weekly, monthly), the report of the latest period that
is over in the store's time zone, unless it is written already (``periods.py`` says why hourly).

Event ``{"schedule": "reports"}``; ``{"kind": "daily", "period": "2026-12-02"}`` writes that period's report whatever
its state. Each report is two files and one notice in the store's language (``runs.py``). Returns
``{"runs": [{"kind", "period", "csv_key", "json_key", "sales", "total", "message_id"}, ...]}`` (one per report
written; none when nothing was due).
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
    written = default_use_cases().scheduled(event)
    for run in written:
        log.info("%s report %s: %d sales, total %s", run["kind"], run["period"], run["sales"], run["total"])
    return {"runs": written}
