"""The nightly export on S3 (moto): the key, the headers, the handler wired from the environment, and a restore
from the ``s3://`` object."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re

import boto3
import pytest

from handlers.retail.backups import export as export_module
from handlers.retail.backups.bucket import BackupBucket
from handlers.retail.backups.export import handler
from handlers.retail.backups.logic import parse_dump
from handlers.retail.backups.restore import CATALOG_MIGRATIONS, main
from handlers.retail.backups.usecases import BackupUseCases
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.handlers.retail.backups.conftest import FIXTURE_MIGRATIONS

BUCKET = "retail-backups"


@pytest.fixture
def s3(moto: None):
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def test_export_writes_the_dump_with_its_key_and_headers(database: Database, s3):
    apply_service_migrations(database, FIXTURE_MIGRATIONS)
    with database.transaction() as tx:
        tx.execute("INSERT INTO owners (id, name) VALUES ('o1', 'Ana')")
    now = dt.datetime(2024, 12, 31, 3, 0, 1, tzinfo=dt.UTC)
    result = BackupUseCases(database, BackupBucket(s3, BUCKET), clock=lambda: now).export()
    assert result["key"] == "exports/2024/12/31/retail-20241231T030001Z.json.gz"
    assert result["tables"] == {"counters": 1, "idempotent_requests": 0, "owners": 1, "pets": 0}
    head = s3.head_object(Bucket=BUCKET, Key=result["key"])
    assert head["ContentType"] == "application/json"
    assert head["ContentEncoding"] == "gzip"
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == result["bytes"]
    body = s3.get_object(Bucket=BUCKET, Key=result["key"])["Body"].read()
    assert parse_dump(body).tables["owners"].rows[0][:2] == ["o1", "Ana"]
    assert json.loads(gzip.decompress(body))["created_at"] == "2024-12-31T03:00:01+00:00"


@pytest.mark.skipif(not CATALOG_MIGRATIONS.is_dir(), reason="the retail schema has no migrations")
def test_the_handler_is_wired_from_the_environment_and_its_export_restores(s3, tmp_path, monkeypatch, capsys):
    source_url = f"sqlite:///{tmp_path}/retail.db"
    source = Database.from_url(source_url)
    apply_service_migrations(source, CATALOG_MIGRATIONS)
    with source.transaction() as tx:
        tx.execute("INSERT INTO clients (id, document_id, name, created_at, updated_at) "
                   "VALUES ('c1', 'D-1', 'José', '2024-01-01', '2024-01-01')")  # fmt: skip
    source.close()
    for key, value in {"SYSTEM_NAME": "retail", "SERVICE_NAME": "backups", "STAGE": "test",
                       "DATABASE_URL": source_url, "BUCKET_BACKUPS": BUCKET}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    export_module.default_use_cases.cache_clear()
    try:
        result = handler({"source": "aws.scheduler"}, None)
    finally:
        export_module.default_use_cases.cache_clear()
    assert re.fullmatch(r"exports/\d{4}/\d\d/\d\d/retail-\d{8}T\d{6}Z\.json\.gz", result["key"])
    assert result["tables"]["clients"] == 1 and "outbox" not in result["tables"]
    [listed] = s3.list_objects_v2(Bucket=BUCKET, Prefix="exports/")["Contents"]
    assert listed["Key"] == result["key"]

    target_url = f"sqlite:///{tmp_path}/restored.db"
    assert main([f"s3://{BUCKET}/{result['key']}", "--database-url", target_url]) == 0
    assert "clients: 1 rows" in capsys.readouterr().out
    target = Database.from_url(target_url)
    with target.transaction() as tx:
        assert tx.query("SELECT name FROM clients") == [{"name": "José"}]
    target.close()
    assert main([f"s3://{BUCKET}/exports/none.json.gz", "--database-url", target_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"restore: s3://{BUCKET}/exports/none.json.gz:") and err.count("\n") == 1
