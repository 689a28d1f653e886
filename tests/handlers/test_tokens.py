"""The token verifier's memory of verified tokens: each token's signature is checked once, until the token expires."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from handlers.shared import tokens
from handlers.shared.tokens import InvalidToken, TokenVerifier
from tests.jwks import mint

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
KID = "key-1"


def claims(lifetime: int = 3600) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": str(uuid.uuid4()), "iss": ISSUER, "token_use": "access", "iat": now, "exp": now + lifetime}


class Keys:
    """A key fetcher that counts how often a signature had to be checked."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self.key, self.asked = key, 0

    def __call__(self, kid: str) -> Any:
        self.asked += 1
        return self.key.public_key()


def test_a_token_is_verified_once_and_callers_get_their_own_copy(signing_key):
    keys = Keys(signing_key)
    verifier = TokenVerifier(ISSUER, keys)
    token = mint(signing_key, claims(), KID)
    first = verifier.claims(token)
    first["sub"] = "tampered"
    second = verifier.claims(token)
    assert keys.asked == 1 and second["sub"] != "tampered"


def test_a_remembered_token_is_checked_again_once_it_has_expired(signing_key):
    now = [time.time()]
    keys = Keys(signing_key)
    verifier = TokenVerifier(ISSUER, keys, leeway=30, clock=lambda: now[0])
    minted = claims(lifetime=60)
    token = mint(signing_key, minted, KID)
    verifier.claims(token)
    now[0] = minted["exp"] + 29
    verifier.claims(token)
    assert keys.asked == 1, "still within exp + leeway"
    now[0] = minted["exp"] + 30
    verifier.claims(token)
    assert keys.asked == 2, "past exp + leeway the token is verified again (and PyJWT then judges its expiry)"


def test_bad_tokens_are_never_remembered(signing_key, other_key):
    keys = Keys(signing_key)
    verifier = TokenVerifier(ISSUER, keys)
    forged = mint(other_key, claims(), KID)
    for _ in range(2):
        with pytest.raises(InvalidToken):
            verifier.claims(forged)
    assert keys.asked == 2


def test_only_the_most_recent_tokens_are_kept(signing_key, monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS", 2)
    keys = Keys(signing_key)
    verifier = TokenVerifier(ISSUER, keys)
    a, b, c = (mint(signing_key, claims(), KID) for _ in range(3))
    for token in (a, b, a, c):  # a is used again, so b is the least recent when c arrives
        verifier.claims(token)
    assert keys.asked == 3
    verifier.claims(a)
    assert keys.asked == 3, "a was kept"
    verifier.claims(b)
    assert keys.asked == 4, "b was dropped"
