"""What the products service does: the public catalogue, the admins' product and inventory changes, and the stock
side of the order saga. Every change and its ProductChanged or stock event are written in one transaction; the
outbox is relayed after the commit (``handlers/shared/usecases.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from handlers.shared.db import Database, service_database
from handlers.shared.events import EventDetail
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases
from handlers.shop.contracts import OrderCancelled, OrderConfirmed, OrderPlaced
from handlers.shop.products import logic
from handlers.shop.products.store import ProductStore


class ProductUseCases(UseCases):
    def __init__(self, db: Database, publisher: EventPublisher | None = None, **adapters: Any) -> None:
        super().__init__(db, publisher, **adapters)
        self.store = ProductStore(db)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    def listing(self, query: logic.ListQuery) -> Page[dict[str, Any]]:
        return logic.page(self.store.list_active(query), query.limit)

    def show(self, product_id: str) -> logic.Product:
        return logic.visible(self.store.get(product_id), product_id)

    def create(self, fields: logic.ProductFields) -> logic.Product:
        product = self.store.create(logic.new_product(fields, self.clock()))
        relay_after_commit(self.db, self.publisher)
        return product

    def update(self, product_id: str, fields: logic.ProductFields) -> logic.Product:
        now = self.clock()
        product = self.store.change(product_id, lambda current: logic.updated_product(current, product_id, fields, now))
        relay_after_commit(self.db, self.publisher)
        return product

    def delete(self, product_id: str) -> logic.Product:
        now = self.clock()
        product = self.store.change(product_id, lambda current: logic.deleted_product(current, product_id, now))
        relay_after_commit(self.db, self.publisher)
        return product

    def inventory(self, product_id: str) -> logic.Inventory:
        inventory = self.store.inventory(product_id)
        if inventory is None:
            raise logic.ProductNotFound(product_id)
        return inventory

    def set_available(self, product_id: str, quantity: int) -> logic.Inventory:
        return self.store.set_available(product_id, quantity, self.clock())

    def follow_order(self, consumer: str, event: EventDetail) -> Any:
        """Reserve, take or release an order's stock as the saga's event says, once (None when already handled)."""
        now: datetime = self.clock()
        if isinstance(event, OrderPlaced):
            outcome = self.store.place(event, consumer, now)
        elif isinstance(event, OrderConfirmed):
            outcome = self.store.confirm(event.order_id, event.event_id, consumer, now)
        elif isinstance(event, OrderCancelled):
            outcome = self.store.cancel(event.order_id, event.event_id, consumer, now)
        else:  # pragma: no cover (the declaration and the models agree)
            raise TypeError(f"{consumer} cannot handle {type(event).__name__}")
        if outcome is not None and outcome.changed:
            relay_after_commit(self.db, self.publisher)
        return outcome
