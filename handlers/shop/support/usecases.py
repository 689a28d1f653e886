"""What the support service does: customers open tickets and comment; agents take them, move them along and answer.
Each change is one transaction over the store (``handlers/shared/usecases.py``)."""

from __future__ import annotations

from typing import Any, Self

from handlers.shared.api import Caller
from handlers.shared.db import Database, service_database
from handlers.shared.outbox import EventPublisher
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases
from handlers.shop.support import logic
from handlers.shop.support.logic import Comment, Ticket, TicketNotFound
from handlers.shop.support.store import TicketStore


class SupportUseCases(UseCases):
    def __init__(self, db: Database, publisher: EventPublisher | None = None, **adapters: Any) -> None:
        super().__init__(db, publisher, **adapters)
        self.store = TicketStore(db)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings))

    def open(self, caller: Caller, new: logic.NewTicket) -> Ticket:
        ticket = logic.open_ticket(
            new, ticket_id=self.new_id(), customer_id=caller.user_id, customer_email=caller.email, now=self.clock()
        )
        self.store.add(ticket)
        return ticket

    def listing(self, caller: Caller, query: logic.ListQuery) -> Page[dict[str, Any]]:
        scope = logic.listing_scope(query, caller)
        return logic.page(self.store.find(scope, query.after, query.limit + 1), query.limit)

    def show(self, caller: Caller, ticket_id: str) -> tuple[Ticket, list[Comment]]:
        """The ticket and its comments; a ticket the caller may not see is a 404, as a missing one is."""
        found = self.store.get(ticket_id)
        if found is None:
            raise TicketNotFound(ticket_id)
        ticket, comments = found
        return logic.visible(ticket, caller), comments

    def take(self, caller: Caller, ticket_id: str, reassign: bool) -> tuple[Ticket, list[Comment]]:
        now = self.clock()
        return self.store.update(ticket_id, lambda t: logic.take(t, caller, now, reassign=reassign))

    def move(self, caller: Caller, ticket_id: str, status: logic.Status) -> tuple[Ticket, list[Comment]]:
        now = self.clock()
        return self.store.update(ticket_id, lambda t: logic.move(t, status, caller, now))

    def comment(self, caller: Caller, ticket_id: str, new: logic.NewComment) -> Comment:
        comment_id, now = self.new_id(), self.clock()
        return self.store.add_comment(
            ticket_id, lambda t: logic.comment(t, caller, new, comment_id=comment_id, now=now)
        )
