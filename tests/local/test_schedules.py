"""Local schedule timers: EventBridge Scheduler expressions, due times, and firing on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from architectures import SYSTEMS
from local.schedules import Cron, ScheduleRunner, next_run

T0 = datetime(2026, 11, 23, 10, 30, 15, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", T0 + timedelta(minutes=1)),
        ("rate(5 minutes)", T0 + timedelta(minutes=5)),
        ("rate(2 hours)", T0 + timedelta(hours=2)),
        ("rate(1 day)", T0 + timedelta(days=1)),
        ("cron(0 6 * * ? *)", datetime(2026, 11, 24, 6, 0, tzinfo=UTC)),
        ("cron(45 10 * * ? *)", datetime(2026, 11, 23, 10, 45, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 11, 23, 10, 45, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
        ("cron(0 9 ? * SAT,SUN *)", datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("cron(0 0 1 1 ? 2027)", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_run(expression, expected):
    assert next_run(expression, "UTC", T0) == expected


def test_cron_is_evaluated_in_the_schedule_time_zone():
    fired = next_run("cron(0 6 * * ? *)", "America/Lima", T0)  # 05:30 in Lima (UTC-5): 06:00 is half an hour away
    assert fired.astimezone(UTC) == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 6 * *)", "expected 6 fields"),
        ("cron(0 25 * * ? *)", "within 0-23"),
        ("cron(0 6 L * ? *)", "not supported by the local runtime"),
        ("every day", "expected rate"),
    ],
)
def test_bad_expressions_are_refused_clearly(expression, message):
    with pytest.raises(ValueError, match=message):
        next_run(expression, "UTC", T0)


def test_weekday_numbers_follow_aws_sunday_is_one():
    assert Cron.parse("0 9 ? * 1 *").matches(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))  # a Sunday


def test_the_runner_fires_what_is_due_and_on_demand():
    now = [T0]
    fired = []
    runner = ScheduleRunner(lambda timer, extra: fired.append((timer.service, timer.schedule.name, timer.handler)),
                            lambda: now[0])  # fmt: skip
    runner.add(SYSTEMS["moving"])
    assert set(runner.timers) == {
        ("moving", s.name, sch.name) for s in SYSTEMS["moving"].services for sch in s.schedules
    }
    runner.run_due()
    assert fired == []
    now[0] = T0 + timedelta(minutes=1, seconds=1)
    runner.run_due()
    assert {(svc, name) for svc, name, _ in fired} == {("moves", "outbox-relay"), ("fleet", "outbox-relay"),
                                                        ("tracking", "outbox-relay")}  # fmt: skip
    assert {handler for _, _, handler in fired} == {"handlers.shared.outbox.relay_handler"}
    fired.clear()
    runner.run_due()
    assert fired == [], "a schedule fires once per due time"
    runner.fire("moving", "fleet", "outbox-relay")
    assert fired == [("fleet", "outbox-relay", "handlers.shared.outbox.relay_handler")]
    with pytest.raises(KeyError, match="no schedule moving/fleet/nightly; declared: moving/fleet/outbox-relay"):
        runner.fire("moving", "fleet", "nightly")
