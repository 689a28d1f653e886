"""Fixtures of the users service: moto Cognito with the shop's pool, a migrated profile store, the app, and calling it
the way API Gateway does (claims from a token the gateway verified, the bearer token in the headers)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import jwt
import pytest

from architectures.shop import SYSTEM
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.sessions import RevokedSessions
from handlers.shop.users import store as profile_store
from handlers.shop.users.api import router
from handlers.shop.users.identity import CognitoIdentity
from handlers.shop.users.logic import Profile
from handlers.shop.users.store import MIGRATIONS
from handlers.shop.users.usecases import UsersSettings, UserUseCases
from tests.events import http_request
from tests.handlers.conftest import fake_aws, sessions_table

SERVICE = next(s for s in SYSTEM.services if s.name == "users")
PASSWORD = "Correct-Horse-9-battery"


@dataclass(frozen=True)
class Pool:
    idp: Any
    pool_id: str
    client_id: str


def make_pool(idp: Any) -> Pool:
    """The shop's pool as the local runtime and the cloud make it: the policy, the groups, the web client."""
    policy = {"MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
              "RequireSymbols": True}  # fmt: skip
    made = idp.create_user_pool(
        PoolName="shop",
        Policies={"PasswordPolicy": policy},
        AutoVerifiedAttributes=["email"],
        UsernameAttributes=["email"],
    )
    pool_id = made["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
    )["UserPoolClient"]["ClientId"]
    for group in SYSTEM.groups:
        idp.create_group(UserPoolId=pool_id, GroupName=group.name, Precedence=group.precedence)
    return Pool(idp, pool_id, client_id)


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[Pool]:
    with fake_aws(monkeypatch):
        yield make_pool(boto3.client("cognito-idp"))


def settings(pool: Pool, auto_confirm: bool = True) -> UsersSettings:
    env = {"SYSTEM_NAME": "shop", "SERVICE_NAME": "users",
           "USER_POOL_ID": pool.pool_id, "USER_POOL_CLIENT_ID": pool.client_id,
           "AUTO_CONFIRM": "true" if auto_confirm else "false"}  # fmt: skip
    return UsersSettings.from_env(env)


class StoredProfiles:
    """Profiles read straight from the database, to check what a request left there."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, user_id: str) -> Profile | None:
        with self.db.transaction() as tx:
            return profile_store.get(tx, user_id)


@pytest.fixture
def store(database: Database) -> StoredProfiles:
    apply_service_migrations(database, MIGRATIONS)
    return StoredProfiles(database)


@pytest.fixture
def identity(pool: Pool) -> CognitoIdentity:
    return CognitoIdentity(pool.pool_id, pool.client_id)


def build_app(settings: UsersSettings, store: StoredProfiles, identity: CognitoIdentity,
              sessions: RevokedSessions | None = None) -> Any:  # fmt: skip
    """The users API on a profile store, a Cognito pool and the shop's sessions table (made here unless given),
    confirming sign-ups at once when the settings say so."""
    sessions = sessions or sessions_table()
    return router.app(UserUseCases(store.db, identity, auto_confirm=settings.auto_confirm, sessions=sessions), sessions)


@pytest.fixture
def app(pool: Pool, store: StoredProfiles, identity: CognitoIdentity) -> Any:
    return build_app(settings(pool), store, identity)


def gateway_claims(token: str) -> dict[str, str]:
    """What the gateway's JWT authorizer hands the route for ``token`` (it verified the signature already)."""
    from handlers.shared.http_event import claims_as_strings

    return claims_as_strings(jwt.decode(token, options={"verify_signature": False}))


def call(app: Any, route_key: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    """Send a canonical API Gateway event; the status and the decoded body. ``token``: the caller's bearer token."""
    claims = gateway_claims(token) if token else None
    headers = {"authorization": f"Bearer {token}"} if token else {"authorization": ""}
    event = http_request(route_key, body=body, claims=claims, headers=headers)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def sign_up(app: Any, email: str = "ana@example.com", password: str = PASSWORD, name: str = "Ana") -> dict[str, Any]:
    status, body = call(app, "POST /users/signup", {"email": email, "password": password, "name": name})
    assert status == 201, body
    return dict(body)


def log_in(app: Any, email: str = "ana@example.com", password: str = PASSWORD) -> dict[str, Any]:
    status, body = call(app, "POST /users/login", {"email": email, "password": password})
    assert status == 200, body
    return dict(body)
