"""What the sales service does: ring up sales, list and show them, and void them (admins).

A sale is one transaction (``handlers/shared/usecases.py``): its stock rows are locked, the logic prices it and
decides its decrements, then the sale, the decrements, their SALE movements, StockLow for each product crossing its
minimum (outbox) and the Idempotency-Key's answer are written together. Its metrics are sent after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Self

from handlers.retail.sales import logic, store
from handlers.retail.sales.logic import Sale, SaleView
from handlers.retail.sales.metrics import SaleMetrics
from handlers.retail.stock_movements import insert_movement
from handlers.retail.store_settings import ReadsStoreSettings, StoreSettingsReader
from handlers.shared.api import Caller
from handlers.shared.db import Database, service_database
from handlers.shared.outbox import EventPublisher, publisher_for
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases

log = logging.getLogger(__name__)


class SalesUseCases(UseCases):
    def __init__(self, db: Database, publisher: EventPublisher | None = None, *,
                 tax_rate: Callable[[], Decimal] = lambda: Decimal("0"), time_zone: Callable[[], str] = lambda: "UTC",
                 metrics: Callable[[Decimal], None] | None = None, **adapters: Any) -> None:  # fmt: skip
        super().__init__(db, publisher, **adapters)
        self.tax_rate = tax_rate
        self.time_zone = time_zone
        self.metrics = metrics

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        """The tax rate and the time zone (whose days the listing counts) come from the store's settings table (read
        at most once a minute)."""
        reader = StoreSettingsReader(ReadsStoreSettings.from_env().settings_table)
        return cls(service_database(settings), publisher_for(settings), tax_rate=reader.tax_rate,
                   time_zone=lambda: reader.values().time_zone, metrics=SaleMetrics())  # fmt: skip

    def sell(self, caller: Caller, new: logic.NewSale) -> SaleView:
        """Record the sale with its stock decrements."""
        tax_rate, now = self.tax_rate(), self.clock()  # read before any row is locked
        with self.writing() as write:
            stocked = store.lock_stock(write.tx, new.product_ids)
            client_known = new.client_id is None or store.client_exists(write.tx, new.client_id)
            decision = logic.decide_sale(new, stocked, client_known=client_known, tax_rate=tax_rate,
                                         sale_id=self.new_id(), seller_id=caller.user_id, now=now)  # fmt: skip
            sale = logic.numbered(decision.sale, store.next_number(write.tx))
            store.insert_sale(write.tx, sale)
            for decrement in decision.decrements:
                store.take_stock(write.tx, decrement, now)
                insert_movement(write.tx, logic.sale_movement(sale, decrement, self.new_id()))
            write.publish(decision.alerts)
        self._record_metrics(sale.total)
        return logic.sale_view(sale)

    def _record_metrics(self, total: Decimal) -> None:
        if self.metrics is None:
            return
        try:
            self.metrics(total)
        except Exception:  # metrics never fail a sale that is already committed
            log.warning("emitting sale metrics failed", exc_info=True)

    def listing(self, caller: Caller, query: logic.SaleQuery) -> Page[SaleView]:
        seller = logic.seller_filter(query, caller.user_id, caller.groups)
        window = query.window(self.time_zone())
        with self.reading() as tx:
            return logic.page(store.find(tx, seller, query, window), query.limit)

    def show(self, caller: Caller, sale_id: str) -> Sale:
        """The sale, for its seller or an admin; anyone else gets a 404, as for a missing sale."""
        with self.reading() as tx:
            sale = store.get(tx, sale_id)
        if sale is None or not logic.can_see(sale, caller.user_id, caller.groups):
            raise logic.SaleNotFound(sale_id)
        return sale

    def void(self, caller: Caller, sale_id: str) -> Sale:
        """Void a sale once: its lines go back to stock as VOID movements."""
        now = self.clock()
        with self.writing() as write:
            sale = logic.voided(store.get(write.tx, sale_id, lock=True), sale_id, caller.user_id, now)
            store.save_void(write.tx, sale)
            for line in sorted(sale.lines, key=lambda line: line.product_id):
                store.put_back(write.tx, line, now)
                insert_movement(write.tx, logic.void_movement(sale, line, self.new_id()))
        return sale
