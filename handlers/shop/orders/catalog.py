"""The ``catalog`` subscription: products' ProductChanged events keep orders' copy of the catalog current, so orders
prices what it sells without calling products.

- A created or changed product is written as it is now; a deleted one stays with ``active = 0`` (no longer sold,
  while orders already placed keep the name and price they were placed with).
- Events may arrive out of order (SQS is not FIFO): an event older than the copy's last change is ignored.
- Each event is claimed as ``orders-catalog`` in the same transaction as its effect: a redelivery has no effect.
"""

from __future__ import annotations

import logging

from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings
from handlers.shop.contracts import ProductChanged
from handlers.shop.orders.usecases import OrderUseCases

log = logging.getLogger(__name__)


class CatalogConsumer(EventConsumer, system="shop", service="orders", subscription="catalog"):
    """Handles one ProductChanged event; raises to have its record retried."""

    def __init__(self, orders: OrderUseCases) -> None:
        self.orders = orders

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        assert isinstance(event, ProductChanged)
        outcome = self.orders.keep_product(self.name, event)
        if outcome == "duplicate":
            log.info("ProductChanged %s was already handled", event.event_id)
        elif outcome == "stale":
            log.warning("ProductChanged %s ignored: product %s has a later change", event.event_id, event.product_id)


handler = ConsumerEntry(lambda: CatalogConsumer(OrderUseCases(service_database(ServiceSettings.from_env()))))
