"""A system's sign-in on local Cognito (moto): the pool, its groups, a web client and one demo user per group.

Tokens are real RS256 JWTs signed by moto; its JWKS is served at ``<endpoint>/<pool id>/.well-known/jwks.json`` while
the tokens carry AWS's issuer URL, which is why the JWKS URL and the issuer are configured separately.

Sign-in survives a restart, as the data in the databases does: pool and client ids are derived from their names
(moto's ``HASH`` id strategy, set by the runtime), moto signs with the same key every time, and the pool's users are
saved to the state folder (:func:`save_users`) and put back with the same ``sub`` (:func:`restore_users`), so the
rows that name a user by ``sub`` stay theirs and a token issued before the restart still verifies.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from architectures.spec import System
from local.services import LocalAuth
from local.state import Stamp

DEMO_PASSWORD = "Local-Demo-Passw0rd!"  # noqa: S105 - a documented local demo password
"""Every demo user's password: local only, printed at start, meets the pool's policy."""


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    groups: tuple[str, ...]


def demo_email(system: System, group: str) -> str:
    return f"{group.removesuffix('s')}@{system.name}.local"


ModelCall = Callable[..., Any]
"""Runs one of this module's functions that work on moto's model, by name, where moto runs: ``in_this_process`` (tests
with ``mock_aws``) or the runtime's local AWS server process (``local/aws_server.py``)."""


def in_this_process(name: str, *args: Any) -> Any:
    return MODEL_CALLS[name](*args)


def provision_auth(
    system: System, session: Any, endpoint: str, region: str, saved_users: Path | None = None,
    model: ModelCall = in_this_process,
) -> tuple[LocalAuth, list[DemoUser]]:  # fmt: skip
    """Create the pool, groups and client, put back the users in ``saved_users`` (if it exists), and add any demo
    user still missing; return what handlers and the gateway need."""
    idp = session.client("cognito-idp")
    model("honour_admin_only_pools")
    pool_id = idp.create_user_pool(
        PoolName=system.name,
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },  # fmt: skip
        AutoVerifiedAttributes=["email"],
        UsernameAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": not system.self_sign_up},
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        ReadAttributes=["email"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
    )["UserPoolClient"]["ClientId"]
    for group in system.groups:
        idp.create_group(UserPoolId=pool_id, GroupName=group.name, Precedence=group.precedence,
                         Description=group.description)  # fmt: skip
    known: set[str] = model("restore_users", pool_id, region, saved_users) if saved_users else set()
    users = []
    for group in system.groups:
        email = demo_email(system, group.name)
        users.append(DemoUser(email, DEMO_PASSWORD, (group.name,)))
        if email not in known:
            add_user(idp, pool_id, email, DEMO_PASSWORD, group.name)
    auth = LocalAuth(
        user_pool_id=pool_id,
        client_id=client_id,
        jwks_url=f"{endpoint}/{pool_id}/.well-known/jwks.json",
        issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
    )
    return auth, users


def honour_admin_only_pools() -> None:
    """Make moto refuse SignUp on a pool that allows only admins to create users, as Cognito does (moto keeps the
    setting but signs anyone up). Patched once per process, in the process moto runs in."""
    from moto.cognitoidp.exceptions import NotAuthorizedError
    from moto.cognitoidp.models import CognitoIdpBackend

    if getattr(CognitoIdpBackend.sign_up, "honours_admin_only", False):
        return
    original = CognitoIdpBackend.sign_up

    def sign_up(self: Any, client_id: str, username: str, password: str, attributes: list[dict[str, str]]) -> Any:
        pool = next((p for p in self.user_pools.values() if client_id in p.clients), None)
        admin_only = pool is not None and pool.extended_config.get("AdminCreateUserConfig", {}).get(
            "AllowAdminCreateUserOnly"
        )
        if admin_only:
            raise NotAuthorizedError("SignUp is not permitted for this user pool")
        return original(self, client_id, username, password, attributes)

    sign_up.honours_admin_only = True  # type: ignore[attr-defined]
    CognitoIdpBackend.sign_up = sign_up  # type: ignore[method-assign]


def add_user(idp: Any, pool_id: str, email: str, password: str, group: str) -> str:
    """A confirmed user with a verified email and a permanent password, in ``group``; returns its ``sub``."""
    created = idp.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group)
    return next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")


def sign_in(session: Any, auth: LocalAuth, email: str, password: str) -> dict[str, Any]:
    """Password sign-in, as the web app and the smoke run do; returns Cognito's AuthenticationResult."""
    result = session.client("cognito-idp").initiate_auth(
        ClientId=auth.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": password}
    )
    return dict(result["AuthenticationResult"])


# --- users across restarts -------------------------------------------------------------------------------------
# Cognito has no export, and moto keeps users only in memory, so they are read from and written to moto's model, in
# the process moto runs in (``ModelCall``). Passwords are kept as moto keeps them, in plain text:
# the state folder is for local test accounts only.


def _pool(pool_id: str, region: str) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    return cognitoidp_backends[DEFAULT_ACCOUNT_ID][region].user_pools[pool_id]


def save_users(pool_id: str, region: str, path: Path, stamp: Stamp) -> None:
    """Write the pool's users (with ``sub``, status, password and groups) to ``path``, atomically, with the stamp
    their data carries too (see ``local/state.py``)."""
    users = [
        {
            "username": user.username,
            "password": user.password,
            "status": str(getattr(user.status, "value", user.status)),
            "enabled": user.enabled,
            "attributes": user.attributes,
            "groups": sorted(group.group_name for group in user.groups),
        }
        for user in list(_pool(pool_id, region).users.values())
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"state_id": stamp.state_id, "since": stamp.since, "users": users}, indent=1))
    os.replace(partial, path)


def _saved(path: Path) -> dict[str, Any]:
    saved = json.loads(path.read_text())
    return {"state_id": "", "since": "", "users": saved} if isinstance(saved, list) else saved  # an earlier version's


def saved_stamp(path: Path) -> Stamp | None:
    """The stamp of the users saved in ``path``; None when none are saved."""
    if not path.is_file():
        return None
    saved = _saved(path)
    return Stamp(saved["state_id"], saved["since"])


def restore_users(pool_id: str, region: str, path: Path) -> set[str]:
    """Put back the users saved in ``path`` (none if it does not exist); return their emails."""
    from moto.cognitoidp.models import CognitoIdpUser, UserStatus

    if not path.is_file():
        return set()
    pool, emails = _pool(pool_id, region), set()
    for saved in _saved(path)["users"]:
        sub = next(a["Value"] for a in saved["attributes"] if a["Name"] == "sub")
        user = CognitoIdpUser(pool_id, saved["username"], saved["password"], UserStatus(saved["status"]),
                              saved["attributes"])  # fmt: skip
        user.id = sub  # __init__ drew a new sub; the saved one is the user's identity, which the data refers to
        user.update_attributes([{"Name": "sub", "Value": sub}])
        user.enabled = saved["enabled"]
        pool.users[user.username] = user
        for name in saved["groups"]:
            if name in pool.groups:
                pool.groups[name].users.add(user)
                user.groups.add(pool.groups[name])
        emails.add(user.attribute_lookup.get("email", user.username))
    return emails


MODEL_CALLS: dict[str, Callable[..., Any]] = {
    "honour_admin_only_pools": honour_admin_only_pools,
    "restore_users": restore_users,
    "save_users": save_users,
}
"""The functions that work on moto's model, by the name a ``ModelCall`` gives."""
