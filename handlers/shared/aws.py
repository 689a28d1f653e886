"""boto3 clients created on first use and reused across invocations, and reading JSON secrets.

Region and endpoint come from the environment (``AWS_REGION``; ``AWS_ENDPOINT_URL`` is how the local runtime and the
tests point boto3 at moto), never from code.

Every client has a :class:`CallBudget`: its connect and read timeouts and how many attempts a call makes, so no call
can outlast the function that makes it (botocore's defaults, 60 s timeouts with retries, would). The budgets are
measured against the functions' timeouts in ``tests/handlers/test_budgets.py``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CallBudget:
    """How long one AWS call may take: ``attempts`` tries, each with these connect and read timeouts."""

    connect_seconds: float
    read_seconds: float
    attempts: int

    @property
    def worst_case_seconds(self) -> float:
        """Every attempt timing out, plus the standard retry mode's back-off between them (at most 1 s, 2 s, ...)."""
        backoff = sum(2**retry for retry in range(self.attempts - 1))
        return self.attempts * (self.connect_seconds + self.read_seconds) + backoff


IN_REQUEST = CallBudget(connect_seconds=1, read_seconds=2, attempts=2)
"""The default: a call made while an API request waits (or a consumer's record, or a schedule's run)."""

AFTER_COMMIT = CallBudget(connect_seconds=1, read_seconds=1, attempts=1)
"""The outbox relay a write makes after its commit: the change is safe already, and the schedule retries."""


@functools.cache
def client(service: str, budget: CallBudget = IN_REQUEST, signature_version: str | None = None) -> Any:
    """A boto3 client for ``service`` with ``budget``, one per process and budget."""
    import boto3  # imported on first use: cold starts that never call AWS skip it
    from botocore.config import Config

    config = Config(
        connect_timeout=budget.connect_seconds,
        read_timeout=budget.read_seconds,
        retries={"mode": "standard", "total_max_attempts": budget.attempts},
        signature_version=signature_version,
    )
    return boto3.client(service, config=config)


def read_secret_json(arn: str, secrets_client: Any | None = None) -> dict[str, Any] | None:
    """A secret's JSON object value, or None when the secret has no value yet."""
    sm = secrets_client or client("secretsmanager")
    try:
        value = sm.get_secret_value(SecretId=arn)["SecretString"]
    except sm.exceptions.ResourceNotFoundException:
        return None
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        raise RuntimeError(f"{arn}: the secret value is not JSON") from None
    if not isinstance(data, dict):
        raise RuntimeError(f"{arn}: the secret value is not a JSON object")
    return data
