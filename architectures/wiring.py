"""The environment contract between a declaration and its handler code, shared by both runtimes.

The cloud fills the values with Pulumi Outputs (ARNs, names); the local runtime fills them with moto's and SQLite's.
The names are decided here only, so a handler reads the same variables wherever it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from architectures.spec import LambdaAuthorizer, Service, System

T = TypeVar("T")

ResourceKind = Literal[
    "db_secret", "bus", "table", "bucket", "topic", "user_pool", "user_pool_client", "jwks_url", "issuer", "config"
]
Lookup = Callable[[ResourceKind, str], T]
"""Resolves a declared resource to the value a handler needs, e.g. ``lookup("table", "settings")`` → its name."""


def env_name(name: str) -> str:
    """``customer-notifications`` → ``CUSTOMER_NOTIFICATIONS``."""
    return name.upper().replace("-", "_")


def service_environment(system: System, service: Service, stage: str, lookup: Lookup[T]) -> dict[str, T | str]:
    """Every environment variable a service's functions get. Secrets never appear: only the secret's ARN does."""
    env: dict[str, T | str] = {
        "SYSTEM_NAME": system.name,
        "SERVICE_NAME": service.name,
        "STAGE": stage,
        "POWERTOOLS_SERVICE_NAME": f"{system.name}-{service.name}",
        "POWERTOOLS_METRICS_NAMESPACE": system.name,
    }
    needs = service.needs
    if needs.database:
        env["DB_SECRET_ARN"] = lookup("db_secret", needs.database)
    if needs.publishes and system.bus:
        env["EVENT_BUS_NAME"] = lookup("bus", system.bus)
        env["EVENT_SOURCE"] = system.source(service)
    for table in needs.tables:
        env[f"TABLE_{env_name(table)}"] = lookup("table", table)
    for bucket in needs.buckets:
        env[f"BUCKET_{env_name(bucket)}"] = lookup("bucket", bucket)
    for topic in needs.topics:
        env[f"TOPIC_{env_name(topic)}_ARN"] = lookup("topic", topic)
    for section in needs.config:
        env[f"CONFIG_{env_name(section)}"] = lookup("config", section)
    if needs.user_pool:
        env["USER_POOL_ID"] = lookup("user_pool", system.name)
        env["USER_POOL_CLIENT_ID"] = lookup("user_pool_client", system.name)
        if service.runtime == "kubernetes":  # behind an HTTP proxy the container verifies tokens itself
            env["JWKS_URL"] = lookup("jwks_url", system.name)
            env["TOKEN_ISSUER"] = lookup("issuer", system.name)
    if isinstance(system.authorizer, LambdaAuthorizer) and system.authorizer.service == service.name:
        env.update(authorizer_environment(system, lookup))
    return env


def authorizer_environment(system: System, lookup: Lookup[T]) -> dict[str, T | str]:
    """What a Lambda authorizer needs: where the keys are and whom to trust. Its group rules come from the
    declaration it ships with (``System.route_groups``)."""
    return {
        "JWKS_URL": lookup("jwks_url", system.name),
        "TOKEN_ISSUER": lookup("issuer", system.name),
        "USER_POOL_CLIENT_ID": lookup("user_pool_client", system.name),
    }


def site_config(*, api_url: T, region: str, user_pool_id: T, client_id: T, cognito_endpoint: str) -> dict[str, T | str]:
    """The web app's runtime config (``config.json``): where its API and its sign-in are, in either runtime."""
    return {
        "apiUrl": api_url,
        "region": region,
        "userPoolId": user_pool_id,
        "clientId": client_id,
        "cognitoEndpoint": cognito_endpoint,
    }
