"""The users API (HTTP API payload 2.0; in the cloud behind the gateway's JWT authorizer, through ``server.py``).

- ``POST /users/signup`` → 201 ``{id, email, name, confirmed}``: Cognito sign-up with the web client and a profile
  row (id = the Cognito ``sub``). The password policy is checked first: a 400 naming the broken rules. With
  ``AUTO_CONFIRM`` the account is confirmed at once and joins ``customers``. An existing email is a 409.
- ``POST /users/confirm {email, code}`` → 200; the account joins ``customers``. A wrong or expired code is a 400.
- ``POST /users/login {email, password}`` → 200 ``{id_token, access_token, refresh_token, expires_in}``. A wrong
  password, an unknown user and an unconfirmed user get the same 401.
- ``POST /users/refresh {refresh_token}`` → 200 ``{id_token, access_token, expires_in}``; invalid or revoked: 401.
- ``POST /users/logout`` → 204: revokes every session of the user.
- ``GET /users/me`` / ``PUT /users/me {name?, phone?, address?}``: the caller's profile, created on first use.

Authenticated routes want the **access token** as the bearer token: the gateway (or ``server.py``) verifies its
signature and this service asks Cognito about it (``GetUser``), which fails after a sign-out. An id token is accepted
as well and refused when it was issued at or before the user's last sign-out (``logic.token_revoked``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel, Field

from handlers.shared.api import create_app, current_caller, parse_body
from handlers.shared.clock import utc_now
from handlers.shared.db import service_database
from handlers.shared.settings import ServiceSettings
from handlers.shop.users import logic
from handlers.shop.users.identity import CognitoIdentity
from handlers.shop.users.store import ProfileStore

# The request models of this service's routes, by route key: the bodies (``None``: the route takes none) and the
# query strings. The handlers below parse with them and the OpenAPI documents describe the API from them.
REQUEST_MODELS: dict[str, type[BaseModel] | None] = {
    "POST /users/signup": logic.SignUp,
    "POST /users/confirm": logic.Confirm,
    "POST /users/login": logic.Login,
    "POST /users/refresh": logic.Refresh,
    "POST /users/logout": None,
    "PUT /users/me": logic.ProfileChange,
}
QUERY_MODELS: dict[str, type[BaseModel]] = {}


class UsersSettings(ServiceSettings):
    """``AUTO_CONFIRM`` (default false; the local runtime and dev set it): confirm sign-ups without a code."""

    user_pool_id: str = Field(alias="USER_POOL_ID", min_length=1)
    user_pool_client_id: str = Field(alias="USER_POOL_CLIENT_ID", min_length=1)
    auto_confirm: bool = Field(False, alias="AUTO_CONFIRM")


def bearer_token(headers: dict[str, str] | None) -> str:
    """The token of the ``Authorization`` header (``Bearer <token>`` or the bare token)."""
    value = {k.lower(): v for k, v in (headers or {}).items()}.get("authorization", "").strip()
    parts = value.split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1 and parts[0].lower() != "bearer":
        return parts[0]
    raise logic.SessionInvalid("send the access token as the bearer token")


def build_app(
    settings: UsersSettings,
    store: ProfileStore,
    identity: CognitoIdentity,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> APIGatewayHttpResolver:
    """The resolver with the users routes, on injected adapters (profile store, Cognito, clock)."""
    app = create_app(settings)

    def session() -> logic.Session:
        """The authenticated caller, refused (401) when the token was revoked."""
        caller = current_caller(app)  # 401 without authorizer claims
        claims = app.current_event.raw_event["requestContext"]["authorizer"].get("jwt", {}).get("claims") or {}
        use = logic.token_use(claims)
        if use == "access":
            token = bearer_token(app.current_event.headers)
            who = identity.current_user(token)
            if who.user_id != caller.user_id:
                raise logic.SessionInvalid()
            return logic.Session(who, use, token)
        who = logic.identity_from_claims(claims)
        profile = store.get(who.user_id)
        if profile is not None and logic.token_revoked(logic.issued_at(claims), profile.sessions_revoked_at):
            raise logic.SessionInvalid()
        return logic.Session(who, use)

    @app.post("/users/signup")
    def sign_up() -> tuple[dict[str, Any], int]:
        new = parse_body(app, logic.SignUp)
        logic.check_password(new.password)
        signed = identity.sign_up(new.email, new.password, new.name)
        confirmed = signed.confirmed
        if settings.auto_confirm and not confirmed:
            identity.admin_confirm(new.email)
            confirmed = True
        if confirmed:
            identity.add_to_group(new.email, logic.CUSTOMERS)
        who = logic.Identity(user_id=signed.user_id, username=signed.user_id, email=new.email, name=new.name)
        store.ensure(logic.new_profile(who, clock()))
        return {"id": signed.user_id, "email": new.email, "name": new.name, "confirmed": confirmed}, 201

    @app.post("/users/confirm")
    def confirm() -> dict[str, Any]:
        request = parse_body(app, logic.Confirm)
        identity.confirm(request.email, request.code)
        identity.add_to_group(request.email, logic.CUSTOMERS)
        return {"email": request.email, "confirmed": True}

    @app.post("/users/login")
    def login() -> dict[str, Any]:
        request = parse_body(app, logic.Login)
        return logic.tokens_view(identity.sign_in(request.email, request.password))

    @app.post("/users/refresh")
    def refresh() -> dict[str, Any]:
        request = parse_body(app, logic.Refresh)
        return logic.tokens_view(identity.refresh(request.refresh_token))

    @app.post("/users/logout")
    def logout() -> Response:
        current = session()
        now = clock()
        # Recorded first: should Cognito then fail, the caller retries and nothing was accepted that should not be.
        store.update(logic.new_profile(current.identity, now), lambda p: logic.revoke_sessions(p, now))
        if current.access_token is not None:
            identity.sign_out(current.access_token)
        else:
            identity.admin_sign_out(current.identity.username)
        return Response(status_code=204, body=None)

    @app.get("/users/me")
    def show_me() -> dict[str, Any]:
        current = session()
        return logic.profile_view(store.ensure(logic.new_profile(current.identity, clock())))

    @app.put("/users/me")
    def change_me() -> dict[str, Any]:
        current = session()
        change = parse_body(app, logic.ProfileChange)
        now = clock()
        return logic.profile_view(store.update(logic.new_profile(current.identity, now),
                                               lambda p: logic.apply_change(p, change, now)))  # fmt: skip

    return app


@functools.cache
def default_app() -> APIGatewayHttpResolver:
    """Built on the first invocation from the environment, then reused by the warm process."""
    settings = UsersSettings.from_env()
    identity = CognitoIdentity(settings.user_pool_id, settings.user_pool_client_id)
    return build_app(settings, ProfileStore(service_database(settings)), identity)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_app().resolve(event, context)
