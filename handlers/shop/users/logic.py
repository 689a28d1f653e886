"""The users service's domain: the password policy, the request models and profiles.

Plain Python: no boto3, no SQL. The identity provider (Cognito) and the profile store are adapters in
``identity.py`` and ``store.py``.

Tokens: the client sends its **access token** (``Authorization: Bearer <access token>``) to ``/users/me`` and
``/users/logout``; the service asks Cognito about it on every request (``GetUser``), which fails once the user signed
out. An **id token** is accepted too: Cognito cannot be asked about an id token, so a sign-out is recorded in the
shop's sessions table, and every route of the shop refuses tokens issued (``iat``) at or before it
(``handlers/shared/sessions.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import (
    Any,
    Literal,
    NotRequired,  # pydantic documents TypedDicts from here on Python < 3.12
    cast,
)

from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import TypedDict

from handlers.shared.clock import timestamp_us
from handlers.shared.errors import BadRequest, Conflict, DomainError, Unauthorized
from handlers.shared.records import view_of
from handlers.shared.views import IsoTimestamp

CUSTOMERS = "customers"
"""The group every confirmed sign-up joins."""

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
# Cognito's special characters (a space inside the password counts too).
PASSWORD_SYMBOLS = frozenset("^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+= ")

SIGN_IN_FAILED = "sign-in failed: the email or password is wrong, or the account is not confirmed yet"
"""One message for a wrong password, an unknown user and an unconfirmed one: nothing tells them apart."""
SESSION_INVALID = "the session is not valid: sign in again"
WRONG_CODE = "the confirmation code is wrong or has expired"

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}$")


# --- errors ------------------------------------------------------------------------------------------------------


class WeakPassword(BadRequest):
    """The password breaks the pool's policy; the message names the rules."""


class EmailTaken(Conflict):
    pass


class WrongCode(BadRequest):
    pass


class IdentityRefused(BadRequest):
    """The identity provider refused a value the request gave (an email it does not take as a user name, say)."""


class SignInFailed(Unauthorized):
    def __init__(self) -> None:
        super().__init__(SIGN_IN_FAILED)


class SessionInvalid(Unauthorized):
    """The token was revoked (sign-out), is not a Cognito token of this pool, or is not usable here."""

    def __init__(self, message: str = SESSION_INVALID) -> None:
        super().__init__(message)


class RefreshRefused(Unauthorized):
    def __init__(self) -> None:
        super().__init__("the refresh token is not valid or was revoked: sign in again")


class IdentityUnavailable(DomainError):
    """The identity provider is throttling or unreachable: try again later."""

    http_status = 503


# --- the password policy -----------------------------------------------------------------------------------------

PASSWORD_RULES: tuple[tuple[str, Any], ...] = (
    (f"at least {PASSWORD_MIN_LENGTH} characters", lambda p: len(p) >= PASSWORD_MIN_LENGTH),
    (f"at most {PASSWORD_MAX_LENGTH} characters", lambda p: len(p) <= PASSWORD_MAX_LENGTH),
    ("an uppercase letter", lambda p: any("A" <= c <= "Z" for c in p)),
    ("a lowercase letter", lambda p: any("a" <= c <= "z" for c in p)),
    ("a digit", lambda p: any("0" <= c <= "9" for c in p)),
    ("a symbol", lambda p: any(c in PASSWORD_SYMBOLS for c in p.strip(" "))),
    ("no leading or trailing spaces", lambda p: p == p.strip(" ")),
)
"""The pool's policy (``local/cognito.py`` and the cloud pool): each rule as the caller reads it, and its test."""


def password_problems(password: str) -> list[str]:
    """The rules ``password`` breaks, in policy order (empty when it is acceptable)."""
    return [rule for rule, ok in PASSWORD_RULES if not ok(password)]


def check_password(password: str) -> None:
    """Raise :class:`WeakPassword` naming every broken rule."""
    problems = password_problems(password)
    if problems:
        raise WeakPassword(f"the password needs {'; '.join(problems)}")


# --- requests ----------------------------------------------------------------------------------------------------


def normalize_email(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValueError("not a valid email address")
    return email


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class SignUp(_Request):
    email: str
    password: str = Field(max_length=1024)  # the policy itself is checked by check_password: a 400 naming the rule
    name: str = Field(min_length=1, max_length=200)

    _email = field_validator("email", mode="before")(normalize_email)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class Confirm(_Request):
    email: str
    code: str = Field(min_length=1, max_length=32, pattern=r"^\S+$")

    _email = field_validator("email", mode="before")(normalize_email)


class Login(_Request):
    email: str
    password: str = Field(min_length=1, max_length=1024)

    _email = field_validator("email", mode="before")(normalize_email)


class Refresh(_Request):
    refresh_token: str = Field(min_length=1, max_length=8192)


class ProfileChange(_Request):
    """``PUT /users/me``: the fields to change. ``phone``/``address`` set to null clear them; ``name`` cannot."""

    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=32)
    address: str | None = Field(None, min_length=1, max_length=500)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("the name cannot be removed")
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value.strip()):
            raise ValueError("a phone number: digits, spaces, ()- and an optional leading +")
        return None if value is None else value.strip()


# --- sessions and tokens -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    expires_in: int
    refresh_token: str | None = None


class TokensView(TypedDict):
    """The tokens of a session; ``expires_in`` is in seconds. Only sign-in answers with a refresh token."""

    id_token: str
    access_token: str
    expires_in: int
    refresh_token: NotRequired[str]


def tokens_view(tokens: Tokens) -> TokensView:
    """Login answers with the refresh token; refresh does not (Cognito does not rotate it)."""
    view: TokensView = {"id_token": tokens.id_token, "access_token": tokens.access_token,
                        "expires_in": tokens.expires_in}  # fmt: skip
    if tokens.refresh_token is not None:
        view["refresh_token"] = tokens.refresh_token
    return view


@dataclass(frozen=True)
class SignedUp:
    user_id: str
    confirmed: bool


@dataclass(frozen=True)
class Identity:
    """Who a session belongs to, as Cognito (access token) or the verified id token says."""

    user_id: str
    username: str
    email: str
    name: str


class SignedUpView(TypedDict):
    """A new account; ``confirmed`` false means the emailed code must confirm it first."""

    id: str
    email: str
    name: str
    confirmed: bool


def signed_up_view(who: Identity, confirmed: bool) -> SignedUpView:
    return {"id": who.user_id, "email": who.email, "name": who.name, "confirmed": confirmed}


class ConfirmedView(TypedDict):
    email: str
    confirmed: bool


def confirmed_view(email: str) -> ConfirmedView:
    return {"email": email, "confirmed": True}


TokenUse = Literal["access", "id"]


@dataclass(frozen=True)
class Session:
    """An authenticated request: its user, which token it carried and, for an access token, the token itself."""

    identity: Identity
    token_use: TokenUse
    access_token: str | None = None


def token_use(claims: dict[str, Any]) -> TokenUse:
    use = claims.get("token_use")
    if use not in ("access", "id"):
        raise SessionInvalid("send the access token as the bearer token")
    return use  # type: ignore[no-any-return]


def identity_from_claims(claims: dict[str, Any]) -> Identity:
    """The identity an id token carries (already verified by the gateway or the container's authorizer)."""
    user_id = str(claims.get("sub") or "")
    if not user_id:
        raise SessionInvalid()
    return Identity(user_id=user_id, username=str(claims.get("cognito:username") or user_id),
                    email=str(claims.get("email") or ""), name=str(claims.get("name") or ""))  # fmt: skip


# --- profiles ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    id: str
    email: str
    name: str
    phone: str | None
    address: str | None
    created_at: datetime
    updated_at: datetime


def new_profile(identity: Identity, now: datetime) -> Profile:
    """A profile made from what the identity says (at sign-up, or lazily on the first authenticated request)."""
    name = identity.name or identity.email.split("@")[0]
    return Profile(id=identity.user_id, email=identity.email, name=name, phone=None, address=None,
                   created_at=now, updated_at=now)  # fmt: skip


def apply_change(profile: Profile, change: ProfileChange, now: datetime) -> Profile:
    fields = {f: getattr(change, f) for f in change.model_fields_set}
    if not fields:
        return profile
    return replace(profile, **fields, updated_at=now)


class ProfileView(TypedDict):
    """A profile as the API shows it."""

    id: str
    email: str
    name: str
    phone: str | None
    address: str | None
    created_at: IsoTimestamp
    updated_at: IsoTimestamp


def profile_view(profile: Profile) -> ProfileView:
    return cast(ProfileView, view_of(profile, timestamp_us))
