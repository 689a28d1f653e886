"""Field types that request models share, so that every route refuses the same inputs in the same way (a 422 that
names the field).

Days and moments are kept within :data:`EARLIEST_DAY` and :data:`LATEST_DAY`: no move, sale, position or report of
these systems lies outside them, and a value at the edge of Python's range (``0001-01-01``, ``9999-12-31``) would
overflow the arithmetic a route does with it (the day after ``to``, a time zone shift).

Text that no database can store (NUL, unpaired surrogates) is refused for every field by the request parsing itself
(``api.refuse_unstorable_text``), not here, so that a model cannot forget it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from handlers.shared.clock import as_utc

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """``YYYY-MM-DD`` only (pydantic's own date parsing would also take numbers and timestamps)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value.strip()):
        raise ValueError("must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("must be a date YYYY-MM-DD") from None


def _within_range(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}")
    return day


def _moment_within_range(moment: datetime) -> datetime:
    """The moment in UTC, within the days the systems handle."""
    try:
        moment = as_utc(moment)
    except OverflowError:  # 0001-01-01T00:00:00+01:00: its UTC instant is before year 1
        raise ValueError(f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}") from None
    _within_range(moment.date())
    return moment


_RANGE = f"from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}"

Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    AfterValidator(_within_range),
    WithJsonSchema({"type": "string", "format": "date", "description": f"A day, YYYY-MM-DD, {_RANGE}"}),
]
"""A day, ``YYYY-MM-DD``, from 2000-01-01 to 2099-12-31."""

Moment = Annotated[
    datetime,
    AfterValidator(_moment_within_range),
    WithJsonSchema({"type": "string", "format": "date-time", "description": f"An ISO 8601 moment, {_RANGE}"}),
]
"""An ISO 8601 moment (without an offset it is taken as UTC), in UTC, within the same days as :data:`Day`."""
