"""What the products service does: the public catalogue, the admins' product and inventory changes, and the stock
side of the order saga.

Each use case runs in one transaction (``handlers/shared/usecases.py``): a catalogue change and its ProductChanged
event, or a saga event's claim, its stock moves and its answer, commit together.
"""

from __future__ import annotations

from typing import Self

from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.outbox import publisher_for
from handlers.shared.paging import Page
from handlers.shared.products import (
    ProductNotFound,
    deleted_product,
    new_product,
    replaced_product,
    sku_page,
)
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases, Write
from handlers.shop.contracts import OrderCancelled, OrderConfirmed, OrderPlaced, StockReleased
from handlers.shop.products import logic, store
from handlers.shop.products.logic import (
    Inventory,
    LineState,
    OrderStock,
    Outcome,
    Product,
    ProductFields,
    ProductView,
    Reject,
)


class ProductUseCases(UseCases):
    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    # --- the catalogue ------------------------------------------------------------------------------------------

    def listing(self, query: logic.ListQuery) -> Page[ProductView]:
        with self.reading() as tx:
            return sku_page(store.find(tx, query), query.limit, logic.product_view)

    def show(self, product_id: str) -> Product:
        """A product on sale; a deleted one is a 404 like an unknown one."""
        with self.reading() as tx:
            return logic.visible(store.get(tx, product_id), product_id)

    def create(self, fields: ProductFields) -> Product:
        """A new product with no stock; 409 when its SKU is taken."""
        product = new_product(Product, fields, self.new_id(), self.clock(), {})
        with self.writing() as write:
            store.insert(write.tx, product)
            write.publish([logic.product_changed(product)])
        return product

    def update(self, product_id: str, fields: ProductFields) -> Product:
        with self.writing() as write:
            current = store.get(write.tx, product_id, lock=True)
            return _change(write, current, replaced_product(current, product_id, fields, self.clock()))

    def delete(self, product_id: str) -> Product:
        with self.writing() as write:
            current = store.get(write.tx, product_id, lock=True)
            return _change(write, current, deleted_product(current, product_id, self.clock()))

    # --- inventory ----------------------------------------------------------------------------------------------

    def inventory(self, product_id: str) -> Inventory:
        with self.reading() as tx:
            inventory = store.inventory(tx, product_id)
        if inventory is None:
            raise ProductNotFound(product_id)
        return inventory

    def set_available(self, product_id: str, quantity: int) -> Inventory:
        """Set the units available to sell; the reserved ones are unchanged."""
        with self.writing() as write:
            current = store.inventory(write.tx, product_id, lock=True)
            if current is None:
                raise ProductNotFound(product_id)
            store.set_available(write.tx, product_id, quantity, self.clock())
        return Inventory(product_id, quantity, current.reserved)

    # --- the stock saga -----------------------------------------------------------------------------------------

    def follow_order(self, consumer: str, event: EventDetail) -> Outcome | None:
        """Reserve, sell or release an order's stock as the saga's event says, once: None when ``consumer`` had
        already handled the event. A failure rolls back the claim with the rest, so the retry applies."""
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return None
            if isinstance(event, OrderPlaced):
                return self._reserve(write, event)
            if isinstance(event, OrderConfirmed):
                return self._sell(write, event.order_id)
            if isinstance(event, OrderCancelled):
                return self._release(write, event.order_id)
            raise TypeError(f"{consumer} cannot handle {type(event).__name__}")  # the declaration and models agree

    def _reserve(self, write: Write, order: OrderPlaced) -> Outcome:
        """Every item or none, once per order: a second OrderPlaced for a decided order is ignored. Two deliveries
        of one order racing both insert its decision; one fails on the primary key and its retry is ignored."""
        decided = store.order_state(write.tx, order.order_id)
        if decided is not None:
            return logic.placed_again(order.order_id, decided)
        stock = store.lock_stock(write.tx, [item.product_id for item in order.items])
        decision = logic.decide_reservation(order, stock)
        now = self.clock()
        if isinstance(decision, Reject):
            store.insert_order(write.tx, order.order_id, OrderStock.REJECTED, now, decision.reason)
        else:
            for item in decision.items:
                store.reserve(write.tx, order.order_id, item, now)
            store.insert_order(write.tx, order.order_id, OrderStock.RESERVED, now)
        write.publish([decision.event])
        return Outcome(order.order_id, decision.state)

    def _sell(self, write: Write, order_id: str) -> Outcome:
        """The reserved units are sold: they leave ``reserved``."""
        refused = logic.can_confirm(order_id, store.order_state(write.tx, order_id, lock=True))
        if refused is not None:
            return refused
        now = self.clock()
        for line in store.lines(write.tx, order_id, LineState.RESERVED):
            store.sell(write.tx, order_id, line, now)
        store.set_lines(write.tx, order_id, LineState.COMMITTED, now, old=LineState.RESERVED)
        store.set_order(write.tx, order_id, OrderStock.COMMITTED, now)
        return Outcome(order_id, OrderStock.COMMITTED)

    def _release(self, write: Write, order_id: str) -> Outcome:
        """Put back what the order holds and answer StockReleased, also when it held nothing. A cancellation before
        the order's OrderPlaced leaves the order RELEASED, so the late OrderPlaced is ignored."""
        now = self.clock()
        state = store.order_state(write.tx, order_id, lock=True)
        if state is None:
            store.insert_order(write.tx, order_id, OrderStock.RELEASED, now, logic.CANCELLED_BEFORE_PLACED)
        else:
            for release in logic.releases(store.lines(write.tx, order_id)):
                store.put_back(write.tx, order_id, release, now)
            store.set_lines(write.tx, order_id, LineState.RELEASED, now)
            if state is not OrderStock.RELEASED:
                store.set_order(write.tx, order_id, OrderStock.RELEASED, now)
        write.publish([StockReleased(order_id=order_id)])
        return Outcome(order_id, OrderStock.RELEASED)


def _change(write: Write, current: Product | None, product: Product) -> Product:
    """Write a changed product with its ProductChanged event; nothing is written (nor announced) when only the time
    would change."""
    if current is not None and logic.changes_nothing(current, product):
        return current
    store.save(write.tx, product)
    write.publish([logic.product_changed(product)])
    return product
