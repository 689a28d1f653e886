"""The local API gateway: routes from the declaration, the payload 2.0 events the cloud sends, both authorizers, errors
and CORS as an HTTP API answers them.

Most tests drive the ASGI app in process (httpx's ASGI transport); one runs it under uvicorn on 127.0.0.1. Routing and
events use small fake handlers (``tests.local.fake_handlers``) declared in a tiny system; the Lambda authorizer tests
run the moving company's real authorizer under its real declaration, with RS256 tokens minted here and a JWKS served
on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa

from architectures import SYSTEMS, moving, spec, wiring
from handlers.moving.authorizer import app as moving_authorizer
from handlers.shared import tokens
from handlers.shared.api import caller_of
from local.functions import ServiceFunctions
from local.gateway import MAX_BODY_BYTES, Gateway, JwtSettings, Request, authorizer_event, build_gateway
from tests.events import load
from tests.jwks import JwksServer, free_port
from tests.jwks import mint as sign
from tests.local import fake_handlers

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local"
CLIENT_ID = "localwebclient"
KID = "local-key-1"
ADMINS, STAFF = "admins", "staff"


# --- keys, tokens and a JWKS on 127.0.0.1 ----------------------------------------------------------------------------


@pytest.fixture
def jwks(signing_key: rsa.RSAPrivateKey) -> Iterator[JwksServer]:
    server = JwksServer.for_key(signing_key, KID)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def cold_start() -> Iterator[None]:
    """Each test starts like a fresh process: no cached keys, no cached authorizer settings."""

    def clear() -> None:
        moving_authorizer.settings.cache_clear()
        moving_authorizer.verifier.cache_clear()
        tokens.jwks_client.cache_clear()
        fake_handlers.AUTHORIZER_CALLS.clear()
        fake_handlers.AUTHORIZER_RUNS.clear()

    clear()
    yield
    clear()


def claims_for(groups: list[str], token_use: str = "id", **overrides: Any) -> dict[str, Any]:  # noqa: S107
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "iss": ISSUER,
        "token_use": token_use,
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "cognito:groups": groups,
    }
    if token_use == "id":
        claims.update({"aud": CLIENT_ID, "email": "ana@example.com", "email_verified": True})
    else:
        claims.update({"client_id": CLIENT_ID, "scope": "aws.cognito.signin.user.admin", "username": "ana"})
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def mint(key: rsa.RSAPrivateKey, claims: dict[str, Any], kid: str = KID) -> str:
    return sign(key, claims, kid)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- the systems under test ------------------------------------------------------------------------------------------


def fake_resolver(system: spec.System, service: spec.Service, handler: str) -> str:
    """``fake.echo`` → ``tests.local.fake_handlers.echo``; anything else as both runtimes resolve it."""
    if handler.startswith("fake."):
        return f"tests.local.fake_handlers.{handler.removeprefix('fake.')}"
    return spec.handler_module(system, service, handler)


TINY = spec.System(
    name="tiny",
    title="A tiny system for the gateway's tests",
    groups=(spec.Group(name=ADMINS, precedence=0), spec.Group(name=STAFF, precedence=1)),
    authorizer=spec.JwtAuthorizer(),
    services=(
        spec.Service(
            name="items",
            api_handler="fake.echo",
            routes=(
                spec.Route(method="GET", path="/items", public=True),
                spec.Route(method="POST", path="/items", groups=(ADMINS,)),
                spec.Route(method="GET", path="/items/{id}"),
                spec.Route(method="GET", path="/items/special", public=True),
                spec.Route(method="PUT", path="/items/{id}/parts/{part}", public=True),
            ),
        ),
        spec.Service(name="broken", api_handler="fake.boom", routes=(spec.Route(method="GET", path="/broken"),)),
        spec.Service(
            name="shapes",
            api_handler="fake.plain",
            routes=(spec.Route(method="GET", path="/plain", public=True),),
        ),
        spec.Service(name="files", api_handler="fake.binary", routes=(spec.Route(method="GET", path="/file"),)),
        spec.Service(name="odd", api_handler="fake.malformed", routes=(spec.Route(method="GET", path="/odd"),)),
        spec.Service(name="later", routes=(spec.Route(method="GET", path="/later", public=True),)),  # no code yet
    ),
)

GATED = spec.System(
    name="gated",
    title="A system behind a fake Lambda authorizer",
    groups=(spec.Group(name=STAFF, precedence=0),),
    authorizer=spec.LambdaAuthorizer(service="gate", handler="fake.gate", cache_ttl_seconds=300),
    services=(
        spec.Service(name="gate"),
        spec.Service(
            name="things",
            api_handler="fake.echo",
            routes=(spec.Route(method="GET", path="/things"), spec.Route(method="GET", path="/things/{id}")),
        ),
    ),
)


def functions_for(system: spec.System, **environments: dict[str, str]) -> dict[str, ServiceFunctions]:
    return {
        s.name: ServiceFunctions(f"{system.name}-{s.name}", {"SERVICE_NAME": s.name, **environments.get(s.name, {})})
        for s in system.services
    }


@pytest.fixture
def tiny(jwks: JwksServer) -> Gateway:
    return build_gateway(
        TINY,
        functions_for(TINY),
        jwt=JwtSettings(jwks_url=jwks.url, issuer=ISSUER, client_ids=(CLIENT_ID, "anotherclient")),
        handler_resolver=fake_resolver,
    )


@pytest.fixture
def moving_gateway(jwks: JwksServer) -> Gateway:
    """The moving company's declaration with its real authorizer; every route's handler echoes its event."""
    system = moving.SYSTEM

    def lookup(kind: wiring.ResourceKind, name: str) -> str:
        return {"jwks_url": jwks.url, "issuer": ISSUER, "user_pool_client": CLIENT_ID}.get(kind, f"{kind}-{name}")

    functions = functions_for(system)
    authorizer = system.service("authorizer")
    environment = wiring.service_environment(system, authorizer, "test", lookup)
    functions["authorizer"] = ServiceFunctions("moving-authorizer", environment)

    def resolver(system: spec.System, service: spec.Service, handler: str) -> str:
        return (
            "tests.local.fake_handlers.echo"
            if handler == service.api_handler
            else fake_resolver(system, service, handler)
        )

    return build_gateway(system, functions, handler_resolver=resolver)


def call(app: Gateway, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.local:8701") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def echoed(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    event: dict[str, Any] = response.json()["event"]
    return event


# --- routing and the event -----------------------------------------------------------------------------------------


def test_the_event_has_the_shape_of_the_cloud_s(tiny: Gateway, signing_key: rsa.RSAPrivateKey) -> None:
    canonical = load("apigw_http_request.json")
    response = call(
        tiny,
        "POST",
        "/items",
        content=b'{"name": "box"}',
        headers={
            **bearer(mint(signing_key, claims_for([ADMINS]))),
            "Content-Type": "application/json",
            "User-Agent": "t/1",
        },
    )
    event = echoed(response)
    assert response.json()["service"] == "items" and response.json()["function"] == "tiny-items-fake_handlers"
    # Every field the cloud sends is there with the same type; nothing the cloud does not send is added.
    expected = set(canonical) - {"cookies", "pathParameters"}  # left out when empty, as API Gateway does
    assert set(event) == expected
    for name in expected:
        assert type(event[name]) is type(canonical[name]), name
    context, cloud_context = event["requestContext"], canonical["requestContext"]
    assert set(context) == set(cloud_context)
    assert set(context["http"]) == set(cloud_context["http"])
    assert set(context["authorizer"]["jwt"]) == {"claims", "scopes"}
    for name in cloud_context:
        assert type(context[name]) is type(cloud_context[name]), name
    assert event["version"] == "2.0"
    assert event["routeKey"] == context["routeKey"] == "POST /items"
    assert event["rawPath"] == context["http"]["path"] == "/items"
    assert event["rawQueryString"] == ""
    assert event["body"] == '{"name": "box"}' and event["isBase64Encoded"] is False
    assert context["http"] == {
        "method": "POST",
        "path": "/items",
        "protocol": "HTTP/1.1",
        "sourceIp": "203.0.113.10",
        "userAgent": "t/1",
    }
    assert context["stage"] == "$default" and context["apiId"] == "tiny" and context["accountId"] == "123456789012"
    assert context["domainName"] == "api.local:8701" and context["domainPrefix"] == "api"
    assert abs(context["timeEpoch"] / 1000 - time.time()) < 60
    assert time.strftime("%d/%b/%Y", time.gmtime(context["timeEpoch"] / 1000)) in context["time"]
    assert context["time"].endswith(" +0000")
    assert response.headers["apigw-requestid"] == context["requestId"]
    headers = event["headers"]
    assert headers["content-type"] == "application/json" and headers["user-agent"] == "t/1"
    assert headers["x-forwarded-for"] == "203.0.113.10" and headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == "8701" and headers["x-amzn-trace-id"].startswith("Root=1-")
    assert all(name == name.lower() for name in headers)


def test_path_parameters_query_headers_and_cookies(tiny: Gateway) -> None:
    event = echoed(
        call(
            tiny,
            "PUT",
            "/items/a%20b/parts/x-1?tag=a&tag=b&empty=&q=caf%C3%A9",
            headers=[("X-Multi", "one"), ("x-multi", "two"), ("Cookie", "session=abc; theme=dark")],
        )
    )
    assert event["routeKey"] == "PUT /items/{id}/parts/{part}"
    assert event["pathParameters"] == {"id": "a b", "part": "x-1"}
    assert event["rawPath"] == "/items/a%20b/parts/x-1"
    assert event["rawQueryString"] == "tag=a&tag=b&empty=&q=caf%C3%A9"
    assert event["queryStringParameters"] == {"tag": "a,b", "empty": "", "q": "café"}
    assert event["headers"]["x-multi"] == "one,two"
    assert event["cookies"] == ["session=abc", "theme=dark"] and "cookie" not in event["headers"]
    assert "body" not in event and event["isBase64Encoded"] is False
    assert "authorizer" not in event["requestContext"]  # a public route


def test_an_exact_segment_beats_a_parameter(tiny: Gateway, signing_key: rsa.RSAPrivateKey) -> None:
    assert echoed(call(tiny, "GET", "/items/special"))["routeKey"] == "GET /items/special"
    event = echoed(call(tiny, "GET", "/items/42", headers=bearer(mint(signing_key, claims_for([])))))
    assert event["routeKey"] == "GET /items/{id}" and event["pathParameters"] == {"id": "42"}


def test_a_body_that_is_not_utf8_is_base64(tiny: Gateway) -> None:
    event = echoed(call(tiny, "PUT", "/items/1/parts/2", content=b"\x89PNG\xff\x00"))
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG\xff\x00"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("DELETE", "/items"), ("GET", "/items/"), ("GET", "/items/1/parts"), ("OPTIONS", "/items")],
)
def test_no_route_is_a_404(tiny: Gateway, method: str, path: str) -> None:
    response = call(tiny, method, path)
    assert response.status_code == 404 and response.json() == {"message": "Not Found"}


def test_health(tiny: Gateway) -> None:
    response = call(tiny, "GET", "/health")
    assert response.status_code == 200 and response.json() == {"status": "ok", "system": "tiny"}


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_every_declared_route_and_only_those_are_served(system: str) -> None:
    declared = SYSTEMS[system]
    gateway = build_gateway(
        declared,
        functions_for(declared),
        jwt=JwtSettings(jwks_url="http://127.0.0.1:9/jwks.json", issuer=ISSUER, client_ids=("c",)),
    )
    assert sorted(e.key for e in gateway.router.entries) == sorted(r.key for _, r in declared.routes)
    for _, route in declared.routes:
        path = route.path.replace("{", "").replace("}", "-1")
        matched = gateway.router.match(route.method, path)
        assert matched is not None and matched[0].key == route.key, route.key


# --- responses and errors ------------------------------------------------------------------------------------------


def test_a_result_without_status_code_is_a_200_json(tiny: Gateway) -> None:
    response = call(tiny, "GET", "/plain")
    assert response.status_code == 200 and response.json() == {"hello": "world"}
    assert response.headers["content-type"] == "application/json"


def test_status_headers_cookies_and_a_base64_body(tiny: Gateway, signing_key: rsa.RSAPrivateKey) -> None:
    response = call(tiny, "GET", "/file", headers=bearer(mint(signing_key, claims_for([]))))
    assert response.status_code == 201
    assert response.content == b"\x00\xffpng"
    assert response.headers["content-type"] == "application/octet-stream" and response.headers["x-count"] == "2"
    assert response.headers.get_list("x-tag") == ["a", "b"]
    assert response.headers.get_list("set-cookie") == ["session=abc; HttpOnly", "theme=dark"]


def test_a_handler_that_raises_is_a_500_without_internals(
    tiny: Gateway, signing_key: rsa.RSAPrivateKey, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="local.gateway"):
        response = call(tiny, "GET", "/broken", headers=bearer(mint(signing_key, claims_for([]))))
    assert response.status_code == 500 and response.json() == {"message": "Internal Server Error"}
    assert "hunter2" not in response.text and "Traceback" not in response.text
    [record] = [r for r in caplog.records if r.name == "local.gateway"]
    assert "GET /broken" in record.getMessage() and record.exc_info is not None


def test_a_malformed_response_is_a_500(tiny: Gateway, signing_key: rsa.RSAPrivateKey) -> None:
    response = call(tiny, "GET", "/odd", headers=bearer(mint(signing_key, claims_for([]))))
    assert response.status_code == 500 and response.json() == {"message": "Internal Server Error"}


def test_a_declared_route_without_its_handler_module_is_a_501(tiny: Gateway) -> None:
    response = call(tiny, "GET", "/later")
    assert response.status_code == 501
    assert response.json() == {"message": "GET /later is declared but its handler is not implemented yet"}


def test_a_body_over_10_mb_is_a_413(tiny: Gateway) -> None:
    response = call(tiny, "PUT", "/items/1/parts/2", content=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no content-length: counted as it arrives
        for _ in range(11):
            yield b"x" * (1024 * 1024)

    assert call(tiny, "PUT", "/items/1/parts/2", content=chunks()).status_code == 413
    assert echoed(call(tiny, "PUT", "/items/1/parts/2", content=b"x" * MAX_BODY_BYTES))["body"] == "x" * MAX_BODY_BYTES


# --- the JWT authorizer ----------------------------------------------------------------------------------------------


def test_a_valid_id_token_reaches_the_route_with_its_claims(
    tiny: Gateway, jwks: JwksServer, signing_key: rsa.RSAPrivateKey
) -> None:
    claims = claims_for([ADMINS, STAFF])
    event = echoed(call(tiny, "POST", "/items", json={}, headers=bearer(mint(signing_key, claims))))
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["jwt"]["scopes"] is None
    seen = authorizer["jwt"]["claims"]
    assert seen["cognito:groups"] == "[admins staff]"  # as API Gateway renders a list claim
    assert seen["sub"] == claims["sub"] and seen["aud"] == CLIENT_ID and seen["iss"] == ISSUER
    assert seen["exp"] == str(claims["exp"]) and seen["email_verified"] == "true"
    assert all(isinstance(v, str) for v in seen.values())
    caller = caller_of(event)  # the handlers read it back
    assert caller.user_id == claims["sub"] and caller.groups == {ADMINS, STAFF}
    call(tiny, "GET", "/items/1", headers=bearer(mint(signing_key, claims_for([]))))
    assert jwks.requests == 1  # keys fetched once, then cached


def test_an_access_token_is_checked_on_client_id(tiny: Gateway, signing_key: rsa.RSAPrivateKey) -> None:
    event = echoed(call(tiny, "GET", "/items/1", headers=bearer(mint(signing_key, claims_for([STAFF], "access")))))
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["client_id"] == CLIENT_ID
    other = mint(signing_key, claims_for([STAFF], "access", client_id="someoneelse"))
    assert call(tiny, "GET", "/items/1", headers=bearer(other)).status_code == 401
    bare = mint(signing_key, claims_for([]))
    assert call(tiny, "GET", "/items/1", headers={"Authorization": bare}).status_code == 200  # no "Bearer" is fine


@pytest.mark.parametrize(
    "case",
    ["missing", "empty", "garbage", "expired", "wrong issuer", "wrong audience", "other key", "unknown kid", "none"],
)
def test_bad_tokens_are_a_401(
    tiny: Gateway, signing_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey, case: str
) -> None:
    past = int(time.time()) - 3600
    headers = {
        "missing": {},
        "empty": {"Authorization": ""},
        "garbage": bearer("not.a.jwt"),
        "expired": bearer(mint(signing_key, claims_for([ADMINS], exp=past, iat=past - 60))),
        "wrong issuer": bearer(mint(signing_key, claims_for([ADMINS], iss="https://elsewhere.example/pool"))),
        "wrong audience": bearer(mint(signing_key, claims_for([ADMINS], aud="someoneelse"))),
        "other key": bearer(mint(other_key, claims_for([ADMINS]))),
        "unknown kid": bearer(mint(signing_key, claims_for([ADMINS]), kid="nope")),
        "none": bearer(jwt.encode(claims_for([ADMINS]), key="", algorithm="none")),
    }[case]
    response = call(tiny, "POST", "/items", json={}, headers=headers)
    assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}


def test_an_unreachable_jwks_is_a_401_and_a_log_line(caplog: pytest.LogCaptureFixture, signing_key: Any) -> None:
    port = free_port()
    gateway = build_gateway(
        TINY,
        functions_for(TINY),
        handler_resolver=fake_resolver,
        jwt=JwtSettings(f"http://127.0.0.1:{port}/jwks.json", ISSUER, (CLIENT_ID,)),
    )
    with caplog.at_level(logging.ERROR, logger="local.gateway"):
        response = call(gateway, "GET", "/items/1", headers=bearer(mint(signing_key, claims_for([]))))
    assert response.status_code == 401
    assert any("JWKS" in r.getMessage() for r in caplog.records)


def test_public_routes_need_no_token(tiny: Gateway) -> None:
    assert "authorizer" not in echoed(call(tiny, "GET", "/items"))["requestContext"]
    assert echoed(call(tiny, "GET", "/items", headers=bearer("not.a.jwt")))["routeKey"] == "GET /items"


# --- the Lambda authorizer -------------------------------------------------------------------------------------------


def test_the_real_moving_authorizer_lets_a_customer_in(moving_gateway: Gateway, signing_key: rsa.RSAPrivateKey) -> None:
    claims = claims_for([moving.CUSTOMERS])
    response = call(moving_gateway, "GET", "/moves/m-1", headers=bearer(mint(signing_key, claims)))
    event = echoed(response)
    assert response.json()["service"] == "moves"
    assert event["routeKey"] == "GET /moves/{id}" and event["pathParameters"] == {"id": "m-1"}
    assert event["requestContext"]["authorizer"] == {
        "lambda": {"user_id": claims["sub"], "email": "ana@example.com", "groups": moving.CUSTOMERS}
    }
    caller = caller_of(event)
    assert caller.user_id == claims["sub"] and caller.groups == {moving.CUSTOMERS}


def test_the_real_moving_authorizer_forbids_and_refuses(
    moving_gateway: Gateway, signing_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    customer = bearer(mint(signing_key, claims_for([moving.CUSTOMERS])))
    response = call(moving_gateway, "POST", "/trucks", json={}, headers=customer)  # employees only
    assert response.status_code == 403 and response.json() == {"message": "Forbidden"}
    employee = bearer(mint(signing_key, claims_for([moving.EMPLOYEES])))
    assert echoed(call(moving_gateway, "POST", "/trucks", json={}, headers=employee))["routeKey"] == "POST /trucks"
    for headers in ({}, bearer("garbage"), bearer(mint(other_key, claims_for([moving.CUSTOMERS])))):
        response = call(moving_gateway, "GET", "/moves", headers=headers)
        assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}


def test_the_authorizer_event_has_the_shape_of_the_cloud_s(jwks: JwksServer) -> None:
    canonical = load("apigw_http_authorizer_request.json")
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/moves/m-1",
        "raw_path": b"/moves/m-1",
        "query_string": b"page=2",
        "headers": [(b"host", b"127.0.0.1:8701"), (b"authorization", b"Bearer t")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8701),
        "scheme": "http",
        "http_version": "1.1",
    }
    gateway = build_gateway(moving.SYSTEM, functions_for(moving.SYSTEM), api_id="abc123")
    event = authorizer_event(Request.from_scope(scope), "GET /moves/{id}", gateway.api, path_parameters={"id": "m-1"})
    assert set(event) == set(canonical) - {"cookies", "stageVariables"}  # left out when empty, as in the cloud
    for name in event:
        assert type(event[name]) is type(canonical[name]), name
    assert set(event["requestContext"]) == set(canonical["requestContext"])
    assert event["type"] == "REQUEST" and event["identitySource"] == ["Bearer t"]
    assert event["routeArn"] == "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/moves/m-1"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "GET /moves/{id}"
    assert event["queryStringParameters"] == {"page": "2"} and event["pathParameters"] == {"id": "m-1"}


def test_lambda_authorizer_outcomes_and_its_cache() -> None:
    gateway = build_gateway(GATED, functions_for(GATED), handler_resolver=fake_resolver)
    allowed = echoed(call(gateway, "GET", "/things", headers=bearer("allow")))
    assert allowed["requestContext"]["authorizer"]["lambda"] == {
        "user_id": "u-1",
        "email": "u@example.com",
        "groups": "a,b",
    }
    [seen] = fake_handlers.AUTHORIZER_CALLS
    assert (
        seen["type"] == "REQUEST"
        and seen["routeKey"] == "GET /things"
        and seen["identitySource"] == ["Bearer allow", "GET /things"]  # the declared default sources' values
    )
    assert call(gateway, "GET", "/things", headers=bearer("allow")).status_code == 200
    assert len(fake_handlers.AUTHORIZER_CALLS) == 1  # cached by the identity sources for cache_ttl_seconds
    assert call(gateway, "GET", "/things/7", headers=bearer("allow")).status_code == 200
    assert call(gateway, "GET", "/things/8", headers=bearer("allow")).status_code == 200
    # Another route is another key (its groups may differ); another id on the same route is not.
    assert [c["routeKey"] for c in fake_handlers.AUTHORIZER_CALLS] == ["GET /things", "GET /things/{id}"]
    expected = {
        "deny": (403, "Forbidden"),
        "nobody": (401, "Unauthorized"),
        "crash": (500, "Internal Server Error"),
        "garbage": (500, "Internal Server Error"),
    }
    for token, (status, message) in expected.items():
        response = call(gateway, "GET", "/things", headers=bearer(token))
        assert (response.status_code, response.json()) == (status, {"message": message}), token
        assert "broke" not in response.text
    calls = len(fake_handlers.AUTHORIZER_CALLS)
    assert call(gateway, "GET", "/things").status_code == 401
    assert len(fake_handlers.AUTHORIZER_CALLS) == calls  # no identity source: refused without calling it


def test_authorizer_and_handler_run_in_the_gateway_s_worker_each_in_its_own_environment() -> None:
    gateway = build_gateway(GATED, functions_for(GATED), handler_resolver=fake_resolver)
    first = call(gateway, "GET", "/things", headers=bearer("allow")).json()
    second = call(gateway, "GET", "/things", headers=bearer("allow")).json()  # authorized from the cache
    [authorized] = fake_handlers.AUTHORIZER_RUNS
    assert authorized["service"] == "gate" and first["service"] == second["service"] == "things"
    assert authorized["thread"] == first["thread"] == second["thread"]
    assert authorized["thread"].startswith("gated-functions")  # not the event loop's thread, nor a pool's
    assert "SERVICE_NAME" not in os.environ  # each environment is in place only while its function runs


# --- CORS ------------------------------------------------------------------------------------------------------------


def test_preflight_is_answered_by_the_gateway(tiny: Gateway) -> None:
    response = call(
        tiny, "OPTIONS", "/items/1", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 204 and response.content == b""
    assert response.headers["access-control-allow-origin"] == "*"
    assert set(response.headers["access-control-allow-methods"].split(",")) >= {"GET", "POST", "PUT", "DELETE"}
    assert response.headers["access-control-allow-headers"] == "authorization,content-type,idempotency-key"
    assert response.headers["access-control-max-age"] == "600"


def test_cors_headers_on_responses(jwks: JwksServer) -> None:
    gateway = build_gateway(
        TINY,
        functions_for(TINY),
        handler_resolver=fake_resolver,
        jwt=JwtSettings(jwks.url, ISSUER, (CLIENT_ID,)),
        cors_origins=("https://app.example",),
    )
    site = {"Origin": "https://app.example"}
    response = call(gateway, "GET", "/items", headers=site)
    assert response.headers["access-control-allow-origin"] == "https://app.example"  # not the handler's own
    assert call(gateway, "POST", "/items", headers=site).headers["access-control-allow-origin"] == "https://app.example"
    other = call(gateway, "GET", "/items", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = call(
        gateway,
        "OPTIONS",
        "/items",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204 and "access-control-allow-methods" not in preflight.headers
    assert "access-control-allow-origin" not in call(gateway, "GET", "/items").headers  # no Origin, no CORS


def test_the_cors_settings_are_the_cloud_s() -> None:
    from aws_systems import defaults, http_api
    from local import gateway

    assert gateway.CORS_METHODS == http_api.CORS_METHODS
    assert gateway.CORS_HEADERS == http_api.DEFAULT_CORS_HEADERS
    assert gateway.CORS_MAX_AGE_SECONDS == defaults.API_CORS_MAX_AGE_SECONDS


# --- construction ----------------------------------------------------------------------------------------------------


def test_build_refuses_what_cannot_work(jwks: JwksServer) -> None:
    settings = JwtSettings(jwks.url, ISSUER, (CLIENT_ID,))
    with pytest.raises(ValueError, match="no ServiceFunctions for service.*broken"):
        build_gateway(TINY, {k: v for k, v in functions_for(TINY).items() if k != "broken"}, jwt=settings)
    with pytest.raises(ValueError, match="jwt: tiny declares a JWT authorizer"):
        build_gateway(TINY, functions_for(TINY))
    with pytest.raises(ValueError, match="client_ids"):
        JwtSettings(jwks.url, ISSUER, ())


# --- over real HTTP --------------------------------------------------------------------------------------------------


def test_over_real_http_with_uvicorn(tiny: Gateway, signing_key: rsa.RSAPrivateKey) -> None:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(tiny, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert client.get("/health").json() == {"status": "ok", "system": "tiny"}
            event = client.post("/items?x=1", json={"a": 1}, headers=bearer(mint(signing_key, claims_for([])))).json()
            assert event["event"]["routeKey"] == "POST /items" and json.loads(event["event"]["body"]) == {"a": 1}
            assert event["event"]["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
            assert event["event"]["headers"]["x-forwarded-port"] == str(port)
            assert client.get("/items/1").status_code == 401
            assert client.get("/nope").status_code == 404
            assert client.post("/items/1/parts/2", content=b"x").status_code == 404
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_lambda_authorizer_s_identity_sources_must_all_be_present() -> None:
    by_header = GATED.model_copy(
        update={
            "authorizer": spec.LambdaAuthorizer(
                service="gate",
                handler="fake.gate",
                cache_ttl_seconds=0,
                identity_sources=("$request.header.Authorization", "$request.querystring.tenant"),
            )
        }  # fmt: skip
    )
    gateway = build_gateway(by_header, functions_for(by_header), handler_resolver=fake_resolver)
    fake_handlers.AUTHORIZER_CALLS.clear()
    assert call(gateway, "GET", "/things", headers=bearer("allow")).status_code == 401
    assert fake_handlers.AUTHORIZER_CALLS == []  # refused by the gateway, as API Gateway does
    assert call(gateway, "GET", "/things?tenant=t1", headers=bearer("allow")).status_code == 200
    assert [c["identitySource"] for c in fake_handlers.AUTHORIZER_CALLS] == [["Bearer allow", "t1"]]
