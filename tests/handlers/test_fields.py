"""The request field types every service shares, and the text every route refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel, ValidationError

from handlers.shared.api import BadRequest, body_as, field_errors
from handlers.shared.fields import Day, Moment


class Dated(BaseModel):
    day: Day | None = None
    moment: Moment | None = None
    name: str | None = None
    tags: list[str] = []


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
def test_days_outside_the_systems_range_are_a_422_on_the_field(day):
    with pytest.raises(ValidationError) as refused:
        Dated(day=day)
    (error,) = field_errors(refused.value)
    assert (error["field"], error["message"]) == ("day", "must be between 2000-01-01 and 2099-12-31")
    assert error["code"] == "value_error"


@pytest.mark.parametrize("day", ["20260310", "2026-3-10", 1773100800, "2026-03-10T00:00:00", "2026-02-30"])
def test_a_day_is_yyyy_mm_dd_and_nothing_else(day):
    with pytest.raises(ValidationError, match="must be a date YYYY-MM-DD"):
        Dated(day=day)


def test_edges_of_the_range_are_accepted_and_moments_come_back_in_utc():
    assert Dated(day="2000-01-01").day == date(2000, 1, 1) and Dated(day="2099-12-31").day == date(2099, 12, 31)
    assert Dated(moment="2026-03-10T05:00:00-05:00").moment == datetime(2026, 3, 10, 10, tzinfo=UTC)
    with pytest.raises(ValidationError, match="must be between"):
        Dated(moment="0001-01-01T00:00:00+01:00")  # before year 1 in UTC: it once overflowed


@pytest.mark.parametrize(
    ("raw", "field"),
    [('{"name": "a\\u0000b"}', "name"), ('{"name": "\\ud800"}', "name"), ('{"tags": ["ok", "\\udfff"]}', "tags.1"),
     ('{"\\u0000": 1}', "\\x00")],
)  # fmt: skip
def test_nul_and_unpaired_surrogates_are_a_422_naming_the_field_in_any_model(raw, field):
    with pytest.raises(ValidationError) as refused:
        body_as(raw, Dated)
    (error,) = field_errors(refused.value)
    assert error["message"] == "must not contain NUL characters or unpaired surrogates"
    assert error["field"] == field.encode().decode("unicode_escape")


def test_paired_surrogates_and_other_control_text_are_kept():
    assert body_as('{"name": "\\ud83d\\ude00 tab\\there"}', Dated).name == "\U0001f600 tab\there"


@pytest.mark.parametrize("raw", ["[" * 100_000 + "]" * 100_000, '{"tags": ' + "[" * 40 + "]" * 40 + "}"])
def test_a_body_that_nests_too_deeply_is_a_400_not_a_crash(raw):
    with pytest.raises(BadRequest, match="nests too deeply"):
        body_as(raw, Dated)
