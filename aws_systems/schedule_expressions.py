"""Schedule expressions as EventBridge (Scheduler and rules) and AWS Backup accept them. CloudFormation's schemas only
bound their length, so an expression AWS refuses would otherwise surface halfway through ``pulumi up``: the
components check their arguments with :func:`expression_problems`, and the preflight checks every resource with it.

- ``rate(value unit)``: a positive whole value; ``minute``, ``hour`` or ``day`` for 1, the plural for more.
- ``cron(minutes hours day-of-month month day-of-week year)``: six fields, each ``*``, a value, a range, a list or a
  step within its bounds (months and days of the week also by name: ``JAN``, ``MON-FRI``); exactly one of
  day-of-month and day-of-week is ``?`` (``L``, ``W`` and ``#`` as AWS allows them).
- ``at(yyyy-mm-ddThh:mm:ss)``, for Scheduler's one-time schedules.
- A Scheduler time zone is an IANA zone (:func:`time_zone_problem`).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from datetime import datetime

RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
FIELDS = (  # name, low, high, names, the forms AWS allows beyond * and numbers (lists, ranges, steps)
    ("minutes", 0, 59, (), None),
    ("hours", 0, 23, (), None),
    ("day-of-month", 1, 31, (), re.compile(r"\?|L|LW|\d{1,2}W")),
    ("month", 1, 12, MONTHS, None),
    ("day-of-week", 1, 7, DAYS, re.compile(r"\?|[1-7]?L|([1-7]|[A-Z]{3})#[1-5]")),
    ("year", 1970, 2199, (), None),
)


def _value(text: str, low: int, high: int, names: Sequence[str]) -> bool:
    if text.upper() in names:
        return True
    return text.isdigit() and low <= int(text) <= high


def _field_problem(
    text: str, name: str, low: int, high: int, names: Sequence[str], special: re.Pattern[str] | None
) -> str:
    """Why AWS refuses ``text`` in cron field ``name``; empty when it accepts it."""
    if text == "*" or (special is not None and special.fullmatch(text)):
        return ""
    for part in text.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return f"{name} {text!r}: a step must be a positive number"
        ends = [] if base == "*" else base.split("-")
        if base != "*" and (len(ends) > 2 or not all(_value(end, low, high, names) for end in ends)):
            named = f" or {names[0]}-{names[-1]}" if names else ""
            return f"{name} {text!r}: values must be within {low}-{high}{named}"
    return ""


def cron_problems(body: str) -> list[str]:
    fields = body.split()
    if len(fields) != 6:
        return [f"cron({body}): six fields are needed (minutes hours day-of-month month day-of-week year)"]
    out = [p for text, spec in zip(fields, FIELDS, strict=True) if (p := _field_problem(text, *spec))]
    if (fields[2] == "?") == (fields[4] == "?"):
        out.append(f"cron({body}): exactly one of day-of-month and day-of-week must be '?'")
    return out


def expression_problems(expression: str) -> list[str]:
    """Why AWS refuses ``expression`` (empty when it accepts it)."""
    if expression.startswith("cron(") and expression.endswith(")"):
        return cron_problems(expression[5:-1])
    if expression.startswith("at(") and expression.endswith(")"):
        try:
            datetime.strptime(expression[3:-1], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return [f"{expression}: expected at(yyyy-mm-ddThh:mm:ss)"]
        return []
    rate = RATE.fullmatch(expression)
    if rate is None:
        return [f"{expression!r}: expected rate(value unit), cron(...) or at(...)"]
    value, unit = int(rate.group(1)), rate.group(2)
    if value == 0:
        return [f"{expression}: the value must be positive"]
    if (value == 1) == unit.endswith("s"):
        right = unit.rstrip("s") if value == 1 else f"{unit}s"
        return [f"{expression}: use {right!r} for {value}"]
    return []


def time_zone_problem(zone: str) -> str:
    """Why Scheduler refuses ``zone`` as a schedule's time zone; empty for an IANA zone."""
    return "" if zone in zoneinfo.available_timezones() else f"{zone!r} is not an IANA time zone"
