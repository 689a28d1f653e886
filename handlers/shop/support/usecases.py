"""What the support service does: customers open tickets and comment; agents take them, move them along and answer.

Each use case runs in one transaction (``handlers/shared/usecases.py``); a change locks the ticket first, so two
agents taking the same ticket at once are decided one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from handlers.shared.api import Caller
from handlers.shared.db import service_database
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases
from handlers.shop.contracts import OrderPlaced
from handlers.shop.support import logic, store
from handlers.shop.support.logic import Comment, Ticket, TicketNotFound, TicketSummary

Thread = tuple[Ticket, list[Comment]]
"""A ticket and its comments, oldest first."""


class SupportUseCases(UseCases):
    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings))

    def open(self, caller: Caller, new: logic.NewTicket) -> Ticket:
        """A new ticket of the caller; the order it names, if any, must be one of theirs (agents may name any)."""
        ticket = logic.open_ticket(
            new,
            ticket_id=self.new_id(),
            customer_id=caller.user_id,
            customer_email=caller.known_email,
            now=self.clock(),
        )
        with self.writing() as write:
            if new.order_id is not None:
                logic.check_order(new.order_id, store.order_owner(write.tx, new.order_id), caller)
            store.insert(write.tx, ticket)
        return ticket

    def learn_order(self, consumer: str, event: OrderPlaced) -> bool:
        """Record who placed an order, once: False when ``consumer`` had already handled the event."""
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return False
            store.insert_order(write.tx, event.order_id, event.customer_id, event.occurred_at)
        return True

    def listing(self, caller: Caller, query: logic.ListQuery) -> Page[TicketSummary]:
        scope = logic.listing_scope(query, caller)
        with self.reading() as tx:
            return logic.page(store.find(tx, scope, query.after, query.limit + 1), query.limit)

    def show(self, caller: Caller, ticket_id: str) -> Thread:
        """The ticket and its comments; a ticket the caller may not see is a 404, as a missing one is."""
        with self.reading() as tx:
            ticket = store.get(tx, ticket_id)
            if ticket is None:
                raise TicketNotFound(ticket_id)
            return logic.visible(ticket, caller), store.comments(tx, ticket_id)

    def take(self, caller: Caller, ticket_id: str, reassign: bool) -> Thread:
        now = self.clock()
        return self._change(ticket_id, lambda ticket: logic.take(ticket, caller, now, reassign=reassign))

    def move(self, caller: Caller, ticket_id: str, status: logic.Status) -> Thread:
        now = self.clock()
        return self._change(ticket_id, lambda ticket: logic.move(ticket, status, caller, now))

    def comment(self, caller: Caller, ticket_id: str, new: logic.NewComment) -> Comment:
        with self.writing() as write:
            ticket = store.lock(write.tx, ticket_id)
            ticket, note = logic.comment(ticket, caller, new, comment_id=self.new_id(), now=self.clock())
            store.insert_comment(write.tx, note)
            store.save(write.tx, ticket)
        return note

    def _change(self, ticket_id: str, decide: Callable[[Ticket], Ticket]) -> Thread:
        """Lock the ticket, apply the rule, and write the ticket when it changed; the result with its comments."""
        with self.writing() as write:
            current = store.lock(write.tx, ticket_id)
            changed = decide(current)
            if changed != current:
                store.save(write.tx, changed)
            return changed, store.comments(write.tx, ticket_id)
