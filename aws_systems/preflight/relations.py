"""Rule: values that AWS checks against each other, across properties or across resources.

- An SQS event source mapping is refused when the queue's visibility timeout is shorter than the function's timeout,
  and a batch size above 10 needs a batching window (Lambda's CreateEventSourceMapping).
- A backup rule that moves recovery points to cold storage must keep them there 90 days or more (AWS Backup).
- An HTTP API Lambda (REQUEST) authorizer's identity sources are selection expressions API Gateway accepts
  (``$request.header.<name>``, ``$request.querystring.<name>``, ``$context.<variable>``, ``$stageVariables.<name>``),
  and one that caches its answers needs at least one: they are the cache key.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_systems.preflight.model import Resource, Stack, as_list
from aws_systems.validation import IDENTITY_SOURCE

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
    for authorizer in stack.of_type("aws:apigatewayv2/authorizer:Authorizer"):
        out += [(authorizer.urn, problem) for problem in _identity_problems(authorizer)]
    return out


def _identity_problems(authorizer: Resource) -> list[str]:
    if authorizer.props.get("authorizerType") != "REQUEST":
        return []
    sources = [s for s in as_list(authorizer.props.get("identitySources")) if isinstance(s, str)]
    problems = [
        f"identity source {source!r} is not $request.header.<name>, $request.querystring.<name>, $context.<variable> "
        "or $stageVariables.<name>: API Gateway refuses it"
        for source in sources
        if not IDENTITY_SOURCE.match(source)
    ]
    ttl = _number(authorizer.props.get("authorizerResultTtlInSeconds"))
    if ttl and not sources:
        problems.append(f"answers are cached for {ttl:g} s but no identity source is given to key the cache")
    return problems
