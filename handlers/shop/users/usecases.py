"""What the users service does: sign-up, confirmation, sign-in, refresh and sign-out through Cognito, and the
profile each user keeps here (``handlers/shared/usecases.py`` is the shape every service shares).

Authenticated routes want the access token as the bearer token: the gateway (or ``server.py``) verifies its signature
and this service asks Cognito about it (``GetUser``), which fails after a sign-out. An id token is accepted as well:
a sign-out is recorded in the shop's sessions table, and the router refuses any token issued before it, on this
service's routes as on every other service's (``handlers/shared/sessions.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self

from pydantic import Field

from architectures import SYSTEMS
from handlers.shared.db import Database, service_database
from handlers.shared.routing import Request
from handlers.shared.sessions import RevokedSessions
from handlers.shared.sessions import from_env as sessions_from_env
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases
from handlers.shop.users import logic, store
from handlers.shop.users.identity import CognitoIdentity


class UsersSettings(ServiceSettings):
    """``AUTO_CONFIRM`` (default false; the local runtime and dev set it): confirm sign-ups without a code."""

    user_pool_id: str = Field(alias="USER_POOL_ID", min_length=1)
    user_pool_client_id: str = Field(alias="USER_POOL_CLIENT_ID", min_length=1)
    auto_confirm: bool = Field(False, alias="AUTO_CONFIRM")


def bearer_token(headers: Mapping[str, str] | None) -> str:
    """The token of the ``Authorization`` header (``Bearer <token>`` or the bare token)."""
    value = {k.lower(): v for k, v in (headers or {}).items()}.get("authorization", "").strip()
    parts = value.split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1 and parts[0].lower() != "bearer":
        return parts[0]
    raise logic.SessionInvalid("send the access token as the bearer token")


class UserUseCases(UseCases):
    def __init__(self, db: Database, identity: CognitoIdentity, *, auto_confirm: bool = False,
                 sessions: RevokedSessions | None = None, **adapters: Any) -> None:  # fmt: skip
        super().__init__(db, **adapters)
        self.identity = identity
        self.auto_confirm = auto_confirm
        self.sessions = sessions

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        users = UsersSettings.from_env()
        identity = CognitoIdentity(users.user_pool_id, users.user_pool_client_id)
        return cls(service_database(settings), identity, auto_confirm=users.auto_confirm,
                   sessions=sessions_from_env(SYSTEMS["shop"].sessions_table or ""))  # fmt: skip

    def session(self, request: Request) -> logic.Session:
        """The authenticated caller, refused (401) when the token was revoked."""
        caller = request.caller  # 401 without authorizer claims
        claims = request.raw_event["requestContext"]["authorizer"].get("jwt", {}).get("claims") or {}
        use = logic.token_use(claims)
        if use == "access":
            token = bearer_token(request.raw_event.get("headers"))
            who = self.identity.current_user(token)
            if who.user_id != caller.user_id:
                raise logic.SessionInvalid()
            return logic.Session(who, use, token)
        return logic.Session(logic.identity_from_claims(claims), use)

    def sign_up(self, new: logic.SignUp) -> logic.SignedUpView:
        logic.check_password(new.password)
        signed = self.identity.sign_up(new.email, new.password, new.name)
        confirmed = signed.confirmed
        if self.auto_confirm and not confirmed:
            self.identity.admin_confirm(new.email)
            confirmed = True
        if confirmed:
            self.identity.add_to_group(new.email, logic.CUSTOMERS)
        who = logic.Identity(user_id=signed.user_id, username=signed.user_id, email=new.email, name=new.name)
        self._ensure_profile(who)
        return logic.signed_up_view(who, confirmed)

    def confirm(self, request: logic.Confirm) -> None:
        self.identity.confirm(request.email, request.code)
        self.identity.add_to_group(request.email, logic.CUSTOMERS)

    def sign_out(self, current: logic.Session) -> None:
        """Revoke every session of the user, on every route of the shop. Recorded first: should Cognito then fail,
        the caller retries and nothing was accepted that should not be."""
        if self.sessions is None:
            raise RuntimeError("the users' use cases were built without the sessions table")
        self.sessions.revoke(current.identity.user_id, self.clock())
        if current.access_token is not None:
            self.identity.sign_out(current.access_token)
        else:
            self.identity.admin_sign_out(current.identity.username)

    def profile(self, current: logic.Session) -> logic.Profile:
        """The caller's profile, created on first use."""
        return self._ensure_profile(current.identity)

    def change_profile(self, current: logic.Session, change: logic.ProfileChange) -> logic.Profile:
        now = self.clock()
        return self._change_profile(current.identity, lambda profile: logic.apply_change(profile, change, now))

    def _ensure_profile(self, who: logic.Identity) -> logic.Profile:
        """The user's stored profile, made from the identity on first use. Two first requests racing both insert;
        the second one's insert is refused and it reads the winner's row, in a new transaction that sees it."""
        with self.reading() as tx:
            existing = store.get(tx, who.user_id)
        if existing is not None:
            return existing
        profile = logic.new_profile(who, self.clock())
        with self.writing() as write:
            inserted = store.insert(write.tx, profile)
        if inserted:
            return profile
        with self.reading() as tx:
            stored = store.get(tx, who.user_id)
        assert stored is not None, "a refused insert means the row exists"
        return stored

    def _change_profile(self, who: logic.Identity, decide: Callable[[logic.Profile], logic.Profile]) -> logic.Profile:
        """Lock the user's profile (made on first use), apply the rule and write the result when it changed."""
        self._ensure_profile(who)
        with self.writing() as write:
            current = store.get(write.tx, who.user_id, lock=True)
            assert current is not None, "the profile was just made sure of"
            changed = decide(current)
            if changed != current:
                store.save(write.tx, changed)
        return changed
