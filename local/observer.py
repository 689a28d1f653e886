"""Watching what a system publishes, for the console's trail: every event put on its bus, with the rules it matched,
and every message sent to its topics (customer notifications, low-stock alerts, report notices).

Local only, and nothing the cloud has: one queue per system (``<system>-local-trail``) that a rule catching every
source of the bus (the pattern the cloud's bus archive uses) and a subscription to each topic feed. A thread drains it
into the :class:`~local.trail.Trail`. The systems' own rules, queues and topic inboxes are left as they are.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Any

from architectures import spec, topology
from aws_systems.event_patterns import event_pattern
from handlers.shared.events import correlation_of
from local.aws import LocalAws
from local.trail import Trail, ids_in

log = logging.getLogger("local.observer")
WAIT_SECONDS = 1
GATHER_SECONDS = 0.25
"""After a batch that was not full, how long the observer lets messages gather before it asks again: under load it
reads batches of 10 instead of one message per call, each call costing local AWS and this process about a
millisecond. The trail's entries carry their own times, so a late read changes no order."""


def provision_observer(system: spec.System, made: LocalAws, session: Any) -> str | None:
    """The system's trail queue, fed by its bus and its topics; None when it has neither."""
    if not made.bus and not made.topics:
        return None
    sqs = session.client("sqs")
    name = f"{system.name}-local-trail"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if made.bus:
        events = session.client("events")
        pattern = event_pattern(topology.event_types(system))
        events.put_rule(Name=name, EventBusName=made.bus, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=name, EventBusName=made.bus, Targets=[{"Id": "trail", "Arn": arn}])
    sns = session.client("sns")
    for topic_arn in made.topics.values():  # not raw: the envelope names the topic and carries the attributes
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def matched_rules(system: spec.System, envelope: dict[str, Any]) -> list[str]:
    """The subscriptions (``service/subscription``) whose rule matches the event, as EventBridge matched it."""
    matched = []
    for service, sub in topology.subscriptions(system):
        pattern = topology.subscription_pattern(system, sub)
        if all(envelope.get(key) in values for key, values in pattern.items()):
            matched.append(f"{service.name}/{sub.name}")
    return matched


def record(trail: Trail, system: spec.System, made: LocalAws, body: dict[str, Any]) -> None:
    """One message of the trail queue as a trail entry: an event the bus routed, or a message a topic sent."""
    if "detail-type" in body:
        _record_event(trail, system, body)
    elif body.get("Type") == "Notification":
        _record_message(trail, system, made, body)


def _record_event(trail: Trail, system: spec.System, envelope: dict[str, Any]) -> None:
    detail = envelope.get("detail")
    detail = detail if isinstance(detail, dict) else {}
    rules = matched_rules(system, envelope)
    routed = ", ".join(rules) if rules else "no rule matched"
    trail.add(
        "publish",
        system.name,
        correlation_of(detail),
        f"{envelope['detail-type']} from {envelope.get('source')} → {routed}",
        {
            "detail_type": envelope["detail-type"],
            "source": envelope.get("source"),
            "event_id": detail.get("event_id"),
            "written_to_outbox": detail.get("occurred_at"),
            "published": envelope.get("time"),
            "rules": rules,
            "detail": detail,
        },
        ids_in(detail),
        at=epoch(detail.get("occurred_at")),  # made in the producer's transaction: before it was routed
    )


def epoch(text: Any) -> float | None:
    """An ISO 8601 time as epoch seconds; None when it is not one (the trail then uses the time it learnt of it)."""
    try:
        return datetime.fromisoformat(str(text)).timestamp()
    except ValueError:
        return None


def _record_message(trail: Trail, system: spec.System, made: LocalAws, envelope: dict[str, Any]) -> None:
    topic = next((name for name, arn in made.topics.items() if arn == envelope.get("TopicArn")), "?")
    attributes = {k: v.get("Value") for k, v in (envelope.get("MessageAttributes") or {}).items()}
    subject = envelope.get("Subject") or ""
    trail.add(
        "message",
        system.name,
        attributes.pop("correlation_id", None),
        f"{topic}: {subject or envelope.get('Message', '')[:80]}",
        {
            "topic": topic,
            "subject": subject,
            "message": envelope.get("Message"),
            "attributes": attributes,
            "sent": envelope.get("Timestamp"),
        },  # fmt: skip
        ids_in(attributes),
        at=epoch(envelope.get("Timestamp")),
    )


class Observer:
    """Drains one system's trail queue into the trail, until ``stopping`` is set."""

    def __init__(self, system: spec.System, made: LocalAws, queue_url: str, trail: Trail, sqs: Any,
                 stopping: threading.Event) -> None:  # fmt: skip
        self.system, self.made, self.queue_url, self.trail = system, made, queue_url, trail
        self.sqs, self.stopping = sqs, stopping
        self.thread = threading.Thread(target=self._run, name=f"trail {system.name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                if 0 < self.drain_once(WAIT_SECONDS) < 10:
                    self.stopping.wait(GATHER_SECONDS)
            except Exception as e:
                if self.stopping.is_set():  # local AWS stopped under a waiting receive
                    return
                log.warning("%s: reading the trail queue failed (%s); retrying", self.system.name, e)
                self.stopping.wait(1)

    def drain_once(self, wait_seconds: int = 0) -> int:
        """Record one batch of the queue; how many messages it had."""
        messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                            WaitTimeSeconds=wait_seconds).get("Messages", [])  # fmt: skip
        for message in messages:
            try:
                record(self.trail, self.system, self.made, json.loads(message["Body"]))
            except (ValueError, KeyError, TypeError, AttributeError) as e:  # not ours to fail on: one line, move on
                log.warning("%s: a trail message could not be read (%s)", self.system.name, e)
        if messages:
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        return len(messages)
