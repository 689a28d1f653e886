"""The authorizer's decisions, from verified claims, the route and the group rules: plain Python, no I/O.

The signature, issuer and expiry are checked before any of this runs (see ``handlers.shared.tokens``). What is left
is whether the token was issued to our app client and for which purpose, who the caller is, and whether the route lets
them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from handlers.shared.tokens import InvalidToken

ID_TOKEN, ACCESS_TOKEN = "id", "access"  # the values of Cognito's token_use claim
TOKEN_USES = frozenset({ID_TOKEN, ACCESS_TOKEN})


Unauthorized = InvalidToken
"""The request carries no usable token: API Gateway answers 401. The message says why, for the logs only.

The same exception the shared token verifier raises, so a bad signature and a bad claim are refused alike."""


@dataclass(frozen=True)
class Identity:
    """Who the verified token says the caller is."""

    user_id: str
    email: str
    groups: tuple[str, ...]
    token_use: str


def bearer_token(headers: Mapping[str, Any] | None) -> str:
    """The token in ``Authorization: Bearer <jwt>`` (a bare ``<jwt>`` is accepted too); header names in any case."""
    value = next((v for k, v in (headers or {}).items() if str(k).lower() == "authorization"), None)
    if not isinstance(value, str) or not value.strip():
        raise Unauthorized("no Authorization header")
    parts = value.split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1 and parts[0].lower() != "bearer":
        return parts[0]
    raise Unauthorized("the Authorization header is not 'Bearer <token>'")


def _has_audience(aud: Any, client_id: str) -> bool:
    if isinstance(aud, str):
        return aud == client_id
    return isinstance(aud, list) and client_id in aud


def _groups(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(g for g in value if isinstance(g, str) and g)


def identity_from_claims(claims: Mapping[str, Any], client_id: str) -> Identity:
    """The caller, once the token proves it was issued to ``client_id``: ``aud`` for id tokens, ``client_id`` for
    access tokens (Cognito's access tokens carry no ``aud``). Any other ``token_use`` is refused."""
    token_use = claims.get("token_use")
    if token_use not in TOKEN_USES:
        raise Unauthorized(f"token_use {token_use!r} is not one of {sorted(TOKEN_USES)}")
    if token_use == ID_TOKEN and not _has_audience(claims.get("aud"), client_id):
        raise Unauthorized("the id token was issued to another client (aud)")
    if token_use == ACCESS_TOKEN and claims.get("client_id") != client_id:
        raise Unauthorized("the access token was issued to another client (client_id)")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized("the token has no subject")
    email = claims.get("email")
    return Identity(
        user_id=sub,
        email=email if isinstance(email, str) else "",
        groups=_groups(claims.get("cognito:groups")),
        token_use=token_use,
    )


def is_allowed(groups: Iterable[str], route_key: str, rules: Mapping[str, Iterable[str]]) -> bool:
    """Whether a caller in ``groups`` may call ``route_key`` (e.g. ``"POST /moves"``).

    A route missing from the rules is refused (fail closed: the authorizer only runs on non-public routes, and every
    one of them is in the rules). An empty group list lets in any signed-in user; otherwise one group must match.
    """
    if route_key not in rules:
        return False
    required = set(rules[route_key])
    return not required or bool(required & set(groups))


def allow(identity: Identity) -> dict[str, Any]:
    """The simple response that lets the request through; the context reaches the route as strings."""
    return {
        "isAuthorized": True,
        "context": {"user_id": identity.user_id, "email": identity.email, "groups": ",".join(identity.groups)},
    }


def deny() -> dict[str, Any]:
    """The simple response for a signed-in caller the route does not admit: API Gateway answers 403."""
    return {"isAuthorized": False}
