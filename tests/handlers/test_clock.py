"""The shared clock's text: fixed width per precision, in UTC, a naive datetime taken as UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from handlers.shared.clock import as_utc, timestamp_ms, timestamp_us, utc_now

MOMENT = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def test_each_precision_has_one_width_whatever_the_fraction():
    assert timestamp_ms(MOMENT) == "2026-03-10T10:00:00.000+00:00"
    assert timestamp_ms(MOMENT.replace(microsecond=123456)) == "2026-03-10T10:00:00.123+00:00"
    assert timestamp_us(MOMENT) == "2026-03-10T10:00:00.000000+00:00"
    assert timestamp_us(MOMENT.replace(microsecond=123456)) == "2026-03-10T10:00:00.123456+00:00"


def test_another_offset_is_converted_and_a_naive_moment_is_taken_as_utc():
    lima = MOMENT.astimezone(timezone(timedelta(hours=-5)))
    assert timestamp_us(lima) == timestamp_us(MOMENT)
    assert as_utc(MOMENT.replace(tzinfo=None)) == MOMENT
    assert timestamp_ms(MOMENT.replace(tzinfo=None)) == timestamp_ms(MOMENT)


def test_now_is_aware_utc():
    assert utc_now().utcoffset() == timedelta(0)
