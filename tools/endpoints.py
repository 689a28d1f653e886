"""The endpoints file: the contract between a target (the local runtime, or a stack in AWS) and what drives it.

The local runtime writes it (``.local/endpoints.json``) once it is ready; a stack's outputs give the same shape
(:func:`from_stack_outputs`). The smoke flows (``local/demo.py``) and DAST (``tools/dast.py``) read it::

    {"aws_endpoint": "http://127.0.0.1:8700",   # local AWS; null for a stack in AWS
     "region": "us-east-1",
     "console_url": "http://127.0.0.1:8705",    # the local console (local/console.py); local only
     "users_secret": null,                      # a stack's smoke users: the Secrets Manager secret with their passwords
     "systems": {"moving": {"api_url", "site_url", "user_pool_id", "client_id", "issuer", "jwks_url",
                            "topic_inboxes": {"<topic>": "<queue url>"},   # local only
                            "users": [{"email", "password", "groups"}]}}}

A stack's file never holds passwords: its users carry ``"password": null`` and :func:`load` reads them from the
secret named by ``users_secret``, so the file can be kept and shared while the users exist.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
"""What local AWS (moto) accepts; a stack in AWS uses the caller's own credentials."""


class EndpointsError(ValueError):
    """The endpoints file or the stack's outputs do not have the expected shape; the message names what is wrong."""


@dataclass(frozen=True)
class User:
    email: str
    password: str | None
    groups: tuple[str, ...]


@dataclass
class SystemEndpoints:
    api_url: str
    user_pool_id: str
    client_id: str
    issuer: str
    jwks_url: str
    site_url: str | None = None
    topic_inboxes: dict[str, str] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)


@dataclass
class Endpoints:
    region: str
    systems: dict[str, SystemEndpoints]
    aws_endpoint: str | None = None
    users_secret: str | None = None
    console_url: str | None = None
    """The local console's; None for a stack in AWS."""

    @property
    def local(self) -> bool:
        """True for the local runtime: its topics' inboxes and ``/_local/`` controls can be used."""
        return self.aws_endpoint is not None

    def client(self, service: str) -> Any:
        """A boto3 client for this target: local AWS with its fixed credentials, or AWS with the caller's."""
        import boto3

        if self.aws_endpoint:
            return boto3.client(service, region_name=self.region, endpoint_url=self.aws_endpoint, **LOCAL_CREDENTIALS)
        return boto3.client(service, region_name=self.region)

    def sign_in(self, system: str, user: User) -> dict[str, Any]:
        """Password sign-in on the system's web client, as the web app does; Cognito's AuthenticationResult."""
        result = self.client("cognito-idp").initiate_auth(
            ClientId=self.systems[system].client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user.email, "PASSWORD": user.password or ""},
        )
        return dict(result["AuthenticationResult"])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> None:
        """Write the file; a stack's users are written without their passwords (they are in the secret)."""
        data = self.to_dict()
        if self.users_secret:
            for system in data["systems"].values():
                system["users"] = [{**user, "password": None} for user in system["users"]]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n")


def from_dict(data: Any) -> Endpoints:
    """The endpoints from the file's JSON; :class:`EndpointsError` names the first missing or malformed key."""
    try:
        systems = {
            name: SystemEndpoints(
                **{k: v for k, v in system.items() if k not in ("users", "topic_inboxes")},
                topic_inboxes=dict(system.get("topic_inboxes") or {}),
                users=[User(u["email"], u.get("password"), tuple(u["groups"])) for u in system.get("users", [])],
            )
            for name, system in data["systems"].items()
        }
        return Endpoints(data["region"], systems, data.get("aws_endpoint"), data.get("users_secret"),
                         data.get("console_url"))  # fmt: skip
    except (KeyError, TypeError, AttributeError) as e:
        raise EndpointsError(f"not an endpoints file: missing or malformed {e}") from None


def load(path: Path) -> Endpoints:
    """Read an endpoints file; a stack's users get their passwords from the secret the file names."""
    try:
        endpoints = from_dict(json.loads(path.read_text()))
    except (OSError, ValueError) as e:
        raise EndpointsError(f"{path}: {e}") from None
    if endpoints.users_secret:
        secret = endpoints.client("secretsmanager").get_secret_value(SecretId=endpoints.users_secret)
        with_passwords(endpoints, json.loads(secret["SecretString"]))
    return endpoints


def with_passwords(endpoints: Endpoints, passwords: dict[str, str]) -> None:
    """Fill in the users' passwords (by email) where the file left them out."""
    for system in endpoints.systems.values():
        system.users = [u if u.password else replace(u, password=passwords.get(u.email)) for u in system.users]


def from_stack_outputs(outputs: dict[str, Any], region: str) -> Endpoints:
    """The endpoints of a deployed stack from its outputs (one object per system, as ``program/main.py`` exports)."""
    systems = {}
    for name, value in outputs.items():
        if not isinstance(value, dict) or "api_url" not in value:
            continue
        try:
            systems[name] = SystemEndpoints(
                api_url=value["api_url"],
                user_pool_id=value["user_pool_id"],
                client_id=value["web_client_id"],
                issuer=value["issuer"],
                jwks_url=value["jwks_url"],
                site_url=value.get("site_url"),
            )
        except KeyError as e:
            raise EndpointsError(f"the stack's output {name!r} has no {e}") from None
    if not systems:
        raise EndpointsError("the stack exports no system (no output with an api_url)")
    return Endpoints(region=region, systems=systems)
