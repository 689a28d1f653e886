"""Canonical AWS payloads (API Gateway HTTP API 2.0, SQS carrying EventBridge events) and builders based on them.

Tests change only what a case needs in a real payload, so handlers always see the shape AWS sends. HTTP requests are
built by the runtimes' own builder (``handlers.shared.http_event``) from the canonical request's values, and a test
checks that it gives back ``apigw_http_request.json`` itself; SQS batches are copies of the canonical batch.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from handlers.shared.http_event import ApiContext, HttpRequest, add_header, http_api_event, jwt_authorizer

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
    """An HTTP API request event: a JWT caller (``claims``, passed on as given), a Lambda-authorizer caller, or nobody.

    Built by the runtimes' own builder from the canonical request's headers, client, id and time, with ``headers``
    added (names lower-cased) and ``body`` sent as is when a string, as JSON otherwise.
    """
    canonical = load("apigw_http_request.json")
    context = canonical["requestContext"]
    method, route_path = route_key.split(" ", 1)
    request = HttpRequest(
        method=method,
        raw_path=path or route_path,
        raw_query=urlencode(query or {}),
        source_ip=context["http"]["sourceIp"],
        protocol=context["http"]["protocol"],
        body=b"" if body is None else (body if isinstance(body, str) else json.dumps(body)).encode(),
        request_id=context["requestId"],
        received=datetime.fromtimestamp(context["timeEpoch"] / 1000, UTC),
    )
    for name, value in {**canonical["headers"], **{k.lower(): v for k, v in (headers or {}).items()}}.items():
        add_header(request.headers, request.cookies, name, value)
    authorizer = (
        {"lambda": lambda_context} if lambda_context is not None else None if claims is None else jwt_authorizer(claims)
    )
    api = ApiContext(context["apiId"], context["accountId"], region="us-east-1")
    return http_api_event(request, route_key, api, path_parameters=path_parameters, authorizer=authorizer)


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


def said(answer: tuple[int, Any]) -> tuple[int, str]:
    """A refusal's status and English message, after checking it has the shape every refusal has: a stable
    ``code`` and its ``params`` next to the ``message``."""
    status, body = answer
    assert isinstance(body, dict) and set(body) >= {"code", "message", "params"}, body
    assert isinstance(body["code"], str) and body["code"] and isinstance(body["params"], dict), body
    return status, body["message"]
