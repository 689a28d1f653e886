"""The ``stock`` subscription: the order saga's stock side (SQS batch of EventBridge events from ``shop.orders``).

- OrderPlaced → reserve every item or none, in one transaction, and answer StockReserved ``{order_id, items}`` or
  StockRejected ``{order_id, reason}`` (the reason names each product and its shortfall). An order is decided once:
  a second OrderPlaced for the same ``order_id`` (a new event id) is ignored, so stock is never reserved twice.
- OrderConfirmed → the reserved units are sold (they leave ``reserved``).
- OrderCancelled → what the order holds goes back to ``available`` (reserved units, and sold ones not yet shipped),
  and StockReleased ``{order_id}`` is answered, also when the order held nothing (it was rejected, or the
  cancellation came before its OrderPlaced, which is then ignored): the orders service waits for it to finish the
  cancellation.
- Each event is claimed as ``products-stock`` in the same transaction as its effect: a redelivery has no effect.
- A record that fails (malformed detail, database down, a lock timeout) is reported in ``batchItemFailures``, so only
  it is retried; after the queue's maximum receives it goes to the DLQ. Its claim was rolled back with it.
"""

from __future__ import annotations

import logging

from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings
from handlers.shop.products.usecases import ProductUseCases

log = logging.getLogger(__name__)


class StockConsumer(EventConsumer, system="shop", service="products", subscription="stock"):
    """Handles one received saga event; raises to have its record retried."""

    def __init__(self, products: ProductUseCases) -> None:
        self.products = products

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        outcome = self.products.follow_order(self.name, event)
        if outcome is None:
            log.info("%s %s was already handled", received.detail_type, event.event_id)
        elif not outcome.changed:
            log.warning("%s %s ignored: %s", received.detail_type, event.event_id, outcome.ignored)
        else:
            state = outcome.state.value if outcome.state else "-"
            log.info("order %s: stock %s after %s", outcome.order_id, state, received.detail_type)


handler = ConsumerEntry(lambda: StockConsumer(ProductUseCases.from_settings(ServiceSettings.from_env())))
