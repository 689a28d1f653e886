"""Smoke users for a stack in AWS: the users the smoke flows and DAST sign in as, created for one run and deleted after.

One confirmed user per group of each system (Cognito admin calls: AdminCreateUser with no message sent,
AdminSetUserPassword permanent, AdminAddUserToGroup), and any other the flows ask for. Their generated passwords go to
a Secrets Manager secret named after the run (``aws-systems/smoke-users/<tag>``), never to a file or the log. Every
address starts with ``smoke-<tag>-``, which is how :meth:`SmokeUsers.delete` finds them, sign-ups made by the flows
included. Never in prod: :func:`refuse_prod`.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass, field

from architectures import SYSTEMS
from local.cognito import add_user
from tools.endpoints import Endpoints, User

SECRET_PREFIX = "aws-systems/smoke-users/"  # noqa: S105 - a name, not a password
EMAIL_DOMAIN = "example.com"
"""Reserved for examples: nothing is delivered there (users are created without a message)."""


class Refused(RuntimeError):
    """Smoke users may not be created on this stack; the message says why."""


def refuse_prod(stack: str, environment: str) -> None:
    if environment == "prod":
        raise Refused(f"refused: stack {stack} is a prod environment; smoke users and test data never go there")


def generated_password() -> str:
    """A random password that meets every pool's policy (12+ characters, upper, lower, digit, symbol)."""
    return f"{secrets.token_urlsafe(24)}-Aa1"


@dataclass
class SmokeUsers:
    """The run's users on the pools of ``endpoints``; :meth:`add` also lists each one in ``endpoints``."""

    tag: str
    endpoints: Endpoints
    passwords: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, endpoints: Endpoints) -> SmokeUsers:
        """The users of the run whose secret ``endpoints`` names (loaded from its endpoints file)."""
        if not endpoints.users_secret or not endpoints.users_secret.startswith(SECRET_PREFIX):
            raise Refused("the endpoints file names no smoke users' secret (users_secret)")
        known = {u.email: u.password for s in endpoints.systems.values() for u in s.users if u.password}
        return cls(endpoints.users_secret.removeprefix(SECRET_PREFIX), endpoints, known)

    @property
    def secret_name(self) -> str:
        return SECRET_PREFIX + self.tag

    @property
    def prefix(self) -> str:
        return f"smoke-{self.tag}-".lower()

    def email(self, label: str) -> str:
        """A new address of this run (for a sign-up, say), found and deleted with the others."""
        return f"{self.prefix}{label}-{secrets.token_hex(3)}@{EMAIL_DOMAIN}"

    def create(self) -> None:
        """The secret, then one user per group of each system."""
        self.endpoints.users_secret = self.secret_name
        self.endpoints.client("secretsmanager").create_secret(
            Name=self.secret_name,
            Description="Passwords of the smoke users of one test run; deleted with them",
            SecretString="{}",
        )
        for name in self.endpoints.systems:
            for group in SYSTEMS[name].groups:
                self.add(name, group.name)

    def add(self, system: str, group: str) -> User:
        """A confirmed user in ``group`` with a generated password, kept in the secret."""
        email, password = self.email(group.removesuffix("s")), generated_password()
        idp = self.endpoints.client("cognito-idp")
        add_user(idp, self.endpoints.systems[system].user_pool_id, email, password, group)
        self.passwords[email] = password
        self.endpoints.client("secretsmanager").put_secret_value(
            SecretId=self.secret_name, SecretString=json.dumps(self.passwords)
        )
        user = User(email, password, (group,))
        self.endpoints.systems[system].users.append(user)
        return user

    def delete(self) -> list[str]:
        """Delete every user of this run from every pool, then the secret; the addresses deleted."""
        idp = self.endpoints.client("cognito-idp")
        deleted = []
        for system in self.endpoints.systems.values():
            pages = idp.get_paginator("list_users").paginate(
                UserPoolId=system.user_pool_id, Filter=f'email ^= "{self.prefix}"'
            )
            for page in pages:
                for found in page["Users"]:
                    idp.admin_delete_user(UserPoolId=system.user_pool_id, Username=found["Username"])
                    deleted.append(next(a["Value"] for a in found["Attributes"] if a["Name"] == "email"))
            system.users = [u for u in system.users if not u.email.startswith(self.prefix)]
        sm = self.endpoints.client("secretsmanager")
        with contextlib.suppress(sm.exceptions.ResourceNotFoundException):
            sm.delete_secret(SecretId=self.secret_name, ForceDeleteWithoutRecovery=True)
        return deleted
