"""Rule: schedule expressions and time zones are ones EventBridge (Scheduler and rules) and AWS Backup accept
(:mod:`aws_systems.schedule_expressions` holds AWS's rules)."""

from __future__ import annotations

from aws_systems.preflight.model import Resource
from aws_systems.schedule_expressions import expression_problems, time_zone_problem

TYPES = ("aws:scheduler/schedule:Schedule", "aws:cloudwatch/eventRule:EventRule", "aws:backup/plan:Plan")


def check(resource: Resource) -> list[str]:
    """The schedule expressions and time zone of a Scheduler schedule, an EventBridge rule or a Backup plan."""
    if resource.type not in TYPES:
        return []
    out: list[str] = []
    if resource.type == "aws:backup/plan:Plan":
        expressions = [("rules[].schedule", rule.get("schedule")) for rule in resource.get("rules") or []]
    else:
        expressions = [("scheduleExpression", resource.get("scheduleExpression"))]
    for where, expression in expressions:
        if isinstance(expression, str):
            out += [f"{where}: {problem}" for problem in expression_problems(expression)]
    zone = resource.get("scheduleExpressionTimezone")
    if isinstance(zone, str) and time_zone_problem(zone):
        out.append(f"scheduleExpressionTimezone: {time_zone_problem(zone)}")
    return out
