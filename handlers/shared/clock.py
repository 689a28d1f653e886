"""The handlers' clock: the current moment, and a moment as the fixed-width UTC text that is stored and shown.

Stored timestamps are compared as text (in SQL and in paging cursors), so every service writes one format and keeps
it: ISO 8601 in UTC to the microsecond (:func:`timestamp_us`: the moving company and the shop) or to the millisecond
(:func:`timestamp_ms`: retail, the outbox). A table paged by time must
hold one precision only: a cursor re-formats the last row's time, and a row stored at another precision no longer
matches it. A naive datetime is taken as UTC, never as the machine's local time.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, aware, in UTC (the handlers' default clock; tests pass their own)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC (a naive one is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timestamp_ms(moment: datetime) -> str:
    """``2026-03-10T10:00:00.000+00:00``: ISO 8601 in UTC to the millisecond."""
    return as_utc(moment).isoformat(timespec="milliseconds")


def timestamp_us(moment: datetime) -> str:
    """``2026-03-10T10:00:00.000000+00:00``: ISO 8601 in UTC to the microsecond."""
    return as_utc(moment).isoformat(timespec="microseconds")
