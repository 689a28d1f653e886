"""The local gateway's HTTP edge: reading a request as API Gateway receives it, and writing a response as it answers.

A request gets the ``x-forwarded-*`` and trace headers API Gateway adds, and a body over :data:`MAX_BODY_BYTES` is
refused. A handler's payload 2.0 result becomes an :class:`HttpResponse` (:func:`integration_response`), or a
:class:`BadIntegrationResponse` where API Gateway would answer 500 too.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from handlers.shared.asgi import Receive, Scope, Send, read_body
from handlers.shared.http_event import HttpRequest

MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway HTTP APIs refuse larger payloads with a 413."""


class TooLarge(Exception):
    """The body is over :data:`MAX_BODY_BYTES`."""


def read_request(scope: Scope) -> HttpRequest:
    """The request of ``scope`` as the integration sees it, with the headers API Gateway adds (the client appended to
    ``x-forwarded-for``, ``x-forwarded-port`` and ``-proto``, and an ``x-amzn-trace-id`` unless one was sent)."""
    request = HttpRequest.from_scope(scope)
    headers = request.headers
    server = scope.get("server") or ("127.0.0.1", 80)
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    headers["x-forwarded-port"] = str(server[1])
    headers["x-forwarded-proto"] = str(scope.get("scheme", "http"))
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}")
    return request


async def read_request_body(request: HttpRequest, receive: Receive) -> bytes:
    """The body, or :class:`TooLarge` as soon as the declared or the received length is over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge
    body = await read_body(receive, MAX_BODY_BYTES)
    if body is None:
        raise TooLarge
    return body


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, data: Any) -> HttpResponse:
        return cls(status, [("content-type", "application/json")], json.dumps(data).encode())

    @classmethod
    def message(cls, status: int, message: str) -> HttpResponse:
        return cls.json(status, {"message": message})


class BadIntegrationResponse(ValueError):
    """The handler returned something API Gateway cannot turn into a response (a 500 in the cloud too)."""


def integration_response(result: Any) -> HttpResponse:
    """A handler's payload 2.0 response as HTTP. Without a ``statusCode``, API Gateway takes the whole result as a
    JSON body with status 200."""
    if not isinstance(result, dict) or "statusCode" not in result:
        try:
            return HttpResponse.json(200, result)
        except (TypeError, ValueError) as e:
            raise BadIntegrationResponse(f"the result is not JSON: {e}") from None
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise BadIntegrationResponse(f"statusCode {status!r} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name).lower(), _header_value(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            headers.append((str(name).lower(), _header_value(value)))
    headers += [("set-cookie", str(cookie)) for cookie in result.get("cookies") or []]
    return HttpResponse(status, headers, _response_body(result))


def _response_body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise BadIntegrationResponse(f"body must be a string, not {type(body).__name__}")
    if result.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error:
            raise BadIntegrationResponse("isBase64Encoded is set but the body is not base64") from None
    return body.encode("utf-8")


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def send_response(send: Send, response: HttpResponse, head_only: bool = False) -> None:
    """Send ``response`` with its ``content-length`` (and no body for ``HEAD``)."""
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in response.headers if n != "content-length"]
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head_only else response.body})
