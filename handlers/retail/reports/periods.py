"""The periods the automatic reports cover: a day, an ISO week or a month of the store's own calendar.

A period is named by its kind and key: ``daily`` ``2026-12-02``, ``weekly`` ``2026-W49`` (ISO 8601: Monday to Sunday,
the week holding the year's first Thursday is week 1), ``monthly`` ``2026-12``. Its days are the store's (its time
zone, ``America/Lima`` by default): the sales it counts are those made from local midnight of its first day to local
midnight after its last.

One schedule (:data:`SCHEDULE`) runs each hour: for each kind it writes the report of the latest period that is over
in the store's zone, unless it is written already. Whatever the zone (and an admin may change it), a period's report
is written within the hour after the period ends there, never a partial one, and the hours in between cost three
HEAD requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from handlers.shared.clock import as_utc, timestamp_ms
from handlers.shared.errors import Conflict


class Kind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


SCHEDULE = "reports"
RUN_MINUTE = 5
CRON = f"cron({RUN_MINUTE} * * * ? *)"
"""The schedule's name and expression in ``architectures/retail.py``: every hour at minute 5 (UTC)."""
KEY_FORMATS = {Kind.DAILY: "YYYY-MM-DD", Kind.WEEKLY: "YYYY-Www", Kind.MONTHLY: "YYYY-MM"}
_PATTERNS = {Kind.DAILY: r"(\d{4})-(\d{2})-(\d{2})", Kind.WEEKLY: r"(\d{4})-W(\d{2})", Kind.MONTHLY: r"(\d{4})-(\d{2})"}


def _invalid(field: str, code: str, message: str, value: str, **params: str) -> ValidationError:
    """A 422 naming ``field`` with its own code, as the request models' errors are."""
    detail = InitErrorDetails(type=PydanticCustomError(code, message, params), loc=(field,), input=value)
    return ValidationError.from_exception_data("ReportPeriod", [detail])


class PeriodNotOver(Conflict):
    """A report covers a whole period: one that has not ended in the store's time zone cannot be generated yet."""

    def __init__(self, kind: str, period: str, ends_at: str) -> None:
        super().__init__(f"the {kind} period {period} is not over until {ends_at}; its report can be generated then")


@dataclass(frozen=True)
class ReportPeriod:
    """One period: its kind, key and days (both included) in the store's calendar."""

    kind: Kind
    key: str
    first: date
    last: date

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """The UTC instants of local midnight on its first day and local midnight after its last."""
        tz = ZoneInfo(zone)
        start = datetime.combine(self.first, time(), tz)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz)
        return as_utc(start), as_utc(end)

    def following(self) -> ReportPeriod:
        return containing(self.kind, self.last + timedelta(days=1))

    def preceding(self) -> ReportPeriod:
        return containing(self.kind, self.first - timedelta(days=1))


def containing(kind: Kind, day: date) -> ReportPeriod:
    """The period of ``kind`` that holds ``day``."""
    if kind is Kind.DAILY:
        return ReportPeriod(kind, day.isoformat(), day, day)
    if kind is Kind.WEEKLY:
        year, week, weekday = day.isocalendar()
        monday = day - timedelta(days=weekday - 1)
        return ReportPeriod(kind, f"{year}-W{week:02d}", monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return ReportPeriod(kind, f"{day.year}-{day.month:02d}", first, following - timedelta(days=1))


def parse(kind: Kind, key: str) -> ReportPeriod:
    """The period a key names (a 422 naming ``period``, code ``invalid_period``, when it names none)."""
    found = re.fullmatch(_PATTERNS[kind], key)
    try:
        if found is None:
            raise ValueError(key)
        numbers = [int(part) for part in found.groups()]
        if kind is Kind.WEEKLY:
            day = date.fromisocalendar(numbers[0], numbers[1], 1)
        else:
            day = date(numbers[0], numbers[1], numbers[2] if kind is Kind.DAILY else 1)
    except ValueError:
        raise _invalid(
            "period", "invalid_period", "must be a {expected} period", key, expected=KEY_FORMATS[kind]
        ) from None
    return containing(kind, day)


def store_today(now: datetime, zone: str) -> date:
    return as_utc(now).astimezone(ZoneInfo(zone)).date()


def latest_over(kind: Kind, now: datetime, zone: str) -> ReportPeriod:
    """The latest period of ``kind`` that has ended in the store's zone (a scheduled run reports on it)."""
    return containing(kind, store_today(now, zone)).preceding()


def check_over(period: ReportPeriod, now: datetime, zone: str) -> None:
    """``PeriodNotOver`` (a 400) unless the period has ended in the store's zone."""
    end = period.bounds(zone)[1]
    if as_utc(now) < end:
        raise PeriodNotOver(period.kind.value, period.key, timestamp_ms(end))


def next_run(period: ReportPeriod, zone: str) -> datetime:
    """When the schedule writes ``period``'s report: its first hourly run (UTC) after the period has ended."""
    end = period.bounds(zone)[1]
    run = end.replace(minute=RUN_MINUTE, second=0, microsecond=0)
    return run if run >= end else run + timedelta(hours=1)


def runs_at(period: ReportPeriod, now: datetime, zone: str) -> datetime | None:
    """When the schedule writes ``period``'s report, seen at ``now``: the period in progress and the latest one over
    are due (the latter at the next run, if its first has passed); an older one never is (None: generate it)."""
    latest = latest_over(period.kind, now, zone)
    if period.first < latest.first:
        return None
    run = next_run(period, zone)
    while run < as_utc(now):
        run += timedelta(hours=1)
    return run


def kind_of(name: str) -> Kind:
    """The kind a path names (a 422 naming ``kind``, code ``unknown_kind``, for another)."""
    try:
        return Kind(name)
    except ValueError:
        raise _invalid("kind", "unknown_kind", "must be daily, weekly or monthly", name) from None
