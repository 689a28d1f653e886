"""Consuming bus events from an SQS queue: partial batch failures, and each event handled at most once.

EventBridge rules deliver events to a queue per consumer; the queue invokes the function with an SQS batch. A record
that fails goes back to the queue (and, after the configured receives, to the DLQ) while the rest of the batch
succeeds. ``inbox.claim`` records an event id in the same transaction as its effect, so a redelivery changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@dataclass(frozen=True)
class ReceivedEvent:
    """An EventBridge event as it arrived in the queue."""

    detail_type: str
    source: str
    detail: dict[str, Any]

    @property
    def event_id(self) -> str:
        """The producer's id (in the detail), stable across redeliveries, unlike EventBridge's envelope id."""
        return str(self.detail["event_id"])


def received_event(record: SQSRecord) -> ReceivedEvent:
    envelope = json.loads(record.body)
    return ReceivedEvent(envelope["detail-type"], envelope["source"], envelope["detail"])


def handle_batch(event: dict[str, Any], context: Any, handle: Callable[[ReceivedEvent], None]) -> dict[str, Any]:
    """Run ``handle`` for every record; answer with the failed ones so only they are retried."""
    processor = BatchProcessor(event_type=EventType.SQS)
    response = process_partial_response(
        event=event,
        record_handler=lambda record: handle(received_event(record)),
        processor=processor,
        context=context,
    )
    return dict(response)
