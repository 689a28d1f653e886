"""What the orders service does: place, list, show and cancel orders, follow the stock results of the saga, and keep
its copy of the catalog. Each use case is one transaction (``handlers/shared/usecases.py``)."""

from __future__ import annotations

from typing import Any, Self

from handlers.shared.api import Caller
from handlers.shared.db import Database, service_database
from handlers.shared.events import EventDetail
from handlers.shared.idempotency import Claim
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases
from handlers.shop.contracts import ProductChanged
from handlers.shop.orders import logic
from handlers.shop.orders.logic import Change, ListQuery, NewOrder, Order, OrderNotFound, OrderView
from handlers.shop.orders.store import OrderStore, SaveOutcome


class OrderUseCases(UseCases):
    def __init__(self, db: Database, publisher: EventPublisher | None = None, **adapters: Any) -> None:
        super().__init__(db, publisher, **adapters)
        self.store = OrderStore(db)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    def place(self, caller: Caller, new: NewOrder, request: Claim | None) -> OrderView:
        """Price the items from the catalog copy and place a PENDING order; OrderPlaced goes to the outbox."""
        catalog = self.store.catalog(item.product_id for item in new.items)
        change = logic.place(new, catalog, order_id=self.new_id(), customer_id=caller.user_id, now=self.clock())
        with self.writing(request) as write:
            self.store.add(write.tx, change.order)
            write.publish(change.events)
            write.respond(change.order.id, dict(logic.view(change.order)))
        return logic.view(change.order)

    def listing(self, caller: Caller, query: ListQuery) -> Page[OrderView]:
        return logic.page(self.store.find(caller.user_id, query.after, query.limit + 1), query.limit)

    def show(self, caller: Caller, order_id: str) -> Order:
        """The owner or an admin; anyone else is told the order does not exist, so ids leak nothing."""
        order = self.store.get(order_id)
        if order is None or not logic.can_see(order, caller.user_id, caller.groups):
            raise OrderNotFound(order_id)
        return order

    def cancel(self, caller: Caller, order_id: str) -> Order:
        now = self.clock()

        def decide(order: Order) -> Change:
            if not logic.can_cancel(order, caller.user_id):
                raise OrderNotFound(order_id)
            return logic.cancel(order, now)

        change = self.store.update(order_id, decide)
        assert change is not None, "no claim was asked for, so there is always a change"
        relay_after_commit(self.db, self.publisher)
        return change.order

    def follow_stock(self, consumer: str, event: EventDetail, order_id: str) -> Change | None:
        """Apply a stock result of the saga to its order, once (None when ``consumer`` had handled it)."""
        now = self.clock()
        change = self.store.update(
            order_id, lambda order: logic.apply_event(order, event, now), claim_for=(consumer, event.event_id)
        )
        if change is not None and change.changed and change.events:
            relay_after_commit(self.db, self.publisher)
        return change

    def keep_product(self, consumer: str, event: ProductChanged) -> SaveOutcome:
        """Keep the catalog copy up to date with a product's change, unless a later change is already kept."""
        return self.store.save_product(logic.catalog_entry(event), claim_for=(consumer, event.event_id))
