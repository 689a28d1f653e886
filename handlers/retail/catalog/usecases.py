"""What the catalog service does: products, clients and stock for the store's staff, and the low-stock alerts.

Each change is one transaction (``handlers/shared/usecases.py``): a stock adjustment that crosses below the minimum
writes StockLow to the outbox with the new stock, relayed after the commit; an alert is sent in the transaction that
claims its event, so a failed send leaves the event unclaimed for the retry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from handlers.retail.catalog import logic, store
from handlers.retail.catalog.logic import Client, ClientNotFound, Product, StockChange
from handlers.retail.contracts import StockLow
from handlers.retail.stock_movements import Movement, insert_movement
from handlers.retail.store_settings import Language, ReadsStoreSettings, StoreSettingsReader
from handlers.shared.api import Caller
from handlers.shared.db import Database, service_database
from handlers.shared.errors import existing
from handlers.shared.outbox import EventPublisher, publisher_for
from handlers.shared.paging import Page
from handlers.shared.products import ProductNotFound, deleted_product, new_product, replaced_product, sku_page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases

SendAlert = Callable[[str, str], None]
"""Sends an alert to the staff: its subject and message."""


class CatalogUseCases(UseCases):
    def __init__(self, db: Database, publisher: EventPublisher | None = None, *,
                 low_stock_threshold: Callable[[], int] = lambda: 5, send_alert: SendAlert | None = None,
                 language: Callable[[], Language] = lambda: "es-PE", **adapters: Any) -> None:  # fmt: skip
        super().__init__(db, publisher, **adapters)
        self.low_stock_threshold = low_stock_threshold
        self.send_alert = send_alert
        self.language = language

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        """The store's low-stock threshold comes from its settings table (read at most once a minute)."""
        table = ReadsStoreSettings.from_env().settings_table
        threshold = StoreSettingsReader(table).low_stock_threshold
        return cls(service_database(settings), publisher_for(settings), low_stock_threshold=threshold)

    # --- products ----------------------------------------------------------------------------------------------------

    def products(self, query: logic.ProductQuery) -> Page[logic.ProductView]:
        with self.reading() as tx:
            return sku_page(store.find_products(tx, query), query.limit, logic.product_view)

    def product(self, product_id: str) -> Product:
        """The product, also when it was deleted (sales and movements still name it); 404 when there is none."""
        with self.reading() as tx:
            return existing(store.get_product(tx, product_id), ProductNotFound(product_id))

    def create_product(self, fields: logic.ProductFields) -> Product:
        """A new product with a stock of 0; a minimum left out is the store's low-stock threshold."""
        product = new_product(Product, fields, self.new_id(), self.clock(), {"min_stock": self.low_stock_threshold})
        with self.writing() as write:
            store.insert_product(write.tx, product)
        return product

    def update_product(self, product_id: str, fields: logic.ProductFields) -> Product:
        now = self.clock()
        return self._change_product(product_id, lambda current: replaced_product(current, product_id, fields, now))

    def delete_product(self, product_id: str) -> Product:
        now = self.clock()
        return self._change_product(product_id, lambda current: deleted_product(current, product_id, now))

    def _change_product(self, product_id: str, change: Callable[[Product | None], Product]) -> Product:
        """Lock the product, change it as the logic decides (a missing one is refused there) and save it."""
        with self.writing() as write:
            product = change(store.get_product(write.tx, product_id, lock=True))
            store.save_product(write.tx, product)
        return product

    # --- clients -----------------------------------------------------------------------------------------------------

    def clients(self, query: logic.ClientQuery) -> Page[logic.ClientView]:
        with self.reading() as tx:
            return logic.client_page(store.find_clients(tx, query), query.limit)

    def client(self, client_id: str) -> Client:
        with self.reading() as tx:
            return existing(store.get_client(tx, client_id), ClientNotFound(client_id))

    def create_client(self, fields: logic.ClientFields) -> Client:
        client = logic.new_client(fields, self.new_id(), self.clock())
        with self.writing() as write:
            store.insert_client(write.tx, client)
        return client

    def update_client(self, client_id: str, fields: logic.ClientFields) -> Client:
        with self.writing() as write:
            current = store.get_client(write.tx, client_id, lock=True)
            client = logic.updated_client(current, client_id, fields, self.clock())
            store.save_client(write.tx, client)
        return client

    def delete_client(self, client_id: str) -> None:
        with self.writing() as write:
            existing(store.get_client(write.tx, client_id, lock=True), ClientNotFound(client_id))
            store.delete_client(write.tx, client_id)

    # --- stock -------------------------------------------------------------------------------------------------------

    def levels(self, query: logic.StockQuery) -> Page[logic.StockView]:
        with self.reading() as tx:
            return logic.stock_page(store.find_levels(tx, query), query.limit)

    def level(self, product_id: str) -> logic.StockLevel:
        with self.reading() as tx:
            return existing(store.get_level(tx, product_id), ProductNotFound(product_id))

    def adjust(self, caller: Caller, adjustment: logic.Adjustment) -> StockChange:
        """Add or remove units with a reason (never below zero); crossing below the minimum announces StockLow."""
        now = self.clock()
        with self.writing() as write:
            level = store.get_level(write.tx, adjustment.product_id, lock=True)
            change = logic.adjust(existing(level, ProductNotFound(adjustment.product_id)), adjustment,
                                  self.new_id(), caller.user_id, now)  # fmt: skip
            store.save_level(write.tx, change.level, now)
            insert_movement(write.tx, change.movement)
            write.publish([change.alert] if change.alert else [])
        return change

    def movements(self, query: logic.MovementQuery) -> Page[Movement]:
        with self.reading() as tx:
            return logic.movement_page(store.find_movements(tx, query), query.limit)

    # --- alerts ------------------------------------------------------------------------------------------------------

    def alert_low_stock(self, consumer: str, event: StockLow) -> bool:
        """Send the staff the alert of a StockLow event, in the store's language, once: False when ``consumer``
        had already sent it."""
        if self.send_alert is None:
            raise RuntimeError("the catalog's use cases were built without a way to send alerts")
        with self.writing() as write:
            if not write.claim(consumer, event.event_id):
                return False
            self.send_alert(*logic.alert_message(event, self.language()))
        return True
