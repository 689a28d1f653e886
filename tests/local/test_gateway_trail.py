"""The gateway records each request in the runtime's trail: the route, the caller, the status, the time, the ids it
concerned, under the request id that every event it causes carries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from architectures import spec
from local.gateway import Gateway, JwtSettings, build_gateway
from local.gateway_trail import caller_name
from local.trail import Trail
from tests.jwks import JwksServer
from tests.local.test_gateway import (
    ADMINS,
    CLIENT_ID,
    ISSUER,
    KID,
    TINY,
    bearer,
    call,
    claims_for,
    fake_resolver,
    functions_for,
    mint,
)


@pytest.fixture
def trail() -> Trail:
    return Trail()


@pytest.fixture
def traced(signing_key: rsa.RSAPrivateKey, trail: Trail) -> Iterator[Gateway]:
    server = JwksServer.for_key(signing_key, KID)
    yield build_gateway(TINY, functions_for(TINY), jwt=JwtSettings(jwks_url=server.url, issuer=ISSUER,
                        client_ids=(CLIENT_ID,)), handler_resolver=fake_resolver, trail=trail)  # fmt: skip
    server.stop()


def test_a_request_is_recorded_with_its_route_caller_status_and_request_id(traced, trail, signing_key):
    response = call(traced, "GET", "/items/it-42", headers=bearer(mint(signing_key, claims_for([ADMINS]))))
    [entry] = trail.entries()
    assert entry.kind == "request" and entry.system == "tiny"
    assert entry.correlation_id == response.headers["apigw-requestid"]
    assert entry.details["route"] == "GET /items/{id}" and entry.details["status"] == 200
    assert entry.details["caller"] == "ana@example.com" and entry.entities == ("it-42",)
    assert entry.summary.startswith("GET /items/it-42 → 200 in ") and entry.summary.endswith(" · ana@example.com")


def test_refused_and_unknown_requests_are_recorded_too(traced, trail):
    call(traced, "GET", "/items/it-42")
    call(traced, "GET", "/nowhere")
    assert [(e.details["status"], e.details["route"], e.details["caller"]) for e in trail.entries()] == [
        (401, "GET /items/{id}", ""),
        (404, "", ""),
    ]


MAKER = spec.System(
    name="maker", title="Makes things", groups=(spec.Group(name=ADMINS, precedence=0),),
    authorizer=spec.JwtAuthorizer(),
    services=(spec.Service(name="things", api_handler="fake.created",
                           routes=(spec.Route(method="POST", path="/things", public=True),)),),
)  # fmt: skip


def test_a_write_s_answer_names_what_it_made(trail):
    gateway = build_gateway(MAKER, functions_for(MAKER), handler_resolver=fake_resolver, trail=trail)
    assert call(gateway, "POST", "/things", json={"name": "x"}).status_code == 201
    [entry] = trail.entries()
    assert entry.entities == ("it-new", "u-1")


def test_the_caller_is_named_as_each_authorizer_says():
    assert caller_name({"jwt": {"claims": {"email": "ana@example.com", "sub": "s1"}}}) == "ana@example.com"
    assert caller_name({"jwt": {"claims": {"sub": "s1"}}}) == "s1"
    assert caller_name({"lambda": {"user_id": "u1", "email": ""}}) == "u1"
    assert caller_name(None) == ""
