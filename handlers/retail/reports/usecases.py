"""What the reports service answers: sales figures over a period, and links to the daily report files
(``handlers/shared/usecases.py`` is the shape every service shares)."""

from __future__ import annotations

from typing import Any, Self

from handlers.retail.reports import logic
from handlers.retail.reports.files import ReportFiles, signing_s3
from handlers.retail.reports.settings import ReportsSettings
from handlers.retail.reports.store import ReportsStore
from handlers.shared.db import Database, service_database
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases


class ReportUseCases(UseCases):
    def __init__(self, db: Database, files: ReportFiles, **adapters: Any) -> None:
        super().__init__(db, **adapters)
        self.store = ReportsStore(db)
        self.files = files

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        reports = ReportsSettings.from_env()
        return cls(service_database(settings), ReportFiles(signing_s3(), reports.bucket_reports))

    def sales_report(self, query: logic.ReportQuery) -> dict[str, Any]:
        span = logic.period(query, self.clock().date())
        return logic.report_view(self.store.report(span, query.group_by))

    def daily_links(self, day: str) -> dict[str, Any]:
        """Short-lived links to a day's report files; a day without a report is a 404."""
        when = logic.DailyPath.model_validate({"date": day}).date
        if not self.files.exists(when):
            raise logic.ReportNotFound(when)
        csv_url, json_url = self.files.links(when, logic.URL_EXPIRES_IN)
        return {"date": when.isoformat(), "csv_url": csv_url, "json_url": json_url,
                "expires_in": logic.URL_EXPIRES_IN}  # fmt: skip
