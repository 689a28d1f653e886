"""What the moves service does: register, list, show and complete moves, and follow what fleet and tracking report.

Each use case runs in one transaction (see ``handlers/shared/usecases.py``): the move, the events it publishes and,
for a consumed event, its claim commit together.
"""

from __future__ import annotations

from typing import Self

from handlers.moving.moves import logic, store
from handlers.moving.moves.logic import Change, Move, MoveNotFound, NewMove
from handlers.shared.api import Caller
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.outbox import publisher_for
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases


class MoveUseCases(UseCases):
    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    def register(self, caller: Caller, new: NewMove) -> Move:
        change = logic.register(
            new, move_id=self.new_id(), customer_id=caller.user_id, customer_email=caller.known_email, now=self.clock()
        )
        with self.writing() as write:
            store.insert(write.tx, change.move)
            write.publish(change.events)
        return change.move

    def listing(self, caller: Caller, query: logic.ListQuery) -> Page[logic.MoveView]:
        scope = logic.listing_scope(query, caller.user_id, caller.groups)
        with self.reading() as tx:
            moves = store.find(tx, scope, query.after, query.limit + 1)
        return logic.page(moves, query.limit)

    def show(self, caller: Caller, move_id: str) -> Move:
        """The move; 404 when it does not exist or belongs to another customer, so ids leak nothing."""
        with self.reading() as tx:
            move = store.get(tx, move_id)
        if move is None or not logic.can_see(move, caller.user_id, caller.groups):
            raise MoveNotFound(move_id)
        return move

    def complete(self, move_id: str) -> Move:
        with self.writing() as write:
            change = logic.complete(store.lock(write.tx, move_id), self.clock())
            store.save(write.tx, change.move)
            write.publish(change.events)
        return change.move

    def follow(self, consumer: str, event: EventDetail, move_id: str) -> Change | None:
        """Apply an event from fleet or tracking, once: None when ``consumer`` had already handled it. An event the
        move's status cannot take changes nothing (the change says why) but is claimed all the same."""
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return None
            change = logic.apply_event(store.lock(write.tx, move_id), event, self.clock())
            if change.changed:
                store.save(write.tx, change.move)
                write.publish(change.events)
        return change
