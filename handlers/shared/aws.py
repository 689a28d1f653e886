"""boto3 clients created on first use and reused across invocations, and reading JSON secrets.

Region and endpoint come from the environment (``AWS_REGION``; ``AWS_ENDPOINT_URL`` is how the local runtime and the
tests point boto3 at moto), never from code.
"""

from __future__ import annotations

import functools
import json
from typing import Any


@functools.cache
def client(service: str) -> Any:
    """A boto3 client for ``service``, one per process."""
    import boto3  # imported on first use: cold starts that never call AWS skip it

    return boto3.client(service)


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
