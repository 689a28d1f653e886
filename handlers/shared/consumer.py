"""Consuming bus events from an SQS queue: partial batch failures, and each event handled at most once.

EventBridge rules deliver events to a queue per consumer; the queue invokes the function with an SQS batch. A record
that fails goes back to the queue (and, after the configured receives, to the DLQ) while the rest of the batch
succeeds. ``inbox.claim`` records an event id in the same transaction as its effect, so a redelivery changes nothing.

A subscription's consumer subclasses :class:`EventConsumer`, naming the subscription it serves, and handles one parsed
event; ``process`` runs it over a batch, and a :class:`ConsumerEntry` is the function's entry point.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers.shared.entry import lambda_entry, set_correlation_id
from handlers.shared.events import EventDetail, correlation_of, parse_detail


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

    @property
    def correlation_id(self) -> str:
        """The id of the request that caused the event (see :func:`correlation_of`)."""
        return correlation_of(self.detail) or self.event_id


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

    A subclass names its subscription as its system declares it: ``class BookingsConsumer(EventConsumer,
    system="moving", service="fleet", subscription="bookings")``. From that come ``name`` (the consumer as its claims
    record it: ``fleet-bookings``), ``consumed`` (the detail types the subscription's rule routes to it) and
    ``models`` (the system's contracts, ``handlers/<system>/contracts.py`` ``EVENTS``). Any other type is a wiring
    error worth a DLQ entry: :meth:`unexpected` raises, unless a subclass decides otherwise."""

    name: ClassVar[str]
    consumed: ClassVar[frozenset[str]]
    models: ClassVar[Mapping[str, type[EventDetail]]]

    def __init_subclass__(cls, *, system: str, service: str, subscription: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = f"{service}-{subscription}"
        cls.consumed = declared_events(system, service, subscription)
        cls.models = importlib.import_module(f"handlers.{system}.contracts").EVENTS

    def __call__(self, received: ReceivedEvent) -> None:
        set_correlation_id(received.correlation_id)
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


class ConsumerEntry:
    """A subscription function's entry point: the consumer that ``build`` makes from the environment on the first
    invocation, reused while the container is warm."""

    def __init__(self, build: Callable[[], EventConsumer]) -> None:
        self._build = build
        self._warm: EventConsumer | None = None

    def consumer(self) -> EventConsumer:
        if self._warm is None:
            self._warm = self._build()
        return self._warm

    def reset(self) -> None:
        """Forget the warm consumer, so the next invocation reads the environment again (tests that change it)."""
        self._warm = None

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self.consumer().process(event, context)


class Outcome(Protocol):
    """What an event did: ``ignored`` says why nothing changed."""

    @property
    def changed(self) -> bool: ...

    @property
    def ignored(self) -> str | None: ...


def log_outcome(log: logging.Logger, received: ReceivedEvent, event: EventDetail, outcome: Outcome | None) -> bool:
    """Log an event that had no effect (``None``: it was claimed before; or it was ignored); True when it had one."""
    if outcome is None:
        log.info("%s %s was already handled", received.detail_type, event.event_id)
        return False
    if not outcome.changed:
        log.warning("%s %s ignored: %s", received.detail_type, event.event_id, outcome.ignored)
        return False
    return True


@lambda_entry()  # each record's log lines carry its event's correlation id (see EventConsumer.__call__)
def _process(event: dict[str, Any], context: Any, *, consumer: EventConsumer) -> dict[str, Any]:
    return handle_batch(event, context, consumer)
