"""The service's own database, from its settings: ``DATABASE_URL`` locally, the credentials secret in the cloud."""

from __future__ import annotations

import os
from typing import Any

from handlers.shared.aws import read_secret_json
from handlers.shared.db import Database
from handlers.shared.settings import ServiceSettings, SettingsError


def service_database(settings: ServiceSettings, secrets_client: Any | None = None) -> Database:
    """Connect (lazily) to the service's schema. The secret holds username, password, host, port and dbname."""
    if settings.database_url:
        return Database.from_url(settings.database_url)
    if not settings.db_secret_arn:
        raise SettingsError("environment: DATABASE_URL or DB_SECRET_ARN is required")
    secret = read_secret_json(settings.db_secret_arn, secrets_client)
    missing = [k for k in ("username", "password", "host", "dbname") if not (secret or {}).get(k)]
    if secret is None or missing:
        raise SettingsError(f"DB_SECRET_ARN: the secret lacks {', '.join(missing) or 'a value'}; has the deploy run?")
    return Database.mysql(
        secret["host"],
        int(secret.get("port", 3306)),
        user=secret["username"],
        password=secret["password"],
        database=secret["dbname"],
        ssl=True,
        ssl_ca=os.environ.get("DB_SSL_CA"),
    )
