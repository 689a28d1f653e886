"""What the sales service does: ring up sales (stock taken in the same transaction), list and show them, and void
them (admins). Each change is one transaction over the store; its events are relayed after the commit
(``handlers/shared/usecases.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Self

from handlers.retail.sales import logic
from handlers.retail.sales.metrics import SaleMetrics
from handlers.retail.sales.store import SalesStore
from handlers.retail.store_settings import ReadsStoreSettings, StoreSettingsReader
from handlers.shared.api import Caller
from handlers.shared.db import Database, service_database
from handlers.shared.idempotency import Claim
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.paging import Page
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases

log = logging.getLogger(__name__)


class SalesUseCases(UseCases):
    def __init__(self, db: Database, publisher: EventPublisher | None = None, *,
                 tax_rate: Callable[[], Decimal] = lambda: Decimal("0"),
                 metrics: Callable[[Decimal], None] | None = None, **adapters: Any) -> None:  # fmt: skip
        super().__init__(db, publisher, **adapters)
        self.store = SalesStore(db)
        self.tax_rate = tax_rate
        self.metrics = metrics

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        """The tax rate comes from the store's settings table (read at most once a minute)."""
        reader = StoreSettingsReader(ReadsStoreSettings.from_env().settings_table)
        return cls(service_database(settings), publisher_for(settings), tax_rate=reader.tax_rate, metrics=SaleMetrics())

    def sell(self, caller: Caller, new: logic.NewSale, request: Claim | None) -> dict[str, Any]:
        sale = self.store.sell(new, seller_id=caller.user_id, tax_rate=self.tax_rate(), now=self.clock(),
                               request=request)  # fmt: skip
        relay_after_commit(self.db, self.publisher)
        self._record_metrics(sale.total)
        return logic.sale_view(sale)

    def _record_metrics(self, total: Decimal) -> None:
        if self.metrics is None:
            return
        try:
            self.metrics(total)
        except Exception:  # metrics never fail a sale that is already committed
            log.warning("emitting sale metrics failed", exc_info=True)

    def listing(self, caller: Caller, query: logic.SaleQuery) -> Page[dict[str, Any]]:
        seller = logic.seller_filter(query, caller.user_id, caller.groups)
        sales = self.store.find(seller=seller, since=query.since, before=query.before, after=query.after,
                                limit=query.limit + 1)  # fmt: skip
        return logic.page(sales, query.limit)

    def show(self, caller: Caller, sale_id: str) -> logic.Sale:
        """The sale, for its seller or an admin; anyone else gets a 404, as for a missing sale."""
        sale = self.store.get(sale_id)
        if sale is None or not logic.can_see(sale, caller.user_id, caller.groups):
            raise logic.SaleNotFound(sale_id)
        return sale

    def void(self, caller: Caller, sale_id: str) -> logic.Sale:
        return self.store.void(sale_id, caller.user_id, self.clock())
