"""Delivering queued events to the consumers, as Lambda's SQS event source mapping does.

Each subscription's queue is long-polled (by a thread of its own, so an idle runtime makes a few calls a second and
an event is delivered as soon as it lands; more threads while the queue has a backlog, see
:class:`EventSourceMapping`) and read in batches of its declared size. The consumer gets a
real SQS event; the records it handled are deleted. Those it reports in ``batchItemFailures``, like every record of
a batch whose invocation failed, are left alone: they are delivered again once the queue's visibility timeout is
over, as in AWS, and after the declared number of receives moto's redrive moves them to the DLQ.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from architectures import spec, topology
from handlers.shared.events import correlation_of
from local.aws import LocalAws, QueueRef
from local.functions import ServiceFunctions
from local.trail import Trail, ids_in
from local.workers import FUNCTION_FAILURES

log = logging.getLogger("local.consumers")


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
    trail: Trail | None = None,
) -> Delivery | None:
    """Receive one batch from the subscription's queue (long-polling up to ``wait_seconds``, as the event source
    mapping does) and hand it to the consumer; None when the queue had nothing. Each record's result goes to
    ``trail``."""
    queue = made.queues[(service.name, sub.name)]
    messages = sqs.receive_message(
        QueueUrl=queue.url, MaxNumberOfMessages=min(queue.batch_size, 10), AttributeNames=["All"],
        WaitTimeSeconds=wait_seconds,
    ).get("Messages", [])  # fmt: skip
    if not messages:
        return None
    handler = spec.handler_module(system, service, sub.handler)
    started = time.perf_counter()
    try:
        response = functions[service.name].invoke(handler, sqs_event(messages, queue, region)) or {}
    except Exception as e:
        if trail is not None:
            record_results(trail, system, service, sub, messages, set(), started, error=first_line(e))
        raise
    failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    if trail is not None:
        record_results(trail, system, service, sub, messages, failed, started)
    # A failed record is left alone: it comes back after the visibility timeout. The rest go in one call.
    handled = [m for m in messages if m["MessageId"] not in failed]
    if handled:
        entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(handled)]
        refused = sqs.delete_message_batch(QueueUrl=queue.url, Entries=entries).get("Failed", [])
        if refused:  # delivered again later; the consumers are idempotent
            log.warning("%s: %d handled message(s) not deleted (%s)", queue.url, len(refused), refused[0])
    return Delivery(service.name, sub.name, len(messages) - len(failed), len(failed))


def record_results(trail: Trail, system: spec.System, service: spec.Service, sub: spec.Subscription,
                   messages: list[dict[str, Any]], failed: set[str], started: float,
                   error: str | None = None) -> None:  # fmt: skip
    """One trail entry per record: done, or failed and coming back after the visibility timeout, or failed for the
    last time, so the queue's redrive moves it to the DLQ. ``error``: the whole invocation failed."""
    ms = 1000 * (time.perf_counter() - started)
    began = time.time() - ms / 1000  # the entries' time: when the consumer got the batch, not when it answered
    for message in messages:
        try:
            envelope = json.loads(message["Body"])
            detail_type, detail = str(envelope["detail-type"]), envelope.get("detail")
        except (ValueError, KeyError, TypeError):
            detail_type, detail = "a malformed message", {}
        detail = detail if isinstance(detail, dict) else {}
        receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", 1))
        if error is None and message["MessageId"] not in failed:
            result = "done"
        elif receives >= sub.max_receive_count:
            result = "failed, to the DLQ"
        else:
            result = f"failed, retried after the visibility timeout (receive {receives} of {sub.max_receive_count})"
        trail.add(
            "delivery", system.name, correlation_of(detail),
            f"{detail_type} → {service.name}/{sub.name}: {result} ({ms:.0f} ms)",
            {"detail_type": detail_type, "consumer": f"{service.name}/{sub.name}", "result": result,
             "receives": receives, "ms": round(ms, 1), "error": error, "message_id": message["MessageId"]},
            ids_in(detail), at=began,
        )  # fmt: skip


def first_line(error: BaseException) -> str:
    """An error in one line: a batch whose every record failed carries the records' tracebacks in its message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


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


class EventSourceMapping:
    """One subscription's pollers, as Lambda's event source mapping scales them: one always polls; a poll that receives
    a full batch (a backlog) starts another, up to ``concurrency`` batches at once; an extra poller that finds the queue
    empty stops. A failed batch is one warning line, and its records come back after the visibility timeout."""

    def __init__(self, name: str, deliver_batch: Callable[[], Delivery | None], *, batch_size: int, concurrency: int,
                 stopping: threading.Event) -> None:  # fmt: skip
        self.name = name
        self.deliver_batch = deliver_batch
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.stopping = stopping
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._polling = 0

    def start(self) -> None:
        self._add_poller(first=True)

    def join(self, timeout: float) -> None:
        with self._lock:
            threads = list(self.threads)
        for thread in threads:
            thread.join(timeout)

    @property
    def polling(self) -> int:
        """Pollers running now."""
        with self._lock:
            return self._polling

    def _add_poller(self, first: bool = False) -> None:
        with self._lock:
            if self._polling >= self.concurrency or self.stopping.is_set():
                return
            self._polling += 1
            thread = threading.Thread(target=self._poll, args=(first,), name=f"consumer {self.name}", daemon=True)
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()

    def _poll(self, first: bool) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    delivery = self.deliver_batch()
                except FUNCTION_FAILURES as e:  # as the event source mapping does, without a traceback of its own
                    log.warning("%s: %s; the batch comes back after the queue's visibility timeout", self.name,
                                first_line(e))  # fmt: skip
                    self.stopping.wait(1)
                    continue
                except Exception:
                    if self.stopping.is_set():  # local AWS stopped under a waiting receive
                        return
                    log.exception("%s: delivering events failed; retrying", self.name)
                    self.stopping.wait(1)
                    continue
                if delivery is None and not first:
                    return
                if delivery is not None and delivery.delivered + delivery.failed >= self.batch_size:
                    self._add_poller()
        finally:
            with self._lock:
                self._polling -= 1
