"""Provisioning a system's AWS side on a local AWS API (moto), from the same declaration the cloud uses.

Buses, one rule + queue + DLQ per subscription (patterns from ``architectures.topology``), topics, tables and
buckets. Names are prefixed with the system's name, so the three systems can share one moto server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from architectures import topology
from architectures.spec import System


@dataclass(frozen=True)
class QueueRef:
    url: str
    arn: str
    dlq_url: str
    batch_size: int


@dataclass
class LocalAws:
    """What was provisioned for one system, by declared name."""

    bus: str | None = None
    queues: dict[tuple[str, str], QueueRef] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    topic_inboxes: dict[str, str] = field(default_factory=dict)
    """Per topic, the URL of a queue subscribed to it, so what the system sends (emails, SMS, alerts) can be read."""
    tables: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)


def _queue(sqs: Any, name: str, attributes: dict[str, str] | None = None) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


INBOX_RETENTION_SECONDS = 24 * 3600
"""How long a topic's inbox keeps a message nobody read: a runtime left running does not pile them up for ever."""
LOCAL_VISIBILITY_SECONDS = 5
"""Locally, a queue's visibility timeout: how long a received message stays hidden, so how soon a failed record
(reported in ``batchItemFailures`` or of a whole failed batch) is delivered again. The cloud's is 6x the consumer's
timeout (``aws_systems/defaults.py``); a short one keeps retries quick while developing."""


def provision(system: System, session: Any, visibility_seconds: int = LOCAL_VISIBILITY_SECONDS) -> LocalAws:
    """Create everything ``system`` declares on the AWS API ``session`` (a boto3 Session) points at; each
    subscription queue hides a received message for ``visibility_seconds``."""
    made = LocalAws()
    if system.bus:
        made.bus = f"{system.name}-{system.bus}"
        events, sqs = session.client("events"), session.client("sqs")
        events.create_event_bus(Name=made.bus)
        for service, sub in topology.subscriptions(system):
            name = f"{system.name}-{service.name}-{sub.name}"
            dlq_url, dlq_arn = _queue(sqs, f"{name}-dlq")
            redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": sub.max_receive_count})
            url, arn = _queue(sqs, name, {"RedrivePolicy": redrive, "VisibilityTimeout": str(visibility_seconds)})
            pattern = topology.subscription_pattern(system, sub)
            events.put_rule(Name=name, EventBusName=made.bus, EventPattern=json.dumps(pattern))
            events.put_targets(Rule=name, EventBusName=made.bus, Targets=[{"Id": "queue", "Arn": arn}])
            made.queues[(service.name, sub.name)] = QueueRef(url, arn, dlq_url, sub.batch_size)
    if system.topics:
        sns, sqs = session.client("sns"), session.client("sqs")
        for topic in system.topics:
            arn = made.topics[topic.name] = sns.create_topic(Name=f"{system.name}-{topic.name}")["TopicArn"]
            inbox_url, inbox_arn = _queue(sqs, f"{system.name}-{topic.name}-inbox",
                                          {"MessageRetentionPeriod": str(INBOX_RETENTION_SECONDS)})  # fmt: skip
            sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"})
            made.topic_inboxes[topic.name] = inbox_url
    if system.tables:
        dynamodb = session.client("dynamodb")
        for table in system.tables:
            keys = [(table.partition_key, "HASH")] + ([(table.sort_key, "RANGE")] if table.sort_key else [])
            made.tables[table.name] = f"{system.name}-{table.name}"
            dynamodb.create_table(
                TableName=made.tables[table.name],
                BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in keys],
                AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
            )
    if system.buckets:
        s3 = session.client("s3")
        for bucket in system.buckets:
            made.buckets[bucket.name] = f"{system.name}-{bucket.name}"
            s3.create_bucket(Bucket=made.buckets[bucket.name])
    return made
