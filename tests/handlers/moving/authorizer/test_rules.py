"""The authorizer's pure rules (who may call a route, who the caller is, where the token is) and the token verifier
with an injected key fetcher: no JWKS server, no environment."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from architectures.moving import CUSTOMERS, EMPLOYEES
from handlers.moving.authorizer.rules import (
    Identity,
    Unauthorized,
    allow,
    bearer_token,
    identity_from_claims,
    is_allowed,
)
from handlers.shared.tokens import TokenVerifier
from tests.handlers.moving.authorizer.conftest import (
    CLIENT_ID,
    ISSUER,
    KID,
    claims_for,
    mint,
)

# --- the adapter with an injected key fetcher, and the pure logic ---------------------------------------------------


def test_verifier_with_an_injected_key_fetcher(signing_key: rsa.RSAPrivateKey) -> None:
    asked: list[str] = []

    def key_for(kid: str) -> Any:
        asked.append(kid)
        if kid != KID:
            raise jwt.PyJWKClientError(f"unknown kid {kid}")
        return signing_key.public_key()

    verifier = TokenVerifier(ISSUER, key_for)
    claims = claims_for([CUSTOMERS])
    assert verifier.claims(mint(signing_key, claims))["sub"] == claims["sub"]
    with pytest.raises(Unauthorized):
        verifier.claims(mint(signing_key, claims, kid="other"))
    assert asked == [KID, "other"]


def test_is_allowed() -> None:
    rules = {"GET /me": [], "POST /moves": [CUSTOMERS], "GET /moves": [CUSTOMERS, EMPLOYEES]}
    assert is_allowed([], "GET /me", rules)  # any signed-in user
    assert is_allowed([CUSTOMERS], "POST /moves", rules)
    assert not is_allowed([EMPLOYEES], "POST /moves", rules)
    assert is_allowed(["drivers", EMPLOYEES], "GET /moves", rules)
    assert not is_allowed([CUSTOMERS, EMPLOYEES], "GET /unknown", rules)  # fail closed
    assert not is_allowed([], "GET /unknown", {})


def test_identity_from_claims() -> None:
    identity = identity_from_claims(claims_for([CUSTOMERS], sub="u-1"), CLIENT_ID)
    assert identity == Identity(user_id="u-1", email="ana@example.com", groups=(CUSTOMERS,), token_use="id")
    assert identity_from_claims(claims_for([CUSTOMERS], aud=["x", CLIENT_ID]), CLIENT_ID).user_id
    assert identity_from_claims(claims_for([], "access"), CLIENT_ID).groups == ()
    for bad in (claims_for([], sub=""), claims_for([], "access", client_id="x"), claims_for([], token_use="refresh")):
        with pytest.raises(Unauthorized):
            identity_from_claims(bad, CLIENT_ID)
    assert allow(identity)["context"] == {"user_id": "u-1", "email": "ana@example.com", "groups": CUSTOMERS}


def test_bearer_token() -> None:
    assert bearer_token({"Authorization": "Bearer abc"}) == "abc"
    assert bearer_token({"authorization": "abc"}) == "abc"
    for headers in (None, {}, {"authorization": ""}, {"authorization": "Bearer"}, {"authorization": "Basic a"}):
        with pytest.raises(Unauthorized):
            bearer_token(headers)
