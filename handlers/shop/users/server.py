"""The users service as an ASGI app for its container (``uvicorn handlers.shop.users.server:app``).

One code path: each HTTP request becomes an API Gateway HTTP API payload 2.0 event for the same ``api.handler`` the
local gateway and the tests call. ``GET /health`` answers here. In the cloud the API gateway reaches the container
through a VPC link (HTTP_PROXY) and does not pass its authorizer's claims on, so for the non-public routes this
adapter verifies the bearer token itself, as the gateway's JWT authorizer does (RS256 against the pool's JWKS, the
issuer, the expiry, and the web client as ``aud`` for id tokens or ``client_id`` for access tokens), and puts the
claims into ``requestContext.authorizer.jwt.claims`` the way API Gateway renders them (strings, lists as
``"[a b]"``). A bad token is a 401 before the handler runs.

Settings: ``USER_POOL_CLIENT_ID``; ``JWKS_URL`` and ``TOKEN_ISSUER``, which default to the pool's own
(``https://cognito-idp.<region>.amazonaws.com/<USER_POOL_ID>``) when not set.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import Field

from architectures import SYSTEMS
from handlers.shared.asgi import ASGIApp, Receive, Scope, Send, lifespan, read_body
from handlers.shared.http_event import ApiContext, HttpRequest, claims_as_strings, http_api_event, jwt_authorizer
from handlers.shared.http_response import BadIntegrationResponse, HttpResponse, integration_response, send_response
from handlers.shared.settings import EnvSettings
from handlers.shared.tokens import InvalidToken, KeysUnavailable, TokenVerifier

log = logging.getLogger(__name__)

USERS = SYSTEMS["shop"].service("users")
PUBLIC_ROUTES = frozenset(route.key for route in USERS.routes if route.public)
PROTECTED_ROUTES = frozenset(route.key for route in USERS.routes if not route.public)
"""The declared routes (``architectures/shop.py``): only these reach the handler, and only signed in when protected."""
HEALTH_PATH = "/health"
MAX_BODY_BYTES = 1024 * 1024
TOKEN_CLAIMS = ("exp", "iss", "sub", "token_use")

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class ServerSettings(EnvSettings):
    user_pool_client_id: str = Field(alias="USER_POOL_CLIENT_ID", min_length=1)
    user_pool_id: str | None = Field(None, alias="USER_POOL_ID")
    jwks_url: str | None = Field(None, alias="JWKS_URL")
    token_issuer: str | None = Field(None, alias="TOKEN_ISSUER")

    @property
    def issuer(self) -> str:
        if self.token_issuer:
            return self.token_issuer
        if not self.user_pool_id or "_" not in self.user_pool_id:
            raise ValueError("TOKEN_ISSUER, or USER_POOL_ID (<region>_<id>) to derive it from, is required")
        region = self.user_pool_id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool_id}"

    @property
    def keys_url(self) -> str:
        return self.jwks_url or f"{self.issuer}/.well-known/jwks.json"


class Authenticator:
    """What API Gateway's JWT authorizer checks, for the container: signature, issuer, times, audience."""

    def __init__(self, verifier: TokenVerifier, client_id: str) -> None:
        self.verifier = verifier
        self.client_id = client_id

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> Authenticator:
        return cls(TokenVerifier.for_jwks(settings.keys_url, settings.issuer, required=TOKEN_CLAIMS),
                   settings.user_pool_client_id)  # fmt: skip

    def claims(self, headers: Mapping[str, str]) -> dict[str, Any]:
        """Verified claims of the request's bearer token; :class:`InvalidToken` or :class:`KeysUnavailable`."""
        parts = headers.get("authorization", "").split()
        if len(parts) == 2 and parts[0].lower() == "bearer":
            token = parts[1]
        elif len(parts) == 1 and parts[0].lower() != "bearer":
            token = parts[0]
        else:
            raise InvalidToken("no bearer token")
        claims = self.verifier.claims(token)
        use = claims.get("token_use")
        audience = claims.get("aud") if use == "id" else claims.get("client_id") if use == "access" else None
        audiences = set(audience) if isinstance(audience, list) else {audience}
        if self.client_id not in audiences:
            raise InvalidToken("the token was not issued to this app client")
        return claims


API = ApiContext(api_id="users", account_id="-", region="-", domain="localhost")
"""What ``requestContext`` shows: the container is not an API Gateway API, so it has no account or region."""


def route_key(request: HttpRequest) -> str:
    """The declared route the request is for, or ``$default``."""
    key = f"{request.method} {request.raw_path}"
    return key if key in PUBLIC_ROUTES | PROTECTED_ROUTES else "$default"


def to_event(scope: Scope, body: bytes, claims: Mapping[str, Any] | None) -> dict[str, Any]:
    """A payload 2.0 event for the request (``routeKey`` is the declared route, or ``$default``)."""
    request = HttpRequest.from_scope(scope, body)
    return _event(request, claims)


def _event(request: HttpRequest, claims: Mapping[str, Any] | None) -> dict[str, Any]:
    authorizer = None if claims is None else jwt_authorizer(claims_as_strings(claims))
    return http_api_event(request, route_key(request), API, authorizer=authorizer)


def _response(result: Any) -> HttpResponse:
    """The handler's payload 2.0 result as HTTP; one that API Gateway could not read either is a 500."""
    try:
        return integration_response(result)
    except BadIntegrationResponse:
        log.exception("the handler's response cannot be sent")
        return HttpResponse.message(500, "internal error")


def asgi_app(handler: Handler, authenticator: Callable[[], Authenticator]) -> ASGIApp:
    """The ASGI app around ``handler``; ``authenticator`` is asked for on the first protected request."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = HttpRequest.from_scope(scope)
        method, path = request.method, scope.get("path") or "/"
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            await send_response(send, HttpResponse.json(200, {"status": "ok"}), head_only=method == "HEAD")
            return
        body = await read_body(receive, MAX_BODY_BYTES)
        if body is None:
            await send_response(send, HttpResponse.message(413, "the request body is too large"))
            return
        request.body = body
        claims = None
        if route_key(request) in PROTECTED_ROUTES:
            try:
                claims = await asyncio.to_thread(authenticator().claims, request.headers)
            except InvalidToken as e:
                log.info("refused %s %s: %s", method, path, e)
                await send_response(send, HttpResponse.message(401, "Unauthorized"))
                return
            except KeysUnavailable as e:
                log.error("the JWKS cannot be fetched (%s); refusing", e)
                await send_response(
                    send, HttpResponse.message(503, "sign-in is temporarily unavailable; try again shortly")
                )
                return
        started = time.monotonic()
        result = await asyncio.to_thread(handler, _event(request, claims), None)
        log.debug("%s %s -> %s in %.1f ms", method, path, result.get("statusCode"), (time.monotonic() - started) * 1e3)
        await send_response(send, _response(result))

    return app


@functools.cache
def default_authenticator() -> Authenticator:
    return Authenticator.from_settings(ServerSettings.from_env())


def _default_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from handlers.shop.users.api import handler

    return handler(event, context)


app = asgi_app(_default_handler, default_authenticator)
