"""API Gateway's JWT authorizer, locally: what an HTTP API checks before a route with a JWT authorizer runs.

As in the cloud, the token comes from the ``Authorization`` header (``Bearer <jwt>`` or the bare token) and must be
an RS256 JWT signed by a key of the configured JWKS (fetched once and cached), from the configured issuer, not expired
(nor used before ``nbf`` or issued in the future), and issued to one of the configured audiences: ``aud`` when the
token has one (id tokens), otherwise ``client_id`` (Cognito's access tokens). Groups are not checked here: the JWT
authorizer has no notion of them, and the handlers enforce the declared groups themselves.

The route then sees the claims the way API Gateway passes them: every value a string, lists as ``"[a b]"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.shared.http_event import claims_as_strings
from handlers.shared.tokens import InvalidToken, KeysUnavailable, TokenVerifier

__all__ = ["InvalidToken", "JwtAuthorizer", "JwtSettings", "KeysUnavailable", "claims_as_strings", "token_from"]

REQUIRED_CLAIMS = ("exp", "iss")
"""API Gateway needs ``exp`` and ``iss``; the audience is checked separately (``aud`` or ``client_id``)."""


@dataclass(frozen=True)
class JwtSettings:
    """Where the keys are (``jwks_url``), whom to trust (``issuer``) and which audiences (app client ids) to accept.

    The JWKS URL and the issuer are separate because locally moto serves the keys on 127.0.0.1 while its tokens carry
    the AWS issuer URL.
    """

    jwks_url: str
    issuer: str
    client_ids: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.jwks_url.startswith(("http://", "https://")):
            raise ValueError(f"jwks_url: expected an http(s) URL, got {self.jwks_url!r}")
        if not self.issuer:
            raise ValueError("issuer: must not be empty")
        if isinstance(self.client_ids, str) or not self.client_ids:
            raise ValueError("client_ids: name at least one app client id (a sequence of strings)")


def token_from(headers: Mapping[str, str]) -> str:
    """The token of the (lower-cased) ``authorization`` header; raises :class:`InvalidToken` when there is none."""
    value = headers.get("authorization", "").strip()
    parts = value.split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1 and parts[0].lower() != "bearer":
        return parts[0]
    raise InvalidToken("no bearer token in the Authorization header" if value else "no Authorization header")


class JwtAuthorizer:
    """Verifies a request's token; :meth:`authorize` returns ``requestContext.authorizer`` for the route."""

    def __init__(self, settings: JwtSettings, verifier: TokenVerifier | None = None) -> None:
        self.settings = settings
        self.verifier = verifier or TokenVerifier.for_jwks(settings.jwks_url, settings.issuer, required=REQUIRED_CLAIMS)

    def claims(self, headers: Mapping[str, str], *, remembered_only: bool = False) -> dict[str, Any] | None:
        """The verified claims. Raises :class:`InvalidToken` (a 401) or :class:`KeysUnavailable`. With
        ``remembered_only``, None for a token not verified before (nothing is fetched or verified then)."""
        token = token_from(headers)
        claims = self.verifier.remembered(token) if remembered_only else self.verifier.claims(token)
        if claims is None:
            return None
        audiences = set(self.settings.client_ids)
        aud = claims.get("aud")
        if aud is not None:
            if not (set(aud) if isinstance(aud, list) else {aud}) & audiences:
                raise InvalidToken("the token's aud is not one of the authorizer's audiences")
        elif claims.get("client_id") not in audiences:
            raise InvalidToken("the token has no aud and its client_id is not one of the authorizer's audiences")
        return claims

    def authorize(self, headers: Mapping[str, str], *, remembered_only: bool = False) -> dict[str, Any] | None:
        """``{"jwt": {"claims": {...strings...}, "scopes": None}}``: routes declare no OAuth scopes. With
        ``remembered_only``, None for a token not verified before."""
        claims = self.claims(headers, remembered_only=remembered_only)
        return None if claims is None else {"jwt": {"claims": claims_as_strings(claims), "scopes": None}}
