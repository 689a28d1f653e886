"""The ``nightly-export`` schedule: a consistent logical dump of the retail schema to the backups bucket.

Writes ``exports/YYYY/MM/DD/retail-<UTC timestamp>.json.gz`` (format ``retail-dump/1``, see ``logic``) and returns
``{"key": ..., "tables": {name: row_count}, "bytes": ...}``. Restore with ``python -m handlers.retail.backups.restore``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from pydantic import Field

from handlers.retail.backups.logic import build_dump, export_key, serialize
from handlers.retail.backups.snapshot import read_snapshot
from handlers.shared.aws import client
from handlers.shared.clock import utc_now
from handlers.shared.db import Database, service_database
from handlers.shared.entry import lambda_entry
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/json"
CONTENT_ENCODING = "gzip"
SERVER_SIDE_ENCRYPTION = "AES256"  # the bucket's default (SSE-S3); a KMS bucket key still applies when configured


class BackupSettings(ServiceSettings):
    bucket_backups: str = Field(alias="BUCKET_BACKUPS", min_length=1)


def export(
    db: Database,
    s3: Any,
    bucket: str,
    *,
    now: dt.datetime | None = None,
    on_table: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Dump the database in one snapshot and write it to ``bucket``."""
    now = now or utc_now()
    versions, tables = read_snapshot(db, on_table)
    body = serialize(build_dump(now, versions, tables))
    key = export_key(now)
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType=CONTENT_TYPE,
        ContentEncoding=CONTENT_ENCODING,
        ServerSideEncryption=SERVER_SIDE_ENCRYPTION,
    )
    counts = {name: len(t.rows) for name, t in tables.items()}
    log.info("exported %d tables (%d rows, %d bytes) to s3://%s/%s", len(counts), sum(counts.values()),
             len(body), bucket, key)  # fmt: skip
    return {"key": key, "tables": counts, "bytes": len(body)}


@functools.cache
def _wiring() -> tuple[BackupSettings, Database]:
    settings = BackupSettings.from_env()
    return settings, service_database(settings)


@lambda_entry()
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings, db = _wiring()
    return export(db, client("s3"), settings.bucket_backups)
