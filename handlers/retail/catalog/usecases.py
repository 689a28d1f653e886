"""What the catalog service does: products, clients and stock for the store's staff. Each change is one transaction
over the store; a stock adjustment that crosses below the minimum writes StockLow to the outbox, relayed after the
commit (``handlers/shared/usecases.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from handlers.retail.catalog import logic
from handlers.retail.catalog.store import CatalogStore
from handlers.retail.store_settings import ReadsStoreSettings, StoreSettingsReader
from handlers.shared.api import Caller
from handlers.shared.clock import timestamp_ms
from handlers.shared.db import Database, service_database
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.paging import Page, page_of
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases

View = dict[str, Any]


class CatalogUseCases(UseCases):
    def __init__(self, db: Database, publisher: EventPublisher | None = None, *,
                 low_stock_threshold: Callable[[], int] = lambda: 5, **adapters: Any) -> None:  # fmt: skip
        super().__init__(db, publisher, **adapters)
        self.store = CatalogStore(db)
        self.low_stock_threshold = low_stock_threshold

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        """The store's low-stock threshold comes from its settings table (read at most once a minute)."""
        table = ReadsStoreSettings.from_env().settings_table
        threshold = StoreSettingsReader(table).low_stock_threshold
        return cls(service_database(settings), publisher_for(settings), low_stock_threshold=threshold)

    # --- products --------------------------------------------------------------------------------------------------

    def products(self, query: logic.ProductQuery) -> Page[View]:
        return page_of(self.store.products(query), query.limit, logic.product_view, lambda p: (p.sku,))

    def product(self, product_id: str) -> logic.Product:
        product = self.store.product(product_id)
        if product is None:
            raise logic.ProductNotFound(product_id)
        return product

    def create_product(self, fields: logic.ProductFields) -> logic.Product:
        """A new product with a stock of 0; a minimum left out is the store's low-stock threshold."""
        return self.store.create_product(logic.new_product(fields, self.clock(), self.low_stock_threshold))

    def update_product(self, product_id: str, fields: logic.ProductFields) -> logic.Product:
        now = self.clock()
        return self.store.change_product(product_id, lambda p: logic.updated_product(p, product_id, fields, now))

    def delete_product(self, product_id: str) -> logic.Product:
        now = self.clock()
        return self.store.change_product(product_id, lambda p: logic.deleted_product(p, product_id, now))

    # --- clients ---------------------------------------------------------------------------------------------------

    def clients(self, query: logic.ClientQuery) -> Page[View]:
        return page_of(self.store.clients(query), query.limit, logic.client_view, lambda c: (c.name, c.id))

    def client(self, client_id: str) -> logic.Client:
        client = self.store.client(client_id)
        if client is None:
            raise logic.ClientNotFound(client_id)
        return client

    def create_client(self, fields: logic.ClientFields) -> logic.Client:
        return self.store.create_client(logic.new_client(fields, self.clock()))

    def update_client(self, client_id: str, fields: logic.ClientFields) -> logic.Client:
        now = self.clock()
        return self.store.change_client(client_id, lambda c: logic.updated_client(c, client_id, fields, now))

    def delete_client(self, client_id: str) -> None:
        self.store.delete_client(client_id)

    # --- stock -----------------------------------------------------------------------------------------------------

    def levels(self, query: logic.StockQuery) -> Page[View]:
        return page_of(self.store.levels(query), query.limit, logic.stock_view, lambda s: (s.sku,))

    def adjust(self, caller: Caller, adjustment: logic.Adjustment) -> View:
        """Add or remove units with a reason; crossing below the minimum announces StockLow."""
        change = self.store.adjust(adjustment, caller.user_id, self.clock())
        if change.alert is not None:
            relay_after_commit(self.db, self.publisher)
        return {"movement": logic.movement_view(change.movement), "stock": logic.stock_view(change.level)}

    def movements(self, query: logic.MovementQuery) -> Page[View]:
        return page_of(self.store.movements(query), query.limit, logic.movement_view,
                       lambda m: (timestamp_ms(m.created_at), m.id))  # fmt: skip
