"""The automatic reports' periods: keys of each kind (ISO weeks across years), the store's days as UTC bounds, the
latest period over, and when the hourly schedule writes a period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from architectures.retail import SYSTEM
from handlers.retail.reports import periods
from handlers.retail.reports.periods import Kind, PeriodNotOver


@pytest.mark.parametrize(("kind", "key", "first", "last"), [
    (Kind.DAILY, "2026-02-28", date(2026, 2, 28), date(2026, 2, 28)),
    (Kind.WEEKLY, "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),  # week 1 starts in the year before
    (Kind.WEEKLY, "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),  # 2026 has 53 ISO weeks
    (Kind.MONTHLY, "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    (Kind.MONTHLY, "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
])  # fmt: skip
def test_a_key_names_its_days_and_a_day_its_key(kind: Kind, key: str, first: date, last: date) -> None:
    period = periods.parse(kind, key)
    assert (period.first, period.last) == (first, last)
    assert periods.containing(kind, last).key == key
    assert period.following().preceding() == period


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        (Kind.DAILY, "2026-02-29"),
        (Kind.WEEKLY, "2025-W53"),
        (Kind.MONTHLY, "2026-13"),
        (Kind.WEEKLY, "2026-w01"),
        (Kind.DAILY, ""),
    ],
)
def test_a_key_that_names_no_period_is_refused(kind: Kind, key: str) -> None:
    with pytest.raises(ValidationError, match="invalid_period"):
        periods.parse(kind, key)


def test_the_stores_days_are_local_midnights_in_utc() -> None:
    first, end = periods.parse(Kind.MONTHLY, "2026-03").bounds("America/Lima")
    assert (first.isoformat(), end.isoformat()) == ("2026-03-01T05:00:00+00:00", "2026-04-01T05:00:00+00:00")


def test_the_latest_period_over_is_the_stores() -> None:
    late_in_lima = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # still the 28th of February in Lima
    assert periods.latest_over(Kind.DAILY, late_in_lima, "America/Lima").key == "2026-02-27"
    assert periods.latest_over(Kind.MONTHLY, late_in_lima, "America/Lima").key == "2026-01"
    assert periods.latest_over(Kind.MONTHLY, late_in_lima, "UTC").key == "2026-02"


def test_a_period_is_written_at_the_first_hourly_run_after_it_ends() -> None:
    day = periods.parse(Kind.DAILY, "2026-03-10")
    assert periods.next_run(day, "America/Lima").isoformat() == "2026-03-11T05:05:00+00:00"
    assert periods.next_run(day, "Asia/Kolkata").isoformat() == "2026-03-10T19:05:00+00:00"  # UTC+5:30
    assert periods.runs_at(day, datetime(2026, 3, 11, 7, 0, tzinfo=UTC), "America/Lima") == datetime(
        2026, 3, 11, 7, 5, tzinfo=UTC), "not written at its run: the next one"  # fmt: skip
    with pytest.raises(PeriodNotOver):
        periods.check_over(day, datetime(2026, 3, 11, 4, 59, tzinfo=UTC), "America/Lima")


def test_the_declared_schedule_is_the_one_the_periods_assume() -> None:
    (schedule,) = SYSTEM.service("reports").schedules
    assert (schedule.name, schedule.expression, schedule.timezone) == (periods.SCHEDULE, periods.CRON, "UTC")
