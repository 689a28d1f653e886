"""The local gateway's HTTP edge: reading a request as API Gateway receives it.

A request gets the ``x-forwarded-*`` and trace headers API Gateway adds, and a body over :data:`MAX_BODY_BYTES` is
refused. Responses are written by ``handlers/shared/http_response.py``, which the Users container shares.
"""

from __future__ import annotations

import secrets
import time

from handlers.shared.asgi import Receive, Scope, read_body
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
