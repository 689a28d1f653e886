"""What the reports service does: sales figures over a period, the automatic reports (daily, weekly, monthly) with
their files and notices, and links to those files (``handlers/shared/usecases.py`` is the shape every service
shares). It only reads the database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict

from handlers.retail.reports import logic, periods, runs, store
from handlers.retail.reports.files import ReportFiles, ReportTopic, signing_s3
from handlers.retail.reports.logic import GroupBy, Period, Report
from handlers.retail.reports.periods import Kind, ReportPeriod
from handlers.retail.reports.settings import ReportsSettings
from handlers.retail.staff import own_sales_scope
from handlers.retail.store_settings import StoreDefaults, StoreSettingsReader, StoreValues
from handlers.shared.api import Caller
from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Database, service_database
from handlers.shared.paging import Page, page_of
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases


class ScheduledRun(BaseModel):
    """The schedule's event: ``{"schedule": "reports"}`` writes what is due; ``kind`` and ``period`` write that
    period's report whatever its state (an operator's re-run, or the local runtime's "run now")."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Kind | None = None
    period: str | None = None


class ReportUseCases(UseCases):
    def __init__(self, db: Database, files: ReportFiles, topic: ReportTopic | None = None, *,
                 store_values: Callable[[], StoreValues] | None = None, app_url: str | None = None,
                 **adapters: Any) -> None:  # fmt: skip
        super().__init__(db, **adapters)
        self.files = files
        self.topic = topic
        self.store_values = store_values or StoreSettingsReader(None, defaults=StoreDefaults()).values
        self.app_url = app_url

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        reports = ReportsSettings.from_env()
        defaults = StoreDefaults.from_env()
        files = ReportFiles(signing_s3(), reports.bucket_reports)
        reader = StoreSettingsReader(reports.settings_table, defaults=defaults)
        return cls(service_database(settings), files, ReportTopic(None, reports.topic_reports_arn),
                   store_values=reader.values, app_url=defaults.app_url)  # fmt: skip

    def report(self, span: Period, group_by: GroupBy, seller_id: str | None = None) -> Report:
        """The report of ``span`` grouped by ``group_by``, read in one transaction (voided sales left out): of the
        whole store, or of one seller's sales."""
        key = logic.sales_key(group_by)
        with self.reading() as tx:
            sales = store.sales_by(tx, key, span, seller_id)
            units = {} if group_by is GroupBy.PRODUCT else store.units_by(tx, key, span, seller_id)
            products = store.products_sold(tx, span, seller_id)
        if key is GroupBy.DAY:
            sales, units = logic.local_days(span, sales, units)
        return logic.build_report(span, group_by, sales, units, products)

    def sales_report(self, caller: Caller, query: logic.ReportQuery) -> logic.ReportView:
        """The store's figures over its own days (its time zone) for an admin; a seller's own for a seller, as
        ``GET /sales`` lists only theirs."""
        seller_id = own_sales_scope(caller.user_id, caller.groups)
        zone = self.store_values().time_zone
        span = logic.period(query, periods.store_today(self.clock(), zone), zone)
        return logic.report_view(self.report(span, query.group_by, seller_id))

    # --- the automatic reports -----------------------------------------------------------------------------------

    def periods(self, query: runs.ReportListQuery) -> Page[runs.PeriodView]:
        """The periods of a kind, newest first from the one in progress, each with whether its report is written and,
        if not, when the schedule writes it."""
        zone, now = self.store_values().time_zone, self.clock()
        in_progress = periods.latest_over(query.kind, now, zone).following()
        after = query.after_key
        listed = [in_progress if after is None else periods.parse(query.kind, after[0]).preceding()]
        while len(listed) <= query.limit:
            listed.append(listed[-1].preceding())

        def view(period: ReportPeriod) -> runs.PeriodView:
            generated = period.first < in_progress.first and self.files.exists(period)
            return runs.period_view(period, generated, periods.runs_at(period, now, zone))

        return page_of(listed, query.limit, view, lambda period: (period.key,))

    def links(self, kind: str, key: str) -> runs.ReportLinksView:
        """Short-lived links to a period's report files; one not written is a 404 saying when it will be."""
        period = periods.parse(periods.kind_of(kind), key)
        if not self.files.exists(period):
            zone = self.store_values().time_zone
            runs_at = periods.runs_at(period, self.clock(), zone)
            raise runs.ReportNotGenerated(
                period.kind.value, period.key, None if runs_at is None else timestamp_ms(runs_at)
            )
        return runs.links_view(period, *self.files.links(period, runs.URL_EXPIRES_IN))

    def generate(self, kind: str, key: str) -> runs.ReportLinksView:
        """Write a period's report now (one that is over in the store's zone), without a notice; its links."""
        period = periods.parse(periods.kind_of(kind), key)
        values = self.store_values()
        periods.check_over(period, self.clock(), values.time_zone)
        self.write(period, values, announce=False)
        return runs.links_view(period, *self.files.links(period, runs.URL_EXPIRES_IN))

    def scheduled(self, event: Mapping[str, Any] | None) -> list[runs.RunView]:
        """The schedule's run: each kind's latest period that is over and not written yet, or the one asked for."""
        asked, values = ScheduledRun.model_validate(dict(event or {})), self.store_values()
        if asked.kind is not None and asked.period is not None:
            return [self.write(periods.parse(asked.kind, asked.period), values)]
        due = [periods.latest_over(kind, self.clock(), values.time_zone) for kind in Kind]
        return [self.write(period, values) for period in due if not self.files.exists(period)]

    def write(self, period: ReportPeriod, values: StoreValues, *, announce: bool = True) -> runs.RunView:
        """Write a period's files and announce them on the topic. A failed notice fails the run after the files are
        written, so a retry rewrites the same files and notifies."""
        if announce and self.topic is None:
            raise RuntimeError("the reports' use cases were built without the reports topic")
        report = self.report(Period(period.first, period.last, values.time_zone), GroupBy.PRODUCT)
        written = self.files.write(period, runs.report_csv(report),
                                   runs.report_json(report, period, values, self.clock()))  # fmt: skip
        notice = runs.notice(period, report, values, self.app_url)
        message_id = self.topic.notify(*notice) if announce and self.topic is not None else None
        return runs.run_view(period, report, written, message_id)
