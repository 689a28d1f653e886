"""The backups bucket (S3) behind a small adapter, so the export is tested with moto or a fake.

A dump is written gzip'd JSON with its content type and encoding, and ``ServerSideEncryption=AES256`` (the bucket's
SSE-S3 default; a KMS bucket key still applies when configured).
"""

from __future__ import annotations

from typing import Any

CONTENT_TYPE = "application/json"
CONTENT_ENCODING = "gzip"
SERVER_SIDE_ENCRYPTION = "AES256"


class BackupBucket:
    """Dumps in one bucket."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def put(self, key: str, dump: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=dump, ContentType=CONTENT_TYPE,
                           ContentEncoding=CONTENT_ENCODING, ServerSideEncryption=SERVER_SIDE_ENCRYPTION)  # fmt: skip
