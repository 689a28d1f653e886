"""Verifying Cognito JWTs: RS256 signatures against the user pool's JWKS, the issuer and the expiry.

Used by the moving company's Lambda authorizer and by the local gateway's JWT authorizer (which emulates API Gateway's
own). What each of them checks beyond this (``token_use``, the audience or client, the groups) is theirs.

A verified token's claims are kept (per verifier, for the last ``VERIFIED_TOKENS`` tokens) until the token expires,
so a warm function checks each token's signature once rather than on every request: the token string is the key, so
only its holder gets the cached answer, and nothing outlives the token's own ``exp`` (plus the leeway). A key removed
from the JWKS therefore stops new tokens at once and already-seen ones at their expiry, as API Gateway's own caches do.

The signing keys come from a key fetcher (``kid`` → key), injectable for tests. The default is one ``PyJWKClient`` per
JWKS URL, created on first use and kept for the life of the process, so the key set is fetched once and reused across
invocations. The JWKS URL and the expected issuer are configured separately: locally moto serves the keys on
127.0.0.1 but still issues the AWS issuer URL.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import jwt

ALGORITHMS = ("RS256",)
REQUIRED_CLAIMS = ("exp", "iat", "iss", "sub", "token_use")
LEEWAY_SECONDS = 30
JWKS_LIFESPAN_SECONDS = 3600
JWKS_TIMEOUT_SECONDS = 3
VERIFIED_TOKENS = 1024

KeyFetcher = Callable[[str], Any]
"""Returns the public key (a ``PyJWK`` or a key object) for a ``kid``; raises ``jwt.PyJWKClientError`` if unknown."""


class InvalidToken(Exception):
    """The token is not usable (malformed, wrongly signed, expired, another issuer...): a 401. The message says why,
    for the logs only."""


class KeysUnavailable(RuntimeError):
    """The JWKS could not be fetched: not the caller's fault, but still no way in."""


@functools.cache
def jwks_client(url: str) -> jwt.PyJWKClient:
    """The process-wide client for ``url``: the key set is cached for an hour, each key by ``kid`` for good."""
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=JWKS_LIFESPAN_SECONDS, timeout=JWKS_TIMEOUT_SECONDS)


class TokenVerifier:
    """Checks a token's header, signature, issuer and times, and returns its claims.

    ``required`` names the claims a token must carry (default: what a Cognito id or access token always has).
    The audience is not checked here: where it is depends on the token's use.
    """

    def __init__(
        self,
        issuer: str,
        key_for: KeyFetcher,
        leeway: float = LEEWAY_SECONDS,
        required: Sequence[str] = REQUIRED_CLAIMS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.key_for = key_for
        self.leeway = leeway
        self.required = list(required)
        self.clock = clock
        self._verified: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def for_jwks(cls, jwks_url: str, issuer: str, **options: Any) -> TokenVerifier:
        """A verifier whose keys come from ``jwks_url`` through the cached :func:`jwks_client`."""
        return cls(issuer, jwks_client(jwks_url).get_signing_key, **options)

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims (a copy: callers may change it). Raises :class:`InvalidToken` for any bad token,
        :class:`KeysUnavailable` when the keys cannot be fetched."""
        if (remembered := self.remembered(token)) is not None:
            return remembered
        claims = self._verify(token)
        if "exp" not in claims:  # a token that never expires is checked every time
            return claims
        with self._lock:
            self._verified[token] = (float(claims["exp"]) + self.leeway, claims)
            self._verified.move_to_end(token)
            while len(self._verified) > VERIFIED_TOKENS:
                self._verified.popitem(last=False)
        return dict(claims)

    def remembered(self, token: str) -> dict[str, Any] | None:
        """The claims (a copy) of ``token`` if it was verified before and has not expired; None otherwise. Verifies
        nothing and fetches nothing."""
        with self._lock:
            seen = self._verified.get(token)
            if seen is not None and self.clock() < seen[0]:
                self._verified.move_to_end(token)
                return dict(seen[1])
        return None

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as e:
            raise InvalidToken(f"malformed token: {type(e).__name__}") from None
        # Checked before the keys are looked up, so a forged header never costs a JWKS request.
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token header has no kid")
        try:
            key = self.key_for(kid)
        except jwt.PyJWKClientConnectionError as e:
            raise KeysUnavailable(str(e)) from None
        except jwt.PyJWKClientError:
            raise InvalidToken("no signing key matches the token's kid") from None
        try:
            return jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": self.required, "verify_aud": False},  # aud depends on token_use
            )
        except jwt.InvalidTokenError as e:
            raise InvalidToken(f"invalid token: {type(e).__name__}: {e}") from None
