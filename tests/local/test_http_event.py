"""The one builder of API Gateway HTTP API events (payload 2.0), ``handlers.shared.http_event``, that the local gateway,
the Users container and ``tests.events.http_request`` share; and the shared ASGI lifespan helper."""

from __future__ import annotations

import asyncio
import base64
import copy
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from handlers.shared.asgi import Message, lifespan
from handlers.shared.http_event import (
    ApiContext,
    HttpRequest,
    add_header,
    authorizer_event,
    http_api_event,
    jwt_authorizer,
)
from tests.events import http_request, load

API = ApiContext("abc123", "123456789012", "us-east-1")
SCOPE: dict[str, Any] = {
    "type": "http",
    "method": "put",
    "path": "/items/a b",
    "raw_path": b"/items/a%20b",
    "query_string": b"tag=a&tag=b&empty=&q=caf%C3%A9",
    "headers": [
        (b"Host", b"api.local:8701"),
        (b"X-Multi", b"one"),
        (b"x-multi", b"two"),
        (b"Cookie", b"session=abc; theme=dark"),
        (b"User-Agent", b"t/1"),
    ],  # fmt: skip
    "client": ("203.0.113.10", 50000),
    "http_version": "2",
}


def canonical_request(body: bytes = b"{}") -> tuple[HttpRequest, dict[str, Any]]:
    """The request behind ``apigw_http_request.json``, and that payload."""
    event = load("apigw_http_request.json")
    context = event["requestContext"]
    request = HttpRequest(
        method="POST",
        raw_path="/moves",
        headers=dict(event["headers"]),
        source_ip=context["http"]["sourceIp"],
        body=body,
        request_id=context["requestId"],
        received=datetime(2026, 3, 10, 10, 0, 0, tzinfo=UTC),
    )
    return request, event


def without_empty(event: dict[str, Any]) -> dict[str, Any]:
    """API Gateway leaves ``cookies`` and ``pathParameters`` out when there are none."""
    return {k: v for k, v in event.items() if not (k in ("cookies", "pathParameters") and not v)}


def test_the_canonical_request_gives_the_canonical_event() -> None:
    request, expected = canonical_request()
    claims = expected["requestContext"]["authorizer"]["jwt"]["claims"]
    event = http_api_event(request, "POST /moves", API, authorizer=jwt_authorizer(claims))
    assert event == without_empty(expected)


def test_an_asgi_request_reads_as_api_gateway_reads_it() -> None:
    request = HttpRequest.from_scope(SCOPE, b"x")
    assert (request.method, request.raw_path, request.raw_query) == (
        "PUT",
        "/items/a%20b",
        SCOPE["query_string"].decode(),
    )
    assert request.headers == {"host": "api.local:8701", "x-multi": "one,two", "user-agent": "t/1"}
    assert request.cookies == ["session=abc", "theme=dark"]
    assert (request.source_ip, request.protocol, request.body) == ("203.0.113.10", "HTTP/2", b"x")
    assert request.query_parameters() == {"tag": "a,b", "empty": "", "q": "café"}
    assert len(request.request_id) == 15 and request.request_id.endswith("=")


def test_the_route_event() -> None:
    request = HttpRequest.from_scope(SCOPE, b'{"name": "box"}')
    event = http_api_event(request, "PUT /items/{id}", API, path_parameters={"id": "a b"})
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "PUT /items/{id}"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/items/a%20b"
    assert event["rawQueryString"] == "tag=a&tag=b&empty=&q=caf%C3%A9"
    assert event["queryStringParameters"] == {"tag": "a,b", "empty": "", "q": "café"}
    assert event["cookies"] == ["session=abc", "theme=dark"] and "cookie" not in event["headers"]
    assert event["pathParameters"] == {"id": "a b"}
    assert (event["body"], event["isBase64Encoded"]) == ('{"name": "box"}', False)
    context = event["requestContext"]
    assert (context["accountId"], context["apiId"], context["stage"]) == ("123456789012", "abc123", "$default")
    assert (context["domainName"], context["domainPrefix"]) == ("api.local:8701", "api")
    assert context["http"] == {"method": "PUT", "path": "/items/a%20b", "protocol": "HTTP/2",
                               "sourceIp": "203.0.113.10", "userAgent": "t/1"}  # fmt: skip
    assert context["requestId"] == request.request_id and "authorizer" not in context


def test_empty_parts_are_left_out_and_the_time_is_the_request_s() -> None:
    received = datetime(2026, 11, 22, 8, 5, 9, 123000, tzinfo=UTC)
    request = HttpRequest("GET", "/health", received=received)
    event = http_api_event(request, "$default", API)
    assert set(event) == {"version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext",
                          "isBase64Encoded"}  # fmt: skip
    assert event["headers"] == {} and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert (context["time"], context["timeEpoch"]) == ("22/Nov/2026:08:05:09 +0000", 1795334709123)
    assert context["domainName"] == "abc123.execute-api.us-east-1.amazonaws.com" and context["domainPrefix"] == "abc123"
    assert (
        http_api_event(request, "$default", ApiContext("u", "-", "-", domain="localhost"))["requestContext"][
            "domainName"
        ]
        == "localhost"
    )


def test_a_body_that_is_not_utf8_is_base64() -> None:
    event = http_api_event(HttpRequest("PUT", "/f", body=b"\x89PNG\xff\x00"), "PUT /f", API)
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x89PNG\xff\x00"


def test_the_authorizer_context() -> None:
    request = HttpRequest("GET", "/me")
    jwt = http_api_event(request, "GET /me", API, authorizer=jwt_authorizer({"sub": "u", "cognito:groups": "[a b]"}))
    assert jwt["requestContext"]["authorizer"] == {"jwt": {"claims": {"sub": "u", "cognito:groups": "[a b]"},
                                                           "scopes": None}}  # fmt: skip
    lam = http_api_event(request, "GET /me", API, authorizer={"lambda": {"sub": "u"}})
    assert lam["requestContext"]["authorizer"] == {"lambda": {"sub": "u"}}


def test_the_authorizer_event() -> None:
    request, canonical = canonical_request(b"")
    request.method, request.raw_path, request.raw_query = "GET", "/moves/m-1", "page=2"
    event = authorizer_event(request, "GET /moves/{id}", API, path_parameters={"id": "m-1"})
    expected = load("apigw_http_authorizer_request.json")
    assert set(event) == set(expected) - {"cookies", "stageVariables"}
    assert (event["version"], event["type"]) == ("2.0", "REQUEST")
    assert event["routeArn"] == "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/moves/m-1"
    assert event["identitySource"] == [canonical["headers"]["authorization"]]
    assert event["queryStringParameters"] == {"page": "2"} and event["pathParameters"] == {"id": "m-1"}
    assert event["requestContext"]["routeKey"] == "GET /moves/{id}"


def test_add_header() -> None:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in [("Accept", "a"), ("ACCEPT", "b"), ("Cookie", "x=1;y=2"), ("cookie", " z=3 ")]:
        add_header(headers, cookies, name, value)
    assert (headers, cookies) == ({"accept": "a,b"}, ["x=1", "y=2", "z=3"])


def test_the_tests_builder_is_the_canonical_payload() -> None:
    canonical = load("apigw_http_request.json")
    claims = canonical["requestContext"]["authorizer"]["jwt"]["claims"]
    assert http_request("POST /moves", body={}, claims=claims) == without_empty(canonical)


def test_the_tests_builder_s_arguments() -> None:
    event = http_request("GET /moves/{id}", path="/moves/m 1", query={"cursor": "a+b/c,d", "limit": "2"},
                         path_parameters={"id": "m 1"}, lambda_context={"sub": "u"},
                         headers={"Authorization": "Bearer other", "Idempotency-Key": "k"})  # fmt: skip
    assert event["rawPath"] == "/moves/m 1" and event["pathParameters"] == {"id": "m 1"}
    assert event["queryStringParameters"] == {"cursor": "a+b/c,d", "limit": "2"}
    assert event["rawQueryString"] == "cursor=a%2Bb%2Fc%2Cd&limit=2"
    assert event["headers"]["authorization"] == "Bearer other" and event["headers"]["idempotency-key"] == "k"
    assert event["requestContext"]["authorizer"] == {"lambda": {"sub": "u"}}
    anonymous = http_request("POST /things", body="raw text")
    assert "authorizer" not in anonymous["requestContext"] and anonymous["body"] == "raw text"


def test_the_builder_needs_only_the_standard_library() -> None:
    """It runs inside a Lambda archive or the Users container, where only ``handlers/`` is present."""
    code = (
        "import sys; import handlers.shared.http_event; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('local', 'tests', 'moto', 'boto3', 'pydantic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "[]"


def test_lifespan_completes_startup_and_shutdown() -> None:
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[Message] = []

    async def receive() -> Message:
        return copy.copy(incoming.pop(0))

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(lifespan(receive, send))
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
