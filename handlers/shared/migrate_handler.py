"""The deploy-time migration Lambda: one service's schema, database user and migrations on RDS MySQL.

Invoked once per deploy when the service's migrations change. With the RDS-managed master secret it creates
the service's schema, then the user ``svc_<schema>`` limited to that schema and required to use TLS. The user's
password is generated once and stored in the service's own secret, which the service reads at run time; later
deploys keep it. Finally it applies the service's migrations connected as that user, over TLS.

Environment (validated at start; a missing variable fails with its name):
``MASTER_SECRET_ARN``, ``SERVICE_SECRET_ARN``, ``DB_HOST``, ``DB_SCHEMA`` (required); ``DB_PORT`` (3306);
``MIGRATIONS_DIR`` (``migrations``; the event's ``migrations_dir`` wins; a relative path is resolved against
the function's code root, ``LAMBDA_TASK_ROOT``); ``DB_SSL_CA`` (a CA bundle in the package, e.g. the RDS
bundle: when set, the server's certificate and host name are verified, otherwise the connection is encrypted
without verification). ``AWS_REGION`` and ``AWS_ENDPOINT_URL`` reach boto3 as usual.

All MySQL-specific SQL of this project lives here; the service's own SQL stays portable.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import secrets
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field

from handlers.shared.aws import client, read_secret_json
from handlers.shared.db import Database
from handlers.shared.entry import lambda_entry
from handlers.shared.migrate import apply_service_migrations
from handlers.shared.settings import EnvSettings

log = logging.getLogger(__name__)

SCHEMA_PATTERN = r"^[a-z][a-z0-9_]{0,27}$"
"""Lowercase identifier; short enough that ``svc_<schema>`` fits MySQL's 32-character user names."""

SERVICE_PRIVILEGES = (
    "SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, "
    "CREATE VIEW, SHOW VIEW, TRIGGER, LOCK TABLES, CREATE TEMPORARY TABLES"
)
"""Data and schema changes inside the service's schema; no GRANT OPTION, no global privilege."""

PASSWORD_BYTES = 32


class MigrateSettings(EnvSettings):
    """The function's environment."""

    master_secret_arn: str = Field(alias="MASTER_SECRET_ARN", min_length=1)
    service_secret_arn: str = Field(alias="SERVICE_SECRET_ARN", min_length=1)
    db_host: str = Field(alias="DB_HOST", min_length=1)
    db_port: int = Field(3306, alias="DB_PORT", ge=1, le=65535)
    db_schema: str = Field(alias="DB_SCHEMA", pattern=SCHEMA_PATTERN)
    migrations_dir: str = Field("migrations", alias="MIGRATIONS_DIR", min_length=1)
    db_ssl_ca: str | None = Field(None, alias="DB_SSL_CA")

    @property
    def service_user(self) -> str:
        return f"svc_{self.db_schema}"


@lambda_entry()
def handler(event: Mapping[str, Any] | None, context: Any) -> dict[str, Any]:
    """Lambda entry point: ``{"migrations_dir": "..."}`` in the event is optional."""
    logging.getLogger("handlers").setLevel(logging.INFO)
    settings = MigrateSettings.from_env()
    return migrate(settings, client("secretsmanager"), _migrations_dir(event or {}, settings))


def migrate(settings: MigrateSettings, secrets_client: Any, migrations_dir: Path) -> dict[str, Any]:
    """Create the schema and the service user, store its credentials once, and apply the shared and the
    service's migrations."""
    master = read_secret_json(settings.master_secret_arn, secrets_client)
    if not master or not master.get("username") or not master.get("password"):
        raise RuntimeError(f"{settings.master_secret_arn}: the master secret has no username/password")
    admin = _connect(settings, master["username"], master["password"], database="")
    try:
        _create_schema(admin, settings.db_schema)
        password = service_password(secrets_client, settings)
        _create_or_update_user(admin, settings, password)
    finally:
        admin.close()
    service = _connect(settings, settings.service_user, password, database=settings.db_schema)
    try:
        applied = apply_service_migrations(service, migrations_dir)
    finally:
        service.close()
    log.info("schema %s: %d migration(s) applied", settings.db_schema, len(applied))
    return {"schema": settings.db_schema, "applied": applied}


# --- MySQL ---------------------------------------------------------------------------------------------------------


def _connect(settings: MigrateSettings, user: str, password: str, database: str) -> Database:
    return Database.mysql(
        settings.db_host, settings.db_port, user=user, password=password, database=database,
        ssl=True, ssl_ca=settings.db_ssl_ca,
    )  # fmt: skip


def _create_schema(admin: Database, schema: str) -> None:
    charset = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    with admin.transaction() as tx:
        tx.execute(f"CREATE DATABASE IF NOT EXISTS {_ident(schema)} {charset}")


def _create_or_update_user(admin: Database, settings: MigrateSettings, password: str) -> None:
    """The user exists with the stored password, requires TLS, and holds privileges on its schema only."""
    user = f"{_string(settings.service_user)}@'%'"
    # In GRANT, `_` and `%` in a database name are wildcards: escape them, or svc_a_b could reach aXb.
    schema_pattern = _ident(settings.db_schema.replace("_", "\\_"))
    with admin.transaction() as tx:
        tx.execute(f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY :password REQUIRE SSL", {"password": password})
        tx.execute(f"ALTER USER {user} IDENTIFIED BY :password REQUIRE SSL", {"password": password})
        tx.execute(f"GRANT {SERVICE_PRIVILEGES} ON {schema_pattern}.* TO {user}")
    log.info("user %s ready on schema %s", settings.service_user, settings.db_schema)


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


# --- Secrets Manager -----------------------------------------------------------------------------------------------


@functools.cache
def service_password(client: Any, settings: MigrateSettings) -> str:
    """The stored password; on the first deploy, a new one, stored before any database user has it."""
    stored = read_secret_json(settings.service_secret_arn, client)
    if stored is None:
        value = {
            "username": settings.service_user,
            "password": secrets.token_urlsafe(PASSWORD_BYTES),
            "host": settings.db_host,
            "port": settings.db_port,
            "dbname": settings.db_schema,
        }
        # A fixed request token makes a concurrent first write fail instead of silently replacing this one.
        token = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.service_secret_arn}#initial"))
        try:
            client.put_secret_value(
                SecretId=settings.service_secret_arn, SecretString=json.dumps(value), ClientRequestToken=token
            )
            log.info("stored new credentials for %s", settings.service_user)
        except client.exceptions.ResourceExistsException:
            pass
        stored = read_secret_json(settings.service_secret_arn, client)
    if not stored or not stored.get("password"):
        raise RuntimeError(f"{settings.service_secret_arn}: the service secret has no password")
    return str(stored["password"])


def _migrations_dir(event: Mapping[str, Any], settings: MigrateSettings) -> Path:
    path = Path(str(event.get("migrations_dir") or settings.migrations_dir))
    return path if path.is_absolute() else Path(os.environ.get("LAMBDA_TASK_ROOT", ".")) / path
