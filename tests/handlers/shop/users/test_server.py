"""The container's ASGI adapter: health, the declared routes, and its own verification of bearer tokens against a
JWKS served on 127.0.0.1. Through httpx's ASGI transport, and once over real HTTP with uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa

from handlers.shared.tokens import TokenVerifier
from handlers.shop.users.server import TOKEN_CLAIMS, Authenticator, ServerSettings, asgi_app, to_event
from tests.handlers.shop.users.conftest import PASSWORD, Pool, StoredProfiles, settings
from tests.jwks import JwksServer, free_port, mint

KID = "users-test"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"


@pytest.fixture
def jwks(signing_key: rsa.RSAPrivateKey) -> Iterator[JwksServer]:
    served = JwksServer.for_key(signing_key, KID)
    yield served
    served.stop()


@pytest.fixture
def asgi(pool: Pool, store: StoredProfiles, jwks: JwksServer) -> Any:
    from handlers.shop.users.identity import CognitoIdentity
    from tests.handlers.shop.users.conftest import build_app

    resolver = build_app(settings(pool), store, CognitoIdentity(pool.pool_id, pool.client_id))
    authenticator = Authenticator(TokenVerifier.for_jwks(jwks.url, ISSUER, required=TOKEN_CLAIMS), pool.client_id)
    return asgi_app(resolver.resolve, lambda: authenticator)


def id_token(key: rsa.RSAPrivateKey, audience: str, **changes: Any) -> str:
    now = int(time.time())
    claims = {"sub": "u-ana", "email": "ana@example.com", "name": "Ana", "cognito:username": "u-ana",
              "cognito:groups": ["customers"], "token_use": "id", "aud": audience, "iss": ISSUER, "iat": now,
              "exp": now + 3600}  # fmt: skip
    return mint(key, {**claims, **changes}, KID)


def request(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://users.internal") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def test_health(asgi: Any) -> None:
    response = request(asgi, "GET", "/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_public_route_reaches_the_handler(asgi: Any, pool: Pool) -> None:
    body = {"email": "ana@example.com", "password": PASSWORD, "name": "Ana"}
    response = request(asgi, "POST", "/users/signup", json=body)
    assert response.status_code == 201 and response.json()["confirmed"] is True
    weak = request(asgi, "POST", "/users/signup", json={**body, "password": "short"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.json()["message"]


def test_a_protected_route_needs_a_valid_token(
    asgi: Any, pool: Pool, signing_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    good = id_token(signing_key, pool.client_id)
    response = request(asgi, "GET", "/users/me", headers={"Authorization": f"Bearer {good}"})
    assert response.status_code == 200, response.text
    assert (response.json()["id"], response.json()["email"]) == ("u-ana", "ana@example.com")
    refused = {
        "no token": {},
        "not a jwt": {"Authorization": "Bearer nope"},
        "unknown key": {"Authorization": f"Bearer {id_token(other_key, pool.client_id)}"},
        "other client": {"Authorization": f"Bearer {id_token(signing_key, 'someone-else')}"},
        "expired": {"Authorization": f"Bearer {id_token(signing_key, pool.client_id, exp=int(time.time()) - 3600)}"},
        "other issuer": {"Authorization": f"Bearer {id_token(signing_key, pool.client_id, iss='https://evil')}"},
    }
    for case, headers in refused.items():
        response = request(asgi, "GET", "/users/me", headers=headers)
        assert (case, response.status_code) == (case, 401)


def test_an_unknown_path_is_a_404(asgi: Any) -> None:
    assert request(asgi, "GET", "/users/nope").status_code == 404


def test_the_event_is_payload_2_0() -> None:
    scope = {"type": "http", "method": "PUT", "path": "/users/me", "query_string": b"a=1&a=2&b=",
             "headers": [(b"Host", b"users.internal"), (b"Cookie", b"x=1; y=2"), (b"X-Thing", b"1"),
                         (b"x-thing", b"2")], "client": ("10.0.0.1", 1234)}  # fmt: skip
    event = to_event(scope, b'{"name": "Ana"}', {"sub": "u", "cognito:groups": ["a", "b"], "exp": 1})
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "PUT /users/me"
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["cookies"] == ["x=1", "y=2"] and event["headers"]["x-thing"] == "1,2"
    assert event["requestContext"]["authorizer"]["jwt"]["claims"] == {"sub": "u", "cognito:groups": "[a b]", "exp": "1"}
    assert event["body"] == '{"name": "Ana"}' and event["isBase64Encoded"] is False


def test_settings_derive_the_issuer_from_the_pool() -> None:
    derived = ServerSettings.from_env({"USER_POOL_CLIENT_ID": "c", "USER_POOL_ID": "eu-west-1_AbC"})
    assert derived.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"
    assert derived.keys_url == f"{derived.issuer}/.well-known/jwks.json"
    explicit = ServerSettings.from_env({"USER_POOL_CLIENT_ID": "c", "JWKS_URL": "http://127.0.0.1:1/j",
                                        "TOKEN_ISSUER": "https://iss"})  # fmt: skip
    assert (explicit.issuer, explicit.keys_url) == ("https://iss", "http://127.0.0.1:1/j")


def test_over_real_http(asgi: Any, pool: Pool, signing_key: rsa.RSAPrivateKey) -> None:
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not uv.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert uv.started
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/health").json() == {"status": "ok"}
        assert httpx.get(f"{base}/users/me").status_code == 401
        token = id_token(signing_key, pool.client_id)
        me = httpx.put(f"{base}/users/me", json={"phone": "+51 999 111 222"}, headers={"Authorization": token})
        assert (me.status_code, me.json()["phone"]) == (200, "+51 999 111 222")
        login = httpx.post(f"{base}/users/login", json={"email": "nobody@example.com", "password": PASSWORD})
        assert login.status_code == 401
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive()
