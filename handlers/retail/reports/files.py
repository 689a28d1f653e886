"""The reports bucket (S3) and topic (SNS) behind small adapters, so the handlers are tested with moto or fakes.

Objects are written with ``ServerSideEncryption=AES256`` (the bucket's SSE-S3 default; a KMS bucket key still
applies when configured) and their content type. A missing object is told by ``head_object``: 404, or 403 because
the service's role has ``s3:GetObject`` but not ``s3:ListBucket`` on the bucket, and S3 then answers 403 for a key
that does not exist.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.retail.reports.periods import ReportPeriod
from handlers.retail.reports.runs import CSV_CONTENT_TYPE, JSON_CONTENT_TYPE, keys
from handlers.shared import correlation
from handlers.shared.aws import client

log = logging.getLogger(__name__)

SERVER_SIDE_ENCRYPTION = "AES256"
_MISSING = {"404", "NoSuchKey", "NotFound"}
_DENIED = {"403", "AccessDenied", "Forbidden"}


def signing_s3() -> Any:
    """An S3 client signing with SigV4, which presigned GETs of encrypted objects need (boto3 may otherwise presign
    with SigV2), and whose URLs carry ``X-Amz-Expires``."""
    return client("s3", signature_version="s3v4")


class ReportFiles:
    """The periods' report files in the reports bucket."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def _put(self, key: str, body: str, content_type: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode(), ContentType=content_type,
                           ServerSideEncryption=SERVER_SIDE_ENCRYPTION)  # fmt: skip

    def write(self, period: ReportPeriod, csv_text: str, json_text: str) -> tuple[str, str]:
        """Write (or overwrite) both files; the JSON last, so its presence means the run finished."""
        csv_key, json_key = keys(period)
        self._put(csv_key, csv_text, CSV_CONTENT_TYPE)
        self._put(json_key, json_text, JSON_CONTENT_TYPE)
        return csv_key, json_key

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError  # botocore comes with boto3; imported when S3 is used

        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            code = str(e.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                return False
            if code in _DENIED:
                log.info("head_object %s: %s (no s3:ListBucket, taken as missing)", key, code)
                return False
            raise
        return True

    def exists(self, period: ReportPeriod) -> bool:
        """The period's report was written: its JSON, written last, is there (one request)."""
        return self._exists(keys(period)[1])

    def links(self, period: ReportPeriod, expires_in: int) -> tuple[str, str]:
        """Presigned GET URLs of the CSV and the JSON."""
        return tuple(  # type: ignore[return-value]
            self.s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
            )  # fmt: skip
            for key in keys(period)
        )


class ReportTopic:
    """The reports topic: one message per report written. Without an SNS client, the process's own is made on the first
    message, so the API's cold start makes none."""

    def __init__(self, sns: Any | None, topic_arn: str) -> None:
        self.sns = sns
        self.topic_arn = topic_arn

    def notify(self, subject: str, message: str) -> str:
        sns = self.sns or client("sns")
        sent = sns.publish(TopicArn=self.topic_arn, Subject=subject, Message=message,
                           MessageAttributes=correlation.sns_attributes())  # fmt: skip
        return str(sent["MessageId"])
