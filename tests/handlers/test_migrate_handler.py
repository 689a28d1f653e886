"""The migration Lambda: settings, the service secret written once, and the full run against MariaDB + moto."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from handlers.shared import migrate_handler
from handlers.shared.db import Database
from handlers.shared.migrate_handler import MigrateSettings, service_password
from handlers.shared.settings import SettingsError
from tests.handlers.conftest import MariaDB, fake_aws, fresh_name, require_mariadb

REGION = "eu-west-1"
REQUIRED = ("MASTER_SECRET_ARN", "SERVICE_SECRET_ARN", "DB_HOST", "DB_SCHEMA")


@pytest.fixture
def secretsmanager(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Secrets Manager in moto; the handler's lazy client is reset so it is created inside the mock."""
    with fake_aws(monkeypatch, REGION):
        yield boto3.client("secretsmanager", region_name=REGION)


def _settings(**overrides: str) -> MigrateSettings:
    env = {
        "MASTER_SECRET_ARN": "arn:master",
        "SERVICE_SECRET_ARN": "arn:service",
        "DB_HOST": "db.internal",
        "DB_SCHEMA": "moving_moves",
    }
    return MigrateSettings.from_env({**env, **overrides})


# --- settings -----------------------------------------------------------------------------------------------------


def test_missing_variables_are_named() -> None:
    with pytest.raises(SettingsError) as err:
        MigrateSettings.from_env({"DB_HOST": "db"})
    message = str(err.value)
    assert message.startswith("environment: ")
    for name in ("MASTER_SECRET_ARN", "SERVICE_SECRET_ARN", "DB_SCHEMA"):
        assert name in message
    assert "DB_HOST" not in message


def test_defaults_and_the_service_user_name() -> None:
    settings = _settings()
    assert (settings.db_port, settings.migrations_dir, settings.db_ssl_ca) == (3306, "migrations", None)
    assert settings.service_user == "svc_moving_moves"


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"DB_SCHEMA": "Moving-Moves"}, "DB_SCHEMA"),
        ({"DB_SCHEMA": "a" * 29}, "DB_SCHEMA"),  # svc_ + 29 chars would exceed MySQL's 32-character user names
        ({"DB_PORT": "0"}, "DB_PORT"),
        ({"DB_PORT": "mysql"}, "DB_PORT"),
    ],
)
def test_invalid_values_are_named(overrides: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=f"^environment: {name}: "):
        _settings(**overrides)


def test_the_migrations_dir_comes_from_the_event_then_env_relative_to_the_code_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    settings = _settings(MIGRATIONS_DIR="handlers/moving/moves/migrations")
    assert migrate_handler._migrations_dir({}, settings) == Path("/var/task/handlers/moving/moves/migrations")
    assert migrate_handler._migrations_dir({"migrations_dir": "/abs/m"}, settings) == Path("/abs/m")
    assert migrate_handler._migrations_dir({"schema": "x"}, _settings()) == Path("/var/task/migrations")


# --- the service secret (moto only) ---------------------------------------------------------------------------------


def test_the_service_password_is_generated_once_and_kept(secretsmanager: Any) -> None:
    arn = secretsmanager.create_secret(Name="moves-db")["ARN"]
    settings = _settings(SERVICE_SECRET_ARN=arn, DB_PORT="3307")
    first = service_password(secretsmanager, settings)
    assert len(first) >= 40
    stored = json.loads(secretsmanager.get_secret_value(SecretId=arn)["SecretString"])
    assert stored == {
        "username": "svc_moving_moves",
        "password": first,
        "host": "db.internal",
        "port": 3307,
        "dbname": "moving_moves",
    }
    assert service_password(secretsmanager, settings) == first
    versions = secretsmanager.list_secret_version_ids(SecretId=arn)["Versions"]
    assert len(versions) == 1, "a redeploy writes nothing"


def test_a_concurrent_first_write_wins_and_both_runs_use_it(secretsmanager: Any) -> None:
    arn = secretsmanager.create_secret(Name="moves-db")["ARN"]
    settings = _settings(SERVICE_SECRET_ARN=arn)

    class RacingClient:
        """Another run stores its password, with the same request token, just before this one does."""

        exceptions = secretsmanager.exceptions

        def get_secret_value(self, **kwargs: Any) -> Any:
            return secretsmanager.get_secret_value(**kwargs)

        def put_secret_value(self, **kwargs: Any) -> Any:
            winner = json.dumps({"username": "svc_moving_moves", "password": "the-winner"})
            secretsmanager.put_secret_value(**{**kwargs, "SecretString": winner})
            return secretsmanager.put_secret_value(**kwargs)

    assert service_password(RacingClient(), settings) == "the-winner"


def test_a_master_secret_without_credentials_fails_before_connecting(secretsmanager: Any, tmp_path: Path) -> None:
    master = secretsmanager.create_secret(Name="master")["ARN"]
    service = secretsmanager.create_secret(Name="svc")["ARN"]
    settings = _settings(MASTER_SECRET_ARN=master, SERVICE_SECRET_ARN=service, DB_HOST="203.0.113.1")
    with pytest.raises(RuntimeError, match=f"^{master}: the master secret has no username/password"):
        migrate_handler.migrate(settings, secretsmanager, tmp_path)


# --- the full run against MariaDB ---------------------------------------------------------------------------------


@pytest.fixture
def tls_mariadb(mariadb: MariaDB) -> MariaDB:
    """The handler only connects over TLS, so the server must offer it."""
    with mariadb.admin.transaction() as tx:
        row = tx.query_one("SHOW VARIABLES LIKE 'have_ssl'")
    if not row or row["Value"] != "YES":
        require_mariadb("MariaDB has no TLS configured (have_ssl is not YES)")
    return mariadb


@pytest.fixture
def schema(tls_mariadb: MariaDB) -> Iterator[str]:
    """A fresh schema name; the schema, its look-alike and the service user are dropped afterwards."""
    name = fresh_name("mt")
    yield name
    with tls_mariadb.admin.transaction() as tx:
        tx.execute(f"DROP DATABASE IF EXISTS `{name}`")
        tx.execute(f"DROP DATABASE IF EXISTS `{name.replace('_', 'x')}`")
        tx.execute(f"DROP USER IF EXISTS 'svc_{name}'@'%'")


@pytest.mark.mariadb
def test_the_handler_creates_schema_user_secret_and_applies_migrations_once(
    tls_mariadb: MariaDB, schema: str, secretsmanager: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    master = secretsmanager.create_secret(
        Name="rds-master", SecretString=json.dumps({"username": tls_mariadb.user, "password": tls_mariadb.password})
    )["ARN"]
    service = secretsmanager.create_secret(Name="svc-db")["ARN"]
    migrations = tmp_path / "code" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "001_create.sql").write_text("CREATE TABLE moves (id VARCHAR(36) NOT NULL PRIMARY KEY);\n")
    env = {
        "MASTER_SECRET_ARN": master,
        "SERVICE_SECRET_ARN": service,
        "DB_HOST": tls_mariadb.host,
        "DB_PORT": str(tls_mariadb.port),
        "DB_SCHEMA": schema,
        "LAMBDA_TASK_ROOT": str(tmp_path / "code"),
    }
    if os.environ.get("MARIADB_SSL_CA"):
        env["DB_SSL_CA"] = os.environ["MARIADB_SSL_CA"]  # verify the server's certificate as well
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    shared = ["shared-001", "shared-002", "shared-003", "shared-004"]  # outbox, processed events, idempotency
    assert migrate_handler.handler({"schema": schema}, None) == {"schema": schema, "applied": [*shared, "001"]}

    creds = json.loads(secretsmanager.get_secret_value(SecretId=service)["SecretString"])
    assert creds["username"] == f"svc_{schema}" and creds["dbname"] == schema
    svc = Database.mysql(tls_mariadb.host, tls_mariadb.port, user=creds["username"], password=creds["password"],
                         database=schema, ssl=True)  # fmt: skip
    with svc.transaction() as tx:
        assert tx.query_one("SHOW STATUS LIKE 'Ssl_cipher'")["Value"], "the service user's session uses TLS"
        tx.execute("INSERT INTO moves (id) VALUES ('m1')")
    with tls_mariadb.admin.transaction() as tx:
        user = tx.query_one("SELECT ssl_type FROM mysql.user WHERE User = :u", {"u": f"svc_{schema}"})
        assert user == {"ssl_type": "ANY"}, "the user must connect over TLS"
        tx.execute(f"CREATE DATABASE `{schema.replace('_', 'x')}`")

    # Privileges stop at the schema: not another database, not even one the unescaped `_` wildcard would match.
    for sql in (f"CREATE TABLE `{schema.replace('_', 'x')}`.t (x INT)", f"CREATE DATABASE `{schema}_2`"):
        with pytest.raises(Exception, match="denied"), svc.transaction() as tx:
            tx.execute(sql)

    # A redeploy applies only what is new and keeps the password (the service's connection still works).
    (migrations / "002_note.sql").write_text("ALTER TABLE moves ADD COLUMN note VARCHAR(100);\n")
    assert migrate_handler.handler({}, None) == {"schema": schema, "applied": ["002"]}
    assert migrate_handler.handler({}, None) == {"schema": schema, "applied": []}
    assert len(secretsmanager.list_secret_version_ids(SecretId=service)["Versions"]) == 1
    svc.close()
    with svc.transaction() as tx:
        assert tx.query("SELECT id, note FROM moves") == [{"id": "m1", "note": None}]
    svc.close()
