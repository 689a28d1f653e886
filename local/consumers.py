"""Delivering queued events to the consumers, as Lambda's SQS event source mapping does.

Each subscription's queue is long-polled (by its own thread in the runtime, so an idle runtime makes a few calls a
second and an event is delivered as soon as it lands) and read in batches of its declared size. The consumer gets a
real SQS event; the records it handled are deleted. Those it reports in ``batchItemFailures``, like every record of
a batch whose invocation failed, are left alone: they are delivered again once the queue's visibility timeout is
over, as in AWS, and after the declared number of receives moto's redrive moves them to the DLQ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from architectures import spec, topology
from local.aws import LocalAws, QueueRef
from local.functions import ServiceFunctions


@dataclass(frozen=True)
class Delivery:
    service: str
    subscription: str
    delivered: int
    failed: int


def sqs_event(messages: list[dict[str, Any]], queue: QueueRef, region: str) -> dict[str, Any]:
    """The event Lambda builds from received SQS messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue.arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def deliver(
    system: spec.System,
    service: spec.Service,
    sub: spec.Subscription,
    made: LocalAws,
    functions: dict[str, ServiceFunctions],
    sqs: Any,
    region: str,
    wait_seconds: int = 0,
) -> Delivery | None:
    """Receive one batch from the subscription's queue (long-polling up to ``wait_seconds``, as the event source
    mapping does) and hand it to the consumer; None when the queue had nothing."""
    queue = made.queues[(service.name, sub.name)]
    messages = sqs.receive_message(
        QueueUrl=queue.url, MaxNumberOfMessages=min(queue.batch_size, 10), AttributeNames=["All"],
        WaitTimeSeconds=wait_seconds,
    ).get("Messages", [])  # fmt: skip
    if not messages:
        return None
    handler = spec.handler_module(system, service, sub.handler)
    response = functions[service.name].invoke(handler, sqs_event(messages, queue, region)) or {}
    failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    for message in messages:
        if message["MessageId"] not in failed:  # a failed one comes back after the visibility timeout
            sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
    return Delivery(service.name, sub.name, len(messages) - len(failed), len(failed))


def deliver_once(
    system: spec.System, made: LocalAws, functions: dict[str, ServiceFunctions], sqs: Any, region: str
) -> list[Delivery]:
    """One pass over every subscription queue of ``system``, without waiting; returns what was delivered."""
    done = [
        deliver(system, service, sub, made, functions, sqs, region) for service, sub in topology.subscriptions(system)
    ]
    return [delivery for delivery in done if delivery is not None]


def drain(
    system: spec.System,
    made: LocalAws,
    functions: dict[str, ServiceFunctions],
    sqs: Any,
    region: str,
    max_rounds: int = 50,
) -> list[Delivery]:
    """Deliver until every queue is empty (events cause events, so this takes several passes)."""
    history: list[Delivery] = []
    for _ in range(max_rounds):
        round_ = deliver_once(system, made, functions, sqs, region)
        if not round_:
            return history
        history += round_
    raise RuntimeError(f"{system.name}: queues still hold messages after {max_rounds} passes")
