"""What the orders service does: place, list, show and cancel orders, follow the stock results of the saga, and keep
its copy of the catalog.

Each use case runs in one transaction (``handlers/shared/usecases.py``): the order, the events it publishes, the
Idempotency-Key's answer and, for a consumed event, its claim commit together.
"""

from __future__ import annotations

from typing import Literal, Self

from handlers.shared.api import Caller
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.outbox import publisher_for
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases, Write
from handlers.shop.contracts import ProductChanged
from handlers.shop.orders import logic, store
from handlers.shop.orders.logic import Change, ListQuery, NewOrder, Order, OrderNotFound, OrderView

CatalogOutcome = Literal["saved", "stale", "duplicate"]
"""What became of a ProductChanged event: kept, older than the copy's entry, or handled before."""


class OrderUseCases(UseCases):
    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    def place(self, caller: Caller, new: NewOrder) -> OrderView:
        """Price the items from the catalog copy and place a PENDING order; OrderPlaced asks products for stock."""
        with self.writing() as write:
            catalog = store.catalog(write.tx, (item.product_id for item in new.items))
            change = logic.place(new, catalog, order_id=self.new_id(), customer_id=caller.user_id, now=self.clock())
            store.insert(write.tx, change.order)
            write.publish(change.events)
        return logic.view(change.order)

    def listing(self, caller: Caller, query: ListQuery) -> Page[OrderView]:
        with self.reading() as tx:
            return logic.page(store.find(tx, caller.user_id, query.after, query.limit + 1), query.limit)

    def show(self, caller: Caller, order_id: str) -> Order:
        """The owner or an admin; anyone else is told the order does not exist, so ids leak nothing."""
        with self.reading() as tx:
            order = store.get(tx, order_id)
        if order is None or not logic.can_see(order, caller.user_id, caller.groups):
            raise OrderNotFound(order_id)
        return order

    def cancel(self, caller: Caller, order_id: str) -> Order:
        """The owner cancels; OrderCancelled asks products to release the stock."""
        with self.writing() as write:
            order = store.lock(write.tx, order_id)
            if not logic.can_cancel(order, caller.user_id):
                raise OrderNotFound(order_id)
            change = logic.cancel(order, self.clock())
            _save(write, change)
        return change.order

    def follow_stock(self, consumer: str, event: EventDetail, order_id: str) -> Change | None:
        """Apply a stock result of the saga to its order, once: None when ``consumer`` had already handled it. An
        event the order's status cannot take changes nothing (the change says why) but is claimed all the same."""
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return None
            change = logic.apply_event(store.lock(write.tx, order_id), event, self.clock())
            if change.changed:
                _save(write, change)
        return change

    def keep_product(self, consumer: str, event: ProductChanged) -> CatalogOutcome:
        """Keep the catalog copy up to date with a product's change, unless a later change is already kept."""
        incoming = logic.catalog_entry(event)
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return "duplicate"
            current = store.lock_product(write.tx, incoming.product_id)
            if not logic.is_newer(current, incoming):
                return "stale"
            store.save_product(write.tx, incoming, known=current is not None)
        return "saved"


def _save(write: Write, change: Change) -> None:
    """Write a changed order, its payment detail when it has one, and its events."""
    store.save(write.tx, change.order)
    if change.payment is not None:
        store.record_payment(write.tx, change.order.id, change.payment)
    write.publish(change.events)
