"""Declared schedules on local timers, fired with the same input EventBridge Scheduler sends in the cloud.

Expressions follow EventBridge Scheduler: ``rate(5 minutes)`` and six-field ``cron(min hour day-of-month month
day-of-week year)`` with ``*``, ``?``, lists, ranges, steps and day names (``MON-FRI``), evaluated in the schedule's
time zone. ``L``, ``W`` and ``#`` are not supported locally and are refused with a clear message.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from architectures import spec

log = logging.getLogger(__name__)

RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 1, 7), ("year", 1970, 2199))


def _values(field: str, low: int, high: int, text: str) -> set[int] | None:
    """The values a cron field allows; None means any (``*`` or ``?``)."""
    if text in ("*", "?"):
        return None
    if re.search(r"[LW#]", text):
        raise ValueError(f"cron {field} {text!r}: L, W and # are not supported by the local runtime")
    allowed: set[int] = set()
    for part in text.split(","):
        for name, number in DAYS.items():
            part = part.replace(name, str(number))
        base, _, step = part.partition("/")
        start, _, end = base.partition("-")
        first = low if start == "*" else int(start)
        last = high if start == "*" else int(end or (high if step else start))
        if not (low <= first <= high and low <= last <= high):
            raise ValueError(f"cron {field} {text!r}: values must be within {low}-{high}")
        allowed |= set(range(first, last + 1, int(step or 1)))
    return allowed


@dataclass(frozen=True)
class Cron:
    fields: tuple[set[int] | None, ...]

    @classmethod
    def parse(cls, body: str) -> Cron:
        parts = body.split()
        if len(parts) != 6:
            raise ValueError(f"cron({body}): expected 6 fields (minute hour day-of-month month day-of-week year)")
        return cls(tuple(_values(name, low, high, text) for (name, low, high), text in zip(FIELDS, parts, strict=True)))

    def matches(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1  # AWS: SUN=1 … SAT=7
        values = (moment.minute, moment.hour, moment.day, moment.month, weekday, moment.year)
        return all(allowed is None or value in allowed for allowed, value in zip(self.fields, values, strict=True))

    def next_after(self, moment: datetime) -> datetime:
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(366 * 24 * 60):
            if self.matches(candidate):
                return candidate
            candidate += timedelta(minutes=1)
        raise ValueError("cron: no time matches within a year")


def next_run(expression: str, timezone: str, after: datetime) -> datetime:
    """When a schedule fires next after ``after`` (an aware datetime)."""
    rate = RATE.match(expression)
    if rate:
        return after + timedelta(seconds=int(rate[1]) * UNIT_SECONDS[rate[2].rstrip("s")])
    if expression.startswith("cron(") and expression.endswith(")"):
        local = after.astimezone(ZoneInfo(timezone))
        return Cron.parse(expression[5:-1]).next_after(local)
    raise ValueError(f"schedule {expression!r}: expected rate(N unit) or cron(...)")


@dataclass
class Timer:
    system: str
    service: str
    schedule: spec.Schedule
    handler: str
    due: datetime


class ScheduleRunner:
    """Fires every declared schedule when due, on one thread; :meth:`fire` runs one now (on demand), optionally with
    extra input (e.g. ``{"date": "2026-11-22"}`` for a report), and returns the function's result."""

    def __init__(self, fire: Callable[[Timer, dict[str, Any]], Any], now: Callable[[], datetime]) -> None:
        self._fire = fire
        self._now = now
        self.timers: dict[tuple[str, str, str], Timer] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, system: spec.System) -> None:
        for service in system.services:
            for schedule in service.schedules:
                handler = spec.handler_module(system, service, schedule.handler)
                due = next_run(schedule.expression, schedule.timezone, self._now())
                self.timers[(system.name, service.name, schedule.name)] = Timer(
                    system.name, service.name, schedule, handler, due
                )

    def fire(self, system: str, service: str, schedule: str, extra: dict[str, Any] | None = None) -> Any:
        timer = self.timers.get((system, service, schedule))
        if timer is None:
            known = ", ".join("/".join(key) for key in sorted(self.timers))
            raise KeyError(f"no schedule {system}/{service}/{schedule}; declared: {known}")
        return self._fire(timer, extra or {})

    def run_due(self) -> None:
        now = self._now()
        for timer in self.timers.values():
            if timer.due <= now:
                timer.due = next_run(timer.schedule.expression, timer.schedule.timezone, now)
                try:
                    self._fire(timer, {})
                except Exception:  # one failing schedule must not stop the others (the cloud would retry it)
                    log.exception("schedule %s/%s/%s failed", timer.system, timer.service, timer.schedule.name)

    def start(self, poll_seconds: float = 1.0) -> None:
        def loop() -> None:
            while not self._stop.wait(poll_seconds):
                self.run_due()

        self._thread = threading.Thread(target=loop, name="schedules", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
