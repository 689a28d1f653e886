"""Delivering a queue's events to its consumer as the SQS event source mapping does (local/consumers.py): handled
records are deleted; failed ones, reported by the consumer or of a whole failed batch, come back only once the
queue's visibility timeout is over, as in AWS."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from architectures import SYSTEMS, topology
from local.aws import LocalAws, QueueRef
from local.consumers import Delivery, EventSourceMapping, deliver
from local.functions import ServiceFunctions
from local.workers import Throttled, WorkerSettings

VISIBILITY = 1
SYSTEM = SYSTEMS["moving"]
SERVICE, SUBSCRIPTION = topology.subscriptions(SYSTEM)[0]


class Consumer:
    """Stands in for the subscription's function: fails the records whose body is listed, or the whole batch."""

    def __init__(self, failing: set[str] | None = None, crash: bool = False) -> None:
        self.failing, self.crash, self.seen = failing or set(), crash, []

    def invoke(self, handler: str, event: dict[str, Any]) -> dict[str, Any]:
        self.seen.append([record["body"] for record in event["Records"]])
        if self.crash:
            raise RuntimeError("the consumer crashed")
        failed = [r["messageId"] for r in event["Records"] if r["body"] in self.failing]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # moto in this process
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def queue(sqs: Any) -> LocalAws:
    url = sqs.create_queue(QueueName="events", Attributes={"VisibilityTimeout": str(VISIBILITY)})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return LocalAws(queues={(SERVICE.name, SUBSCRIPTION.name): QueueRef(url, arn, "", 10)})


def bodies(sqs: Any, made: LocalAws) -> list[str]:
    url = made.queues[(SERVICE.name, SUBSCRIPTION.name)].url
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:  # put back at once, so the next look sees them too
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return sorted(m["Body"] for m in messages)


def send(sqs: Any, made: LocalAws, *texts: str) -> None:
    for text in texts:
        sqs.send_message(QueueUrl=made.queues[(SERVICE.name, SUBSCRIPTION.name)].url, MessageBody=text)


def test_a_reported_failure_comes_back_after_the_visibility_timeout_and_the_rest_is_deleted(sqs: Any):
    made = queue(sqs)
    send(sqs, made, "ok", "bad")
    consumer = Consumer(failing={"bad"})
    done = deliver(SYSTEM, SERVICE, SUBSCRIPTION, made, {SERVICE.name: consumer}, sqs, "us-east-1")
    assert done is not None and (done.delivered, done.failed) == (1, 1)
    assert bodies(sqs, made) == []  # not at once
    time.sleep(VISIBILITY + 0.2)
    assert bodies(sqs, made) == ["bad"]  # the handled one is gone


def test_every_record_of_a_failed_batch_comes_back_after_the_same_timeout(sqs: Any):
    made = queue(sqs)
    send(sqs, made, "one", "two")
    with pytest.raises(RuntimeError, match="crashed"):
        deliver(SYSTEM, SERVICE, SUBSCRIPTION, made, {SERVICE.name: Consumer(crash=True)}, sqs, "us-east-1")
    assert bodies(sqs, made) == []
    time.sleep(VISIBILITY + 0.2)
    assert bodies(sqs, made) == ["one", "two"]


def test_a_throttled_consumer_s_batch_goes_back_to_its_queue_until_the_visibility_timeout(sqs: Any):
    made = queue(sqs)
    send(sqs, made, "one")
    # Reserved to 0, the function is throttled before any worker starts, as Lambda does.
    functions = ServiceFunctions("moving-fleet", {}, workers=WorkerSettings(queue_seconds=0.05), concurrency=0)
    with pytest.raises(Throttled):
        deliver(SYSTEM, SERVICE, SUBSCRIPTION, made, {SERVICE.name: functions}, sqs, "us-east-1")
    assert functions.warm == 0
    assert bodies(sqs, made) == []  # not deleted, and not back at once either
    time.sleep(VISIBILITY + 0.2)
    assert bodies(sqs, made) == ["one"]


def test_the_mapping_adds_pollers_while_there_is_a_backlog_and_drops_them_once_the_queue_is_empty():
    backlog, lock = [10] * 12, threading.Lock()  # twelve full batches waiting

    def deliver_batch() -> Delivery | None:
        with lock:
            size = backlog.pop() if backlog else 0
        time.sleep(0.05)  # a batch, or a receive that waited for nothing
        return Delivery(SERVICE.name, SUBSCRIPTION.name, size, 0) if size else None

    stopping = threading.Event()
    mapping = EventSourceMapping("moving/fleet/bookings", deliver_batch, batch_size=10, concurrency=3,
                                 stopping=stopping)  # fmt: skip
    mapping.start()
    seen = set()
    deadline = time.monotonic() + 5
    while (backlog or mapping.polling > 1) and time.monotonic() < deadline:
        seen.add(mapping.polling)
        time.sleep(0.005)
    try:
        assert max(seen) == 3  # scaled out to its concurrency, never past it
        assert not backlog and mapping.polling == 1  # back to the one poller that always polls
    finally:
        stopping.set()
        mapping.join(1)
