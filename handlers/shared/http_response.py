"""A handler's payload 2.0 result written as an HTTP response, as API Gateway answers it: used by the local gateway
and the Users container alike.

:func:`integration_response` turns the result into an :class:`HttpResponse`, or raises
:class:`BadIntegrationResponse` where API Gateway would answer 500 too; :func:`send_response` writes it over ASGI.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from handlers.shared.asgi import Send


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
