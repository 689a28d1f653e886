"""Small handlers for the gateway's tests: they show what the gateway sent and answer in the shapes it must handle."""

from __future__ import annotations

import base64
import json
import os
import threading
from typing import Any

AUTHORIZER_CALLS: list[dict[str, Any]] = []
"""Every event the fake Lambda authorizer received, in order."""
AUTHORIZER_RUNS: list[dict[str, Any]] = []
"""Where each of those calls ran: the thread and the service environment it saw."""


def _where() -> dict[str, Any]:
    return {"service": os.environ.get("SERVICE_NAME"), "thread": threading.current_thread().name}


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The event it got, its service's environment and function name; plus a CORS header the gateway must drop."""
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "access-control-allow-origin": "https://evil.example"},
        "body": json.dumps({"event": event, **_where(), "function": context.function_name}),
    }


def boom(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("database password is hunter2")


def plain(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """No statusCode: API Gateway answers 200 with the result as JSON."""
    return {"hello": "world"}


def binary(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "statusCode": 201,
        "headers": {"content-type": "application/octet-stream", "x-count": 2},
        "multiValueHeaders": {"x-tag": ["a", "b"]},
        "cookies": ["session=abc; HttpOnly", "theme=dark"],
        "body": base64.b64encode(b"\x00\xffpng").decode(),
        "isBase64Encoded": True,
    }


def malformed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": "two hundred", "body": "?"}


def gate(event: dict[str, Any], context: Any) -> Any:
    """A Lambda authorizer whose decision is the token itself."""
    AUTHORIZER_CALLS.append(event)
    AUTHORIZER_RUNS.append(_where())
    token = event["headers"].get("authorization", "").removeprefix("Bearer ")
    match token:
        case "allow":
            return {"isAuthorized": True, "context": {"user_id": "u-1", "email": "u@example.com", "groups": "a,b"}}
        case "deny":
            return {"isAuthorized": False}
        case "crash":
            raise RuntimeError("the authorizer broke")
        case "garbage":
            return "yes"
    raise Exception("Unauthorized")


def created(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A write's answer: what it made, by id."""
    return {"statusCode": 201, "body": json.dumps({"id": "it-new", "owner_id": "u-1", "name": "x"})}
