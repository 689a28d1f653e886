"""The console's Queues view: each subscription's queue and DLQ with their depths, a DLQ's messages, and redrive.

Redrive does locally what SQS's message-move task (``StartMessageMoveTask``, which moto lacks) does in the cloud:
receive from the DLQ, send each message (its body and attributes) to the queue it failed from, then delete it from the
DLQ. Locally each DLQ has one source queue, the subscription's own. Looking at a DLQ receives its messages too (as the
AWS console's "poll for messages" does, so their receive counts grow) and makes them visible again at once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from architectures import topology
from handlers.shared.events import correlation_of
from local.aws import QueueRef
from local.console import Console, Refusal, Request, routes

if TYPE_CHECKING:
    from local.runtime import RunningSystem

HOLD_SECONDS = 30
"""How long a message received to be looked at or moved stays hidden: should the console stop halfway, it comes back."""
SHOWN = 50
"""The most messages of a DLQ shown at once."""
MOST_MOVED = 1000
"""The most messages one redrive moves (a consumer that keeps failing sends them back meanwhile)."""
DEPTHS = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "QueueArn"]


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def subscription_queue(console: Console, request: Request) -> tuple[RunningSystem, QueueRef]:
    """The running system and the queue of the subscription the path names; a 404 that lists them otherwise."""
    running = console.system(request.params["system"])
    key = (request.params["service"], request.params["subscription"])
    queue = running.aws.queues.get(key)
    if queue is None:
        known = ", ".join("/".join(k) for k in running.aws.queues) or "none"
        raise Refusal(404, f"no queue {'/'.join(key)} in {running.system.name}; subscriptions' queues: {known}")
    return running, queue


def depth(sqs: Any, url: str) -> dict[str, Any]:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=DEPTHS)["Attributes"]
    return {
        "name": queue_name(url),
        "url": url,
        "arn": attributes.get("QueueArn"),
        "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
    }


def receive(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    return list(
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, VisibilityTimeout=HOLD_SECONDS,
                            AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
    )  # fmt: skip


def release(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    """Make received messages visible again at once."""
    for start in range(0, len(messages), 10):
        entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                   for n, m in enumerate(messages[start : start + 10])]  # fmt: skip
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)


def peek(sqs: Any, url: str, most: int = SHOWN) -> list[dict[str, Any]]:
    """Up to ``most`` of the queue's messages, left in it, visible."""
    seen: list[dict[str, Any]] = []
    try:
        while len(seen) < most and (batch := receive(sqs, url, min(10, most - len(seen)))):
            seen += batch
    finally:
        release(sqs, url, seen)
    return seen


def _move(sqs: Any, messages: list[dict[str, Any]], dlq_url: str, to_url: str,
          kept: list[dict[str, Any]]) -> list[dict[str, str]]:  # fmt: skip
    """Send ``messages`` to ``to_url`` and delete those sent from the DLQ; any not sent joins ``kept``."""
    if not messages:
        return []
    entries = []
    for n, message in enumerate(messages):
        entry = {"Id": str(n), "MessageBody": message["Body"]}
        if message.get("MessageAttributes"):
            entry["MessageAttributes"] = message["MessageAttributes"]
        entries.append(entry)
    answer = sqs.send_message_batch(QueueUrl=to_url, Entries=entries)
    sent = {int(s["Id"]): s["MessageId"] for s in answer.get("Successful", [])}
    kept += [m for n, m in enumerate(messages) if n not in sent]
    if sent:
        handles = [{"Id": str(n), "ReceiptHandle": messages[n]["ReceiptHandle"]} for n in sent]
        sqs.delete_message_batch(QueueUrl=dlq_url, Entries=handles)
    return [{"message_id": messages[n]["MessageId"], "new_message_id": new} for n, new in sent.items()]


def redrive(sqs: Any, dlq_url: str, to_url: str, message_id: str | None = None) -> list[dict[str, str]]:
    """Move the DLQ's messages (only ``message_id``, when given) to ``to_url``, as SQS's message-move task does:
    receive, send, delete. Those received on the way and not moved are visible again at the end. Each moved message
    has a new id in its queue, and its receive count starts again."""
    moved: list[dict[str, str]] = []
    passed: list[dict[str, Any]] = []
    try:
        while len(moved) < MOST_MOVED and (batch := receive(sqs, dlq_url, 10)):
            chosen = [m for m in batch if message_id is None or m["MessageId"] == message_id]
            passed += [m for m in batch if m not in chosen]
            moved += _move(sqs, chosen, dlq_url, to_url, passed)
            if message_id is not None and chosen:
                break
    finally:
        release(sqs, dlq_url, passed)
    return moved


def letter(message: dict[str, Any]) -> dict[str, Any]:
    """A DLQ message as the view shows it: its body (parsed when it is JSON) and what it says about itself."""
    try:
        parsed: Any = json.loads(message["Body"])
    except ValueError:
        parsed = None
    envelope = parsed if isinstance(parsed, dict) else {}
    detail = envelope.get("detail") if isinstance(envelope.get("detail"), dict) else {}
    system, attributes = message.get("Attributes", {}), message.get("MessageAttributes", {})
    return {
        "message_id": message["MessageId"],
        "body": message["Body"],
        "json": parsed,
        "detail_type": envelope.get("detail-type"),
        "correlation_id": correlation_of(detail),
        "receives": int(system.get("ApproximateReceiveCount", 0)),
        "sent": int(system.get("SentTimestamp", 0)) / 1000 or None,
        "attributes": {k: v.get("StringValue", v.get("DataType")) for k, v in attributes.items()},
    }


@routes.get("/api/systems/{system}/queues")
def queues(console: Console, request: Request) -> Any:
    """Each subscription's queue and its DLQ: how many messages wait (visible) and are being handled (in flight)."""
    running = console.system(request.params["system"])
    sqs = console.client("sqs")
    declared = {(s.name, sub.name): sub for s, sub in topology.subscriptions(running.system)}
    return {
        "queues": [
            {
                "service": service,
                "subscription": subscription,
                "events": list(declared[(service, subscription)].events),
                "max_receive_count": declared[(service, subscription)].max_receive_count,
                "queue": depth(sqs, ref.url),
                "dlq": depth(sqs, ref.dlq_url),
            }
            for (service, subscription), ref in running.aws.queues.items()
        ],
        "visibility_seconds": console.runtime.options.visibility_seconds,
    }


@routes.get("/api/systems/{system}/queues/{service}/{subscription}/dlq")
def dead_letters(console: Console, request: Request) -> Any:
    """The subscription's DLQ and up to :data:`SHOWN` of its messages (left in it)."""
    _, queue = subscription_queue(console, request)
    sqs = console.client("sqs")
    shown = [letter(m) for m in peek(sqs, queue.dlq_url)]
    return {"queue": queue_name(queue.url), "dlq": depth(sqs, queue.dlq_url), "messages": shown, "most": SHOWN}


@routes.post("/api/systems/{system}/queues/{service}/{subscription}/redrive")
def redrive_messages(console: Console, request: Request) -> Any:
    """Move one message (``{"message_id": "<id>"}``) or all (``{"all": true}``) from the DLQ back to its queue."""
    _, queue = subscription_queue(console, request)
    body = request.json_object()
    message_id, everything = body.get("message_id"), body.get("all") is True
    named = isinstance(message_id, str) and bool(message_id.strip())
    if named == everything or (message_id is not None and not named):
        raise Refusal(400, 'name one message, {"message_id": "<id>"}, or move them all, {"all": true}')
    sqs = console.client("sqs")
    moved = redrive(sqs, queue.dlq_url, queue.url, message_id)
    if message_id is not None and not moved:
        raise Refusal(404, f"no message {message_id[:100]!r} waits in {queue_name(queue.dlq_url)}: "
                           "moved already, or never there")  # fmt: skip
    return {"moved": moved, "to": queue_name(queue.url), "dlq": depth(sqs, queue.dlq_url)}
