"""Waiting for Deployments to finish rolling out, the way ``kubectl rollout status`` judges it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aws_systems.kube_apply.kube import Kubernetes, Ref

POLL_SECONDS = 5.0


class RolloutError(Exception):
    """A Deployment did not become ready; the message names it and what is missing, on one line."""


def problem(ref: Ref, deployment: Mapping[str, Any] | None) -> str | None:
    """What keeps the Deployment from being rolled out, or ``None`` when it is: the controller has seen the newest
    spec, every replica runs it, no old replica is left, and all of them are available."""
    if deployment is None:
        return f"{ref}: not found"
    metadata, spec, status = (deployment.get(k) or {} for k in ("metadata", "spec", "status"))
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
            raise RolloutError(f"{ref}: progress deadline exceeded: {condition.get('message', '')}".strip())
    generation, observed = metadata.get("generation", 0), status.get("observedGeneration", 0)
    if observed < generation:
        return f"{ref}: generation {generation} not yet observed (at {observed})"
    wanted = spec.get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    if updated < wanted:
        return f"{ref}: {updated} of {wanted} replicas updated"
    old = status.get("replicas", 0) - updated
    if old > 0:
        return f"{ref}: {old} old replicas pending termination"
    available = status.get("availableReplicas", 0)
    if available < wanted:
        return f"{ref}: {available} of {wanted} updated replicas available"
    return None


def wait(
    kube: Kubernetes,
    deployments: Sequence[Ref],
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll until every Deployment is rolled out; raise :class:`RolloutError` when ``deadline`` (on ``clock``)
    would pass first."""
    while True:
        problems = [p for ref in deployments if (p := problem(ref, kube.get(ref)))]
        if not problems:
            return
        if clock() + POLL_SECONDS >= deadline:
            raise RolloutError("rollout not finished before the apply function's timeout: " + "; ".join(problems))
        sleep(POLL_SECONDS)
