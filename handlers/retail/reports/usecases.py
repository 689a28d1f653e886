"""What the reports service does: sales figures over a period, the daily report's files and notification, and links
to those files (``handlers/shared/usecases.py`` is the shape every service shares). It only reads the database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from handlers.retail.reports import logic, store
from handlers.retail.reports.files import ReportFiles, ReportTopic, signing_s3
from handlers.retail.reports.logic import GroupBy, Period, Report
from handlers.retail.reports.settings import ReportsSettings
from handlers.retail.staff import own_sales_scope
from handlers.shared.api import Caller
from handlers.shared.db import Database, service_database
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases


class ReportUseCases(UseCases):
    def __init__(self, db: Database, files: ReportFiles, topic: ReportTopic | None = None, **adapters: Any) -> None:
        super().__init__(db, **adapters)
        self.files = files
        self.topic = topic

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        reports = ReportsSettings.from_env()
        files = ReportFiles(signing_s3(), reports.bucket_reports)
        return cls(service_database(settings), files, ReportTopic(None, reports.topic_reports_arn))

    def report(self, span: Period, group_by: GroupBy, seller_id: str | None = None) -> Report:
        """The report of ``span`` grouped by ``group_by``, read in one transaction (voided sales left out): of the
        whole store, or of one seller's sales."""
        key = logic.sales_key(group_by)
        with self.reading() as tx:
            sales = store.sales_by(tx, key, span, seller_id)
            units = {} if group_by is GroupBy.PRODUCT else store.units_by(tx, key, span, seller_id)
            products = store.products_sold(tx, span, seller_id)
        return logic.build_report(span, group_by, sales, units, products)

    def sales_report(self, caller: Caller, query: logic.ReportQuery) -> logic.ReportView:
        """The store's figures for an admin; a seller's own for a seller, as ``GET /sales`` lists only theirs."""
        seller_id = own_sales_scope(caller.user_id, caller.groups)
        return logic.report_view(self.report(logic.period(query, self.clock().date()), query.group_by, seller_id))

    def daily_links(self, day: str) -> logic.DailyLinksView:
        """Short-lived links to a day's report files; a day without a report is a 404."""
        when = logic.DailyPath.model_validate({"date": day}).date
        if not self.files.exists(when):
            raise logic.ReportNotFound(when)
        return logic.daily_links_view(when, *self.files.links(when, logic.URL_EXPIRES_IN))

    def publish_daily(self, event: Mapping[str, Any] | None) -> logic.DailyRun:
        """Write a day's report files (the event's ``date``, or yesterday) and tell the reports topic."""
        if self.topic is None:
            raise RuntimeError("the reports' use cases were built without the reports topic")
        now = self.clock()
        day = logic.report_day(event, now)
        report = self.report(Period(day, day), GroupBy.PRODUCT)
        keys = self.files.write(day, logic.daily_csv(report), logic.daily_json(report, now))
        return logic.daily_run(
            report, keys, self.topic.notify(logic.daily_subject(day), logic.daily_message(day, report))
        )
