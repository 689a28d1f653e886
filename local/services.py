"""A system's services wired for local use: their environment (the same contract as the cloud's) and databases.

The environment comes from ``architectures.wiring`` with local values: moto's names and ARNs, and ``DATABASE_URL``
(SQLite by default, MariaDB/MySQL when configured; ``local/state.py`` names the databases) in place of the cloud's
credentials secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from architectures import spec, wiring
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from local.aws import LocalAws
from local.functions import ServiceFunctions
from local.workers import WorkerSettings

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LocalAuth:
    """The system's local Cognito pool, as handlers and authorizers need it."""

    user_pool_id: str
    client_id: str
    jwks_url: str
    issuer: str


def handler_timeouts(system: spec.System, service: spec.Service) -> dict[str, float]:
    """Each function's timeout, as the cloud's functions have it: the service's for its API (and the authorizer it
    hosts), each subscription's and schedule's own."""
    timeouts = {path: float(service.timeout_seconds) for path in spec.service_handlers(system, service)}
    declared: list[spec.Subscription | spec.Schedule] = [*service.subscriptions, *service.schedules]
    for function in declared:
        timeouts[spec.handler_module(system, service, function.handler)] = float(function.timeout_seconds)
    return timeouts


def service_functions(
    system: spec.System,
    made: LocalAws,
    database_urls: Mapping[str, str],
    auth: LocalAuth | None = None,
    extra_env: Mapping[str, str] | None = None,
    stage: str = "local",
    workers: WorkerSettings | None = None,
) -> dict[str, ServiceFunctions]:
    """Every service of ``system`` with its environment. ``database_urls`` maps each schema to its URL; with
    ``workers``, each function runs in worker processes of its own."""

    def lookup(kind: wiring.ResourceKind, name: str) -> str:
        match kind:
            case "db_secret":
                return ""  # locally the service gets DATABASE_URL instead of a secret
            case "bus":
                return made.bus or ""
            case "table":
                return made.tables[name]
            case "bucket":
                return made.buckets[name]
            case "topic":
                return made.topics[name]
            case "config":
                return ""  # no stack offline: the handlers' defaults apply
        if auth is None:
            raise ValueError(f"{system.name}: {kind} needs the local Cognito pool")
        return {"user_pool": auth.user_pool_id, "user_pool_client": auth.client_id, "jwks_url": auth.jwks_url,
                "issuer": auth.issuer}[kind]  # fmt: skip

    functions = {}
    for service in system.services:
        env = {k: str(v) for k, v in wiring.service_environment(system, service, stage, lookup).items() if v != ""}
        if service.needs.database:
            env["DATABASE_URL"] = database_urls[service.needs.database]
        if service.needs.user_pool:
            env["AUTO_CONFIRM"] = "true"  # no mailbox offline: sign-ups are confirmed at once
        # No CloudWatch offline: the metric lines (EMF) it would ingest from the logs would only clutter the console.
        env["POWERTOOLS_METRICS_DISABLED"] = "true"
        env.update(extra_env or {})
        timeouts = handler_timeouts(system, service)
        functions[service.name] = ServiceFunctions(
            f"{system.name}-{service.name}", env, timeouts=timeouts, workers=workers,
            concurrency=service.reserved_concurrency,
        )  # fmt: skip
    return functions


def _create_mysql_database(url: str) -> None:
    """Locally the runtime owns the server, so it creates each schema's database (in the cloud, migrations do)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = Database.from_url(urlunsplit(parts._replace(path="/")))
    try:
        with server.transaction() as tx:
            tx.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        server.close()


def migrate(system: spec.System, database_urls: Mapping[str, str]) -> dict[str, list[str]]:
    """Apply the shared and each owner's migrations to each schema; returns what was applied."""
    applied = {}
    for service in system.services:
        if service.schema_name:
            url = database_urls[service.schema_name]
            if not url.startswith("sqlite:"):
                _create_mysql_database(url)
            db = Database.from_url(url)
            try:
                migrations = REPO_ROOT / spec.service_folder(system, service) / "migrations"
                applied[service.schema_name] = apply_service_migrations(db, migrations)
            finally:
                db.close()
    return applied
