"""The use-case layer every service has: one class per service between its adapters and its pure logic.

The shape, the same in every service::

    api.py / events.py   thin adapters: bind a declared route or subscription, call one use case, shape the answer
    usecases.py          orchestration: open the transaction, load through the store, call the logic, persist,
                         write the outbox, keep the idempotency record; relay the outbox after the commit
    logic.py             pure rules: no SQL, no boto3, ``now`` and ids passed in
    store.py             persistence only: SQL on a transaction it is given, rows in and domain objects out

A use case that changes data does it in one :meth:`UseCases.writing` block, so the change, its events and its
claims commit together or not at all::

    def complete(self, move_id: str) -> Move:
        with self.writing() as write:
            move = store.lock(write.tx, move_id)
            change = logic.complete(move, self.clock())
            store.save(write.tx, change.move)
            write.publish(change.events)
        return change.move
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from handlers.shared import idempotency
from handlers.shared.clock import utc_now
from handlers.shared.db import Database, Transaction
from handlers.shared.events import EventDetail
from handlers.shared.inbox import claim
from handlers.shared.outbox import EventPublisher, add_to_outbox, relay_after_commit

_unclaimed_key: ContextVar[idempotency.Claim | None] = ContextVar("unclaimed_idempotency_key", default=None)
"""The Idempotency-Key of the request being served, until its first write claims it (set by the router)."""


@contextmanager
def serving_key(claim: idempotency.Claim | None) -> Iterator[None]:
    """While a route serves a request with ``claim``, its first write transaction claims the key."""
    token = _unclaimed_key.set(claim)
    try:
        yield
    finally:
        _unclaimed_key.reset(token)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Write:
    """One write transaction: what the use case changes, the events it publishes and the claims it makes."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self.published: list[str] = []

    def publish(self, events: Iterable[EventDetail]) -> None:
        """Put events in the outbox, in this transaction; they reach the bus after the commit."""
        for event in events:
            add_to_outbox(self.tx, event)
            self.published.append(event.event_id)

    def claim(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` handles ``event_id`` in this transaction; False when it already did (then the
        use case does nothing, and a redelivery has no second effect)."""
        return claim(self.tx, consumer, event_id)


class UseCases:
    """The base of a service's use cases: its database, its bus publisher, its clock and its id generator, which
    tests replace."""

    def __init__(
        self,
        db: Database,
        publisher: EventPublisher | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_uuid,
    ) -> None:
        self.db = db
        self.publisher = publisher
        self.clock = clock
        self.new_id = new_id

    def validation_context(self) -> Mapping[str, Any] | None:
        """What this service's request models validate against (pydantic's ``context``); None by default. A service
        whose rules depend on the time returns its clock's reading here, so tests that replace the clock see it."""
        return None

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        """A transaction that only reads (it never waits for a write, nor makes one wait)."""
        with self.db.transaction(read_only=True) as tx:
            yield tx

    @contextmanager
    def writing(self) -> Iterator[Write]:
        """A transaction that commits when the block ends (rolls back when it raises), then relays the outbox if the
        block published anything. The first one of a request with an Idempotency-Key claims the key with it."""
        with self.db.transaction() as tx:
            write = Write(tx)
            yield write
            if (key := _unclaimed_key.get()) is not None:
                idempotency.claim_key(tx, key, self.clock())
                _unclaimed_key.set(None)
        relay_after_commit(self.db, self.publisher, write.published)

    def earlier_response(self, owner_id: str, key: str) -> idempotency.Record | None:
        """The stored first response to an owner's Idempotency-Key, if any."""
        with self.reading() as tx:
            return idempotency.find(tx, owner_id, key)

    def keep_response(self, claim: idempotency.Claim, response: Mapping[str, Any]) -> None:
        """Keep the answer to a request whose write claimed its Idempotency-Key."""
        with self.db.transaction() as tx:
            idempotency.keep_response(tx, claim, response)
