"""The ``stock-results`` subscription: products tells orders what became of the stock (SQS batch of EventBridge
events), the second half of the order saga.

- StockReserved → CONFIRMED, the payment detail recorded, OrderConfirmed to the outbox (relayed after commit).
- StockRejected → REJECTED with products' reason (or CANCELLED, for an order cancelled while PENDING: nothing was
  reserved, so nothing will be released).
- StockReleased → CANCELLED (for an order whose cancellation was requested).
- An event the order's status cannot take is logged and ignored; it is still claimed, so a redelivery is not logged
  again. Each event is claimed as ``orders-stock-results`` in the same transaction as its effect.
- A record that fails (unknown order, malformed detail, database down) is reported in ``batchItemFailures``, so only
  it is retried, and after the queue's maximum receives it goes to the DLQ. An unknown order is a failure, not
  "ignore": orders publishes OrderPlaced only after the order is committed, so products cannot answer about an
  order that does not exist unless something is wrong; the DLQ keeps the evidence.
"""

from __future__ import annotations

import logging

from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent, log_outcome
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings
from handlers.shop.contracts import event_order_id
from handlers.shop.orders import logic
from handlers.shop.orders.usecases import OrderUseCases

log = logging.getLogger(__name__)


class StockResultsConsumer(EventConsumer, system="shop", service="orders", subscription="stock-results"):
    """Handles one received stock event; raises to have its record retried."""

    def __init__(self, orders: OrderUseCases) -> None:
        self.orders = orders

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        order_id = event_order_id(event)
        try:
            change = self.orders.follow_stock(self.name, event, order_id)
        except logic.OrderNotFound:
            log.error("%s %s names an unknown order %s; will retry", received.detail_type, event.event_id, order_id)
            raise
        log_outcome(log, received, event, change)


handler = ConsumerEntry(lambda: StockResultsConsumer(OrderUseCases.from_settings(ServiceSettings.from_env())))
