"""What the authorizer's tests share: the authorizer's environment and cold starts, a JWKS server for a key made
here, tokens with Cognito's claims, and the canonical authorizer event API Gateway sends."""

from __future__ import annotations

import base64
import copy
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from architectures.moving import CUSTOMERS, SYSTEM
from handlers.moving.authorizer import app
from handlers.moving.authorizer.rules import ID_TOKEN
from handlers.shared import tokens
from tests.events import load
from tests.jwks import JwksServer
from tests.jwks import mint as sign

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Moving"
CLIENT_ID = "4movingclientid"
KID = "moving-key-1"
RULES = SYSTEM.route_groups()
EMPLOYEE_ONLY = sorted(route for route, groups in RULES.items() if groups and CUSTOMERS not in groups)
CUSTOMER_ROUTE = "POST /moves"
EMPLOYEE_ROUTE = "POST /moves/{id}/truck"


# --- keys, JWKS server, tokens -----------------------------------------------------------------------------------


@pytest.fixture
def jwks_server(signing_key: rsa.RSAPrivateKey) -> Iterator[JwksServer]:
    server = JwksServer.for_key(signing_key, KID)
    yield server
    server.stop()


def configure(monkeypatch: pytest.MonkeyPatch, jwks_url: str, issuer: str = ISSUER, client_id: str = CLIENT_ID) -> None:
    """The authorizer's environment as the wiring writes it, and a cold start."""
    monkeypatch.setenv("JWKS_URL", jwks_url)
    monkeypatch.setenv("TOKEN_ISSUER", issuer)
    monkeypatch.setenv("USER_POOL_CLIENT_ID", client_id)
    cold_start()


def cold_start() -> None:
    app.settings.cache_clear()
    app.verifier.cache_clear()
    tokens.jwks_client.cache_clear()


@pytest.fixture(autouse=True)
def fresh_process() -> Iterator[None]:
    cold_start()
    yield
    cold_start()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, jwks_server: JwksServer) -> JwksServer:
    configure(monkeypatch, jwks_server.url)
    return jwks_server


def claims_for(groups: list[str], token_use: str = ID_TOKEN, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "iss": ISSUER,
        "token_use": token_use,
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "jti": str(uuid.uuid4()),
        "cognito:groups": groups,
    }
    if token_use == "id":
        claims.update({"aud": CLIENT_ID, "email": "ana@example.com", "cognito:username": "ana"})
    else:
        claims.update({"client_id": CLIENT_ID, "scope": "aws.cognito.signin.user.admin", "username": "ana"})
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def mint(key: rsa.RSAPrivateKey, claims: dict[str, Any], kid: str | None = KID) -> str:
    return sign(key, claims, kid)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def event_for(route_key: str, authorization: str | None, **path_parameters: str) -> dict[str, Any]:
    """The canonical authorizer event for ``route_key`` with this Authorization header (None: no header)."""
    event = copy.deepcopy(load("apigw_http_authorizer_request.json"))
    method, path = route_key.split(" ", 1) if " " in route_key else ("GET", "/not/declared")  # e.g. $default
    for name, value in path_parameters.items():
        path = path.replace(f"{{{name}}}", value)
    api_id, stage = event["requestContext"]["apiId"], event["requestContext"]["stage"]
    event["routeKey"] = event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["routeArn"] = f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/{stage}/{method}{path}"
    event["pathParameters"] = path_parameters
    if authorization is None:
        event["headers"].pop("authorization")
        event.pop("identitySource")
    else:
        event["headers"]["authorization"] = authorization
        event["identitySource"] = [authorization]
    return event


def call(route_key: str, token: str | None, *, bearer: bool = True) -> dict[str, Any]:
    authorization = None if token is None else f"Bearer {token}" if bearer else token
    params = {"id": "42"} if "{id}" in route_key else {}
    return app.handler(event_for(route_key, authorization, **params), None)


def assert_401(route_key: str, token: str | None, **kwargs: Any) -> None:
    with pytest.raises(Exception, match="^Unauthorized$") as raised:
        call(route_key, token, **kwargs)
    assert type(raised.value) is Exception  # exactly what API Gateway maps to 401, not a crash
