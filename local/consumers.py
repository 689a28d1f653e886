"""Delivering queued events to the consumers, as Lambda's SQS event source mapping does.

Each subscription's queue is read in batches of its declared size; the consumer gets a real SQS event; the records it
reports in ``batchItemFailures`` are made visible again at once (so they are retried, and after the declared number
of receives moto's redrive moves them to the DLQ); the others are deleted.
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


def deliver_once(
    system: spec.System, made: LocalAws, functions: dict[str, ServiceFunctions], sqs: Any, region: str
) -> list[Delivery]:
    """One pass over every subscription queue of ``system``; returns what was delivered."""
    done = []
    for service, sub in topology.subscriptions(system):
        queue = made.queues[(service.name, sub.name)]
        messages = sqs.receive_message(
            QueueUrl=queue.url, MaxNumberOfMessages=min(queue.batch_size, 10), AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            continue
        handler = spec.handler_module(system, service, sub.handler)
        response = functions[service.name].invoke(handler, sqs_event(messages, queue, region)) or {}
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
        done.append(Delivery(service.name, sub.name, len(messages) - len(failed), len(failed)))
    return done


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
