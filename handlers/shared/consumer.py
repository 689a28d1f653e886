"""Consuming bus events from an SQS queue: partial batch failures, and each event handled at most once.

EventBridge rules deliver events to a queue per consumer; the queue invokes the function with an SQS batch. A record
that fails goes back to the queue (and, after the configured receives, to the DLQ) while the rest of the batch
succeeds. ``inbox.claim`` records an event id in the same transaction as its effect, so a redelivery changes nothing.

A subscription's consumer subclasses :class:`EventConsumer`: it names itself, lists the detail types it consumes and
their models, and handles one parsed event; ``process`` runs it over a batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers.shared.entry import lambda_entry, set_correlation_id
from handlers.shared.events import EventDetail, parse_detail


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


def declared_events(system: str, service: str, subscription: str) -> frozenset[str]:
    """The detail types a subscription consumes, as its system declares them (``architectures/<system>.py``)."""
    from architectures import SYSTEMS  # the declarations ship with the code

    declared = SYSTEMS[system].service(service)
    for sub in declared.subscriptions:
        if sub.name == subscription:
            return frozenset(sub.events)
    raise LookupError(f"{system}/{service} declares no subscription {subscription!r}")


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


class EventConsumer:
    """Handles one received event; raises to have its record retried.

    ``name`` is the consumer as its claims record it; ``consumed`` the detail types its subscription's rule routes
    to it, parsed with ``models``. Any other type is a wiring error worth a DLQ entry: :meth:`unexpected` raises,
    unless a subclass decides otherwise."""

    name: ClassVar[str]
    consumed: ClassVar[frozenset[str]]
    models: ClassVar[Mapping[str, type[EventDetail]]]

    def __call__(self, received: ReceivedEvent) -> None:
        set_correlation_id(received.event_id)
        if received.detail_type not in self.consumed:
            self.unexpected(received)
            return
        self.handle(received, parse_detail(received.detail, self.models[received.detail_type]))

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        """Act on one event of a consumed type (``event`` is its detail as the shared model)."""
        raise NotImplementedError

    def unexpected(self, received: ReceivedEvent) -> None:
        raise ValueError(f"{self.name} does not consume {received.detail_type} events")

    def process(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """The batch response: ``{"batchItemFailures": [...]}`` naming only the records that failed."""
        return _process(event, context, consumer=self)


@lambda_entry()  # each record's log lines carry its event id (see EventConsumer.__call__)
def _process(event: dict[str, Any], context: Any, *, consumer: EventConsumer) -> dict[str, Any]:
    return handle_batch(event, context, consumer)
