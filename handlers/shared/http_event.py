"""HTTP requests as API Gateway HTTP API events (payload format 2.0), the shape AWS sends to a route's integration.

One builder serves every place that turns HTTP into such an event: the local gateway, the Users container
(``handlers.shop.users.server``) and the tests. An :class:`HttpRequest` holds what API Gateway reads from the wire
(:meth:`HttpRequest.from_scope` takes it from an ASGI scope); :func:`http_api_event` renders it for a route, and
:func:`authorizer_event` for a Lambda authorizer (REQUEST type, simple responses).

As API Gateway does: header names are lower-cased and a repeated header's values comma-joined; cookies leave the
headers for their own list; a repeated query key's values are comma-joined; ``cookies``, ``queryStringParameters``,
``pathParameters`` and ``body`` are left out when empty; a body that is not UTF-8 is base64-encoded with
``isBase64Encoded``. ``rawPath`` and ``rawQueryString`` are as sent (still percent-encoded).

Standard library only, so it runs in a Lambda archive or a container holding just ``handlers/``.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["STAGE", "ApiContext", "HttpRequest", "authorizer_event", "http_api_event", "jwt_authorizer"]

STAGE = "$default"
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S +0000"


def new_request_id() -> str:
    """An id shaped like API Gateway's (``JKJaXmPLvHcESHA=``)."""
    return secrets.token_urlsafe(10)[:14] + "="


@dataclass(frozen=True)
class ApiContext:
    """The API's own identity, as ``requestContext`` and an authorizer's ``routeArn`` show it."""

    api_id: str
    account_id: str
    region: str
    domain: str | None = None
    """``requestContext.domainName`` for a request without ``Host`` (default: the API's execute-api domain)."""

    @property
    def default_domain(self) -> str:
        return self.domain or f"{self.api_id}.execute-api.{self.region}.amazonaws.com"


@dataclass
class HttpRequest:
    """What API Gateway reads from an HTTP request: ``headers`` with lower-case names, ``cookies`` apart from them,
    ``raw_path`` and ``raw_query`` as sent."""

    method: str
    raw_path: str
    raw_query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    body: bytes = b""
    request_id: str = field(default_factory=new_request_id)
    received: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def from_scope(cls, scope: Mapping[str, Any], body: bytes = b"") -> HttpRequest:
        """The request of an ASGI HTTP ``scope`` (the body is read separately, from ``receive``)."""
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for raw_name, raw_value in scope.get("headers", []):
            add_header(headers, cookies, raw_name.decode("latin-1"), raw_value.decode("latin-1"))
        client = scope.get("client") or ("127.0.0.1", 0)
        raw_path = scope.get("raw_path") or scope["path"].encode()
        return cls(
            method=str(scope["method"]).upper(),
            raw_path=raw_path.decode("latin-1").split("?", 1)[0],
            raw_query=bytes(scope.get("query_string", b"")).decode("latin-1"),
            headers=headers,
            cookies=cookies,
            source_ip=str(client[0]),
            protocol=f"HTTP/{scope.get('http_version', '1.1')}",
            body=body,
        )

    def query_parameters(self) -> dict[str, str]:
        """Decoded query parameters; a repeated key's values comma-joined, as payload 2.0 has them."""
        params: dict[str, str] = {}
        for key, value in parse_qsl(self.raw_query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        return params


def add_header(headers: MutableMapping[str, str], cookies: list[str], name: str, value: str) -> None:
    """Add one header line as API Gateway does: a lower-case name, a repeat comma-joined, ``Cookie`` split into
    ``cookies``."""
    name = name.lower()
    if name == "cookie":
        cookies += [c.strip() for c in value.split(";") if c.strip()]
    elif name in headers:
        headers[name] = f"{headers[name]},{value}"
    else:
        headers[name] = value


def request_context(request: HttpRequest, route_key: str, api: ApiContext) -> dict[str, Any]:
    domain = request.headers.get("host", api.default_domain)
    return {
        "accountId": api.account_id,
        "apiId": api.api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.headers.get("user-agent", ""),
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": STAGE,
        "time": request.received.strftime(TIME_FORMAT),
        "timeEpoch": int(request.received.timestamp() * 1000),
    }


def _common(
    request: HttpRequest, route_key: str, api: ApiContext, path_parameters: Mapping[str, str] | None
) -> dict[str, Any]:
    """The fields a route event and an authorizer event share; empty optional ones are left out."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if request.cookies:
        event["cookies"] = list(request.cookies)
    event["headers"] = dict(request.headers)
    query = request.query_parameters()
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = request_context(request, route_key, api)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    return event


def http_api_event(
    request: HttpRequest,
    route_key: str,
    api: ApiContext,
    *,
    path_parameters: Mapping[str, str] | None = None,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload 2.0 event for ``route_key``'s integration (``"POST /moves"``, or ``"$default"``).

    ``path_parameters`` are the decoded values of the route's ``{parameters}``; ``authorizer`` becomes
    ``requestContext.authorizer``: :func:`jwt_authorizer` for a JWT authorizer, ``{"lambda": context}`` for a Lambda
    authorizer, None for a public route.
    """
    event = _common(request, route_key, api, path_parameters)
    if authorizer is not None:
        event["requestContext"]["authorizer"] = dict(authorizer)
    encoded = False
    if request.body:
        try:
            event["body"] = request.body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            encoded = True
    event["isBase64Encoded"] = encoded
    return event


def jwt_authorizer(claims: Mapping[str, Any]) -> dict[str, Any]:
    """``requestContext.authorizer`` after a JWT authorizer: the claims as given (API Gateway renders every value as
    a string) and no scopes, as no route declares OAuth scopes."""
    return {"jwt": {"claims": dict(claims), "scopes": None}}


def authorizer_event(
    request: HttpRequest,
    route_key: str,
    api: ApiContext,
    *,
    path_parameters: Mapping[str, str] | None = None,
    identity: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The payload 2.0 REQUEST authorizer event; ``identitySource`` holds the values of the authorizer's identity
    sources (``identity``; default: the ``Authorization`` header)."""
    method, _, _ = route_key.partition(" ")
    event = _common(request, route_key, api, path_parameters)
    return {
        "version": event.pop("version"),
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{api.region}:{api.account_id}:{api.api_id}/{STAGE}/{method}"
        f"{request.raw_path}",
        "identitySource": list(identity) if identity is not None else [request.headers["authorization"]],
        **event,
    }


def _as_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, list | tuple):
        return "[" + " ".join(_as_string(v) for v in value) + "]"
    return json.dumps(value, separators=(",", ":"))


def claims_as_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's JWT authorizer hands them to the route: ``{"cognito:groups": ["a", "b"], "exp": 1}``
    becomes ``{"cognito:groups": "[a b]", "exp": "1"}``."""
    return {name: _as_string(value) for name, value in claims.items()}
