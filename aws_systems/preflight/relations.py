"""Rule: values that AWS checks against each other, across properties or across resources.

- An SQS event source mapping is refused when the queue's visibility timeout is shorter than the function's timeout,
  and a batch size above 10 needs a batching window (Lambda's CreateEventSourceMapping).
- A backup rule that moves recovery points to cold storage must keep them there 90 days or more (AWS Backup).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_systems.preflight.model import Stack, as_list

BACKUP_MIN_COLD_DAYS = 90


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def check(stack: Stack) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    queues = {q.arn: q for q in stack.of_type("aws:sqs/queue:Queue") if isinstance(q.arn, str)}
    functions = stack.of_type("aws:lambda/function:Function")
    for mapping in stack.of_type("aws:lambda/eventSourceMapping:EventSourceMapping"):
        queue = queues.get(mapping.props.get("eventSourceArn"))  # type: ignore[arg-type]
        target = mapping.props.get("functionName")
        fn = next((f for f in functions if target in (f.props.get("name"), f.arn)), None)
        visibility = _number(queue.props.get("visibilityTimeoutSeconds", 30)) if queue else None
        timeout = _number(fn.props.get("timeout", 3)) if fn else None
        if visibility is not None and timeout is not None and visibility < timeout:
            out.append(
                (
                    mapping.urn,
                    f"queue {queue.name if queue else '?'} hides a message for {visibility:g} s, less than the "
                    f"{timeout:g} s function {fn.name if fn else '?'} may run: Lambda refuses the mapping",
                )
            )
        batch, window = (
            _number(mapping.props.get("batchSize")),
            _number(mapping.props.get("maximumBatchingWindowInSeconds")),
        )
        if queue is not None and batch is not None and batch > 10 and not window:
            out.append((mapping.urn, f"a batch size of {batch:g} needs a batching window of 1 second or more"))
    for plan in stack.of_type("aws:backup/plan:Plan"):
        for rule in as_list(plan.props.get("rules")):
            lifecycle = rule.get("lifecycle") if isinstance(rule, Mapping) else None
            if not isinstance(lifecycle, Mapping):
                continue
            cold, delete = _number(lifecycle.get("coldStorageAfter")), _number(lifecycle.get("deleteAfter"))
            if cold is not None and delete is not None and delete < cold + BACKUP_MIN_COLD_DAYS:
                out.append(
                    (
                        plan.urn,
                        f"rule {rule.get('ruleName', '?')} deletes after {delete:g} days but moves to cold storage "
                        f"after {cold:g}: AWS Backup keeps cold recovery points {BACKUP_MIN_COLD_DAYS} days or more",
                    )
                )
    return out
