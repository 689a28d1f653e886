"""Canonical AWS payloads (API Gateway HTTP API 2.0, SQS carrying EventBridge events) and builders based on them.

Tests change only what a case needs in a copy of a real payload, so handlers always see the shape AWS sends.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load(name: str) -> dict[str, Any]:
    return json.loads((HERE / name).read_text())


def http_request(
    route_key: str,
    *,
    path: str | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    lambda_context: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An HTTP API request event: a JWT caller (``claims``), a Lambda-authorizer caller, or nobody."""
    event = copy.deepcopy(load("apigw_http_request.json"))
    method, route_path = route_key.split(" ", 1)
    path = path or route_path
    event["routeKey"] = event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["body"] = None if body is None else body if isinstance(body, str) else json.dumps(body)
    event["queryStringParameters"] = query
    event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in (query or {}).items())
    event["pathParameters"] = path_parameters or {}
    event["headers"].update(headers or {})
    if lambda_context is not None:
        event["requestContext"]["authorizer"] = {"lambda": lambda_context}
    elif claims is not None:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = claims
    else:
        event["requestContext"].pop("authorizer")
    return event


def sqs_batch(*events: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """An SQS batch whose records carry EventBridge events ``(detail_type, source, detail)``."""
    template = load("sqs_eventbridge_batch.json")["Records"][0]
    records = []
    for detail_type, source, detail in events:
        record = copy.deepcopy(template)
        envelope = json.loads(record["body"])
        envelope.update({"id": str(uuid.uuid4()), "detail-type": detail_type, "source": source, "detail": detail})
        record["body"] = json.dumps(envelope)
        record["messageId"] = str(uuid.uuid4())
        records.append(record)
    return {"Records": records}
