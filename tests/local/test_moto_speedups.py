"""local/moto_speedups.py: local AWS answers as moto does, without its costs that grow with use."""

from __future__ import annotations

from typing import Any

import boto3
import jsonpath_ng.ext
import pytest
from moto import mock_aws
from moto.sqs import sqs_backends
from moto.sqs.models import SQSBackend

from local import moto_speedups


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed for this test only (monkeypatch puts moto's own back)."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setattr(jsonpath_ng.ext, "parse", jsonpath_ng.ext.parse)
    check = SQSBackend.is_message_valid_based_on_retention_period
    monkeypatch.setattr(SQSBackend, "is_message_valid_based_on_retention_period", check)
    moto_speedups.apply()


def test_each_jsonpath_is_parsed_once_and_still_finds_the_same(applied: None):
    first, again = jsonpath_ng.ext.parse("$.detail.id"), jsonpath_ng.ext.parse("$.detail.id")
    assert first is again
    assert [m.value for m in first.find({"detail": {"id": "m-1"}})] == ["m-1"]


def test_the_retention_check_answers_as_moto_s_and_receiving_still_works(applied: None):
    with mock_aws():
        sqs: Any = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="fresh")
        backend = sqs_backends["123456789012"]["us-east-1"]
        [message] = backend.get_queue("q")._messages
        assert backend.is_message_valid_based_on_retention_period("q", message)
        message.sent_timestamp -= 61_000  # older than the queue's 60 s
        assert not backend.is_message_valid_based_on_retention_period("q", message)
        message.sent_timestamp += 61_000
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["fresh"]
