"""The moving company's Lambda authorizer: HTTP API payload 2.0, REQUEST type, simple responses.

Every non-public route is authorized here: the bearer token must be a Cognito id or access token of our app client,
signed by the user pool (RS256), and the caller's ``cognito:groups`` must meet the route's rule.

- no token, or a bad one (malformed, expired, wrongly signed, another issuer, client or ``token_use``) → 401, by
  raising ``Exception("Unauthorized")`` as API Gateway documents;
- a valid token the route does not admit, or a route missing from the rules (fail closed) → 403
  (``{"isAuthorized": false}``);
- anything unexpected (keys unreachable, bad settings) is logged and ends as 401 too, never a 500.

The token never appears in the logs.
"""

from __future__ import annotations

import functools
from typing import Any

from architectures import SYSTEMS
from handlers.moving.authorizer.rules import Unauthorized, allow, bearer_token, deny, identity_from_claims, is_allowed
from handlers.moving.authorizer.settings import AuthorizerSettings
from handlers.shared.entry import http_request_id, lambda_entry, logger
from handlers.shared.tokens import TokenVerifier


@functools.cache
def settings() -> AuthorizerSettings:
    """Read once, on the first invocation; a missing variable fails with its name (and that invocation is a 401)."""
    return AuthorizerSettings.from_env()


RULES = SYSTEMS["moving"].route_groups()
"""Each non-public route's groups, from the declaration."""


@functools.cache
def verifier() -> TokenVerifier:
    config = settings()
    return TokenVerifier.for_jwks(config.jwks_url, config.token_issuer)


def authorize(event: dict[str, Any], config: AuthorizerSettings, tokens: TokenVerifier) -> dict[str, Any]:
    """The simple response for ``event``; raises :class:`Unauthorized` when the request has no valid token."""
    claims = tokens.claims(bearer_token(event.get("headers")))
    identity = identity_from_claims(claims, config.user_pool_client_id)
    route_key = event.get("routeKey") or ""
    if is_allowed(identity.groups, route_key, RULES):
        return allow(identity)
    if route_key not in RULES:
        logger.warning("route missing from the authorizer rules; denied", extra={"route_key": route_key})
    else:
        logger.info(
            "caller not in the route's groups; denied",
            extra={"route_key": route_key, "user_id": identity.user_id, "groups": list(identity.groups)},
        )
    return deny()


@lambda_entry(http_request_id)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    where = {"route_key": event.get("routeKey"), "request_id": getattr(context, "aws_request_id", None)}
    try:
        return authorize(event, settings(), verifier())
    except Unauthorized as e:
        logger.info("token refused", extra={**where, "reason": str(e)})
    except Exception as e:
        logger.exception("authorizer failed; refusing the request", extra={**where, "error": type(e).__name__})
    raise Exception("Unauthorized")  # the exact exception API Gateway turns into a 401
