"""local/moto_speedups.py: local AWS answers as moto does, without its costs that grow with use."""

from __future__ import annotations

from typing import Any

import boto3
import jsonpath_ng.ext
import pytest
from moto import mock_aws
from moto.sqs import sqs_backends
from moto.sqs.models import Queue, SQSBackend

from local import moto_speedups

COUNTS = ("messages", "approximate_number_of_messages_delayed", "approximate_number_of_messages_not_visible")


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed for this test only (monkeypatch puts moto's own back)."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setattr(jsonpath_ng.ext, "parse", jsonpath_ng.ext.parse)
    check = SQSBackend.is_message_valid_based_on_retention_period
    monkeypatch.setattr(SQSBackend, "is_message_valid_based_on_retention_period", check)
    for name in COUNTS:
        monkeypatch.setattr(Queue, name, vars(Queue)[name])
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


def test_the_queue_s_counts_tell_visible_in_flight_and_delayed_messages_apart_as_moto_does(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        sqs: Any = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="c", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        for body in ("a", "b", "c"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)  # one in flight
        queue = sqs_backends["123456789012"]["us-east-1"].get_queue("c")
        moto_s = {name: getattr(queue, name) for name in COUNTS}
        for name in COUNTS:
            monkeypatch.setattr(Queue, name, vars(Queue)[name])
        moto_speedups.apply()
        ours = {name: getattr(queue, name) for name in COUNTS}
        assert ours == moto_s
        assert (len(ours["messages"]), ours["approximate_number_of_messages_delayed"]) == (2, 1)
        assert ours["approximate_number_of_messages_not_visible"] == 1
