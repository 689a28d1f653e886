"""Rule: Lambda concurrency that AWS refuses, or that throttles a queue's consumer by design.

- Lambda refuses ``PutFunctionConcurrency`` when the reserved concurrency of the account's functions in a region
  would leave fewer than 100 executions unreserved ("decreases account's UnreservedConcurrentExecution below its
  minimum value of [100]"). The rule sums the reservations of the stack's functions against the account's quota,
  ``lambda.accountConcurrency`` in the stack config (default 1000; new accounts may have less). It sees one stack:
  reservations of other stacks or functions in the same account and region count against the same pool.
- An SQS event source mapping whose maximum concurrency is above its function's reserved concurrency: Lambda throttles
  the function, and the throttled messages go back to the queue (then to its DLQ).

A reserved concurrency of 0 passes: it is the way to switch a function off (every invocation is throttled).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_systems.cost.settings import preview_config
from aws_systems.preflight.model import Resource, Stack

FUNCTION = "aws:lambda/function:Function"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
DEFAULT_ACCOUNT_CONCURRENCY = 1000
MIN_UNRESERVED = 100
"""Lambda keeps this many of the account's concurrent executions unreserved, in each region."""

Settings = Callable[[], int]
"""The account's concurrent executions quota in the stack's region."""


def account_concurrency(raw: Mapping[str, Any], project: str | None = None) -> int:
    """``lambda.accountConcurrency`` from Pulumi's flat config (``{"project:lambda": "{...}"}``): ``project``'s
    namespace, else any namespace; the default when it is not set (the program validates the value)."""
    sections = [v for k, v in raw.items() if k.partition(":")[2] == "lambda" and k.partition(":")[0] == project]
    sections = sections or [v for k, v in raw.items() if k.partition(":")[2] == "lambda"]
    for section in sections:
        values = json.loads(section) if isinstance(section, str) and section[:1] == "{" else section
        quota = _count(values.get("accountConcurrency")) if isinstance(values, Mapping) else None
        if quota is not None:
            return quota
    return DEFAULT_ACCOUNT_CONCURRENCY


def from_pulumi() -> int:
    """The quota of the stack being previewed, from the config Pulumi gives this process."""
    return account_concurrency(*preview_config())


def _count(value: object) -> int | None:
    """A whole number as the engine hands it (numbers arrive as floats), None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        return None
    return int(value)


def reserved(function: Resource) -> int | None:
    """A function's reserved concurrency; None when it has none (unset, or the provider's -1) or it is unknown."""
    value = _count(function.props.get("reservedConcurrentExecutions"))
    return value if value is not None and value >= 0 else None


def _named(ref: str) -> str:
    """The function name in a name, a partial or full ARN, with or without a version or alias."""
    parts = ref.split(":")
    return parts[parts.index("function") + 1] if "function" in parts[:-1] else parts[0]


def target(stack: Stack, mapping: Resource) -> Resource | None:
    """The function a mapping invokes: by the name or ARN in ``functionName``, else (an ARN not assigned yet) the one
    function the mapping depends on."""
    functions = stack.of_type(FUNCTION)
    ref = mapping.props.get("functionName")
    if isinstance(ref, str):
        return next((f for f in functions if ref == f.arn or _named(ref) == f.props.get("name")), None)
    depended = [f for f in functions if f.urn in mapping.dependencies]
    return depended[0] if len(depended) == 1 else None


def _account_pool(functions: list[Resource], settings: Settings) -> list[tuple[str, str]]:
    reserving = sorted(((reserved(f) or 0, f) for f in functions if reserved(f)), key=lambda p: -p[0])
    total = sum(n for n, _ in reserving)
    if not total:
        return []
    quota = settings()
    if quota - total >= MIN_UNRESERVED:
        return []
    biggest = ", ".join(f"{f.name} {n}" for n, f in reserving[:3])
    return [
        (
            reserving[0][1].urn,
            f"the stack's functions reserve {total} concurrent executions, leaving {quota - total} of "
            f"lambda.accountConcurrency {quota} unreserved: Lambda keeps {MIN_UNRESERVED} unreserved and refuses "
            f"the reservation (biggest: {biggest})",
        )
    ]


def _mappings(stack: Stack) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for mapping in stack.of_type(MAPPING):
        cap = _count(mapping.get("scalingConfig", "maximumConcurrency"))
        fn = target(stack, mapping)
        limit = reserved(fn) if fn is not None else None
        if cap is not None and limit and cap > limit:
            out.append(
                (
                    mapping.urn,
                    f"maximum concurrency {cap} is above the reserved concurrency {limit} of function "
                    f"{fn.name if fn else '?'}: Lambda throttles it and the messages go back to the queue",
                )
            )
    return out


def check(stack: Stack, settings: Settings | None = None) -> list[tuple[str, str]]:
    """Every violation; ``settings`` default to the account's quota in the stack config of the preview."""
    return [*_account_pool(stack.of_type(FUNCTION), settings or from_pulumi), *_mappings(stack)]
