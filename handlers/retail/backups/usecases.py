"""What the backups service does: a consistent logical dump of the retail schema, written to the backups bucket
(``handlers/shared/usecases.py`` is the shape every service shares; restoring is a command, ``restore.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Self

from pydantic import Field
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.retail.backups.bucket import BackupBucket
from handlers.retail.backups.logic import build_dump, export_key, serialize
from handlers.retail.backups.snapshot import read_snapshot
from handlers.shared.aws import client
from handlers.shared.db import Database, service_database
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases

log = logging.getLogger(__name__)


class BackupSettings(ServiceSettings):
    bucket_backups: str = Field(alias="BUCKET_BACKUPS", min_length=1)


class Export(TypedDict):
    """What an export wrote: its key, the rows of each table and its size in bytes."""

    key: str
    tables: dict[str, int]
    bytes: int


class BackupUseCases(UseCases):
    def __init__(self, db: Database, bucket: BackupBucket, **adapters: Any) -> None:
        super().__init__(db, **adapters)
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), BackupBucket(client("s3"), BackupSettings.from_env().bucket_backups))

    def export(self, on_table: Callable[[str], None] | None = None) -> Export:
        """Dump the database, read in one snapshot, to ``exports/YYYY/MM/DD/retail-<UTC timestamp>.json.gz``."""
        now = self.clock()
        with self.reading() as tx:
            versions, tables = read_snapshot(tx, on_table)
        dump = serialize(build_dump(now, versions, tables))
        key = export_key(now)
        self.bucket.put(key, dump)
        counts = {name: len(t.rows) for name, t in tables.items()}
        log.info("exported %d tables (%d rows, %d bytes) to s3://%s/%s", len(counts), sum(counts.values()),
                 len(dump), self.bucket.bucket, key)  # fmt: skip
        return {"key": key, "tables": counts, "bytes": len(dump)}
