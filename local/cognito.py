"""A system's sign-in on local Cognito (moto): the pool, its groups, a web client and one demo user per group.

Tokens are real RS256 JWTs signed by moto; its JWKS is served at ``<endpoint>/<pool id>/.well-known/jwks.json`` while
the tokens carry AWS's issuer URL, which is why the JWKS URL and the issuer are configured separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from architectures.spec import System
from local.services import LocalAuth

DEMO_PASSWORD = "Local-Demo-Passw0rd!"  # noqa: S105 - a documented local demo password
"""Every demo user's password: local only, printed at start, meets the pool's policy."""


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    groups: tuple[str, ...]


def demo_email(system: System, group: str) -> str:
    return f"{group.removesuffix('s')}@{system.name}.local"


def provision_auth(system: System, session: Any, endpoint: str, region: str) -> tuple[LocalAuth, list[DemoUser]]:
    """Create the pool, groups, client and demo users; return what handlers and the gateway need."""
    idp = session.client("cognito-idp")
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
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        ReadAttributes=["email"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
    )["UserPoolClient"]["ClientId"]
    users = []
    for group in system.groups:
        idp.create_group(UserPoolId=pool_id, GroupName=group.name, Precedence=group.precedence,
                         Description=group.description)  # fmt: skip
        email = demo_email(system, group.name)
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=DEMO_PASSWORD, Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group.name)
        users.append(DemoUser(email, DEMO_PASSWORD, (group.name,)))
    auth = LocalAuth(
        user_pool_id=pool_id,
        client_id=client_id,
        jwks_url=f"{endpoint}/{pool_id}/.well-known/jwks.json",
        issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
    )
    return auth, users


def sign_in(session: Any, auth: LocalAuth, email: str, password: str) -> dict[str, Any]:
    """Password sign-in, as the web app and the smoke run do; returns Cognito's AuthenticationResult."""
    result = session.client("cognito-idp").initiate_auth(
        ClientId=auth.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": password}
    )
    return dict(result["AuthenticationResult"])
