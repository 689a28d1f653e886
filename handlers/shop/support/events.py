"""The ``orders`` subscription: the orders service's OrderPlaced events tell support who placed each order, so a
customer's ticket can name only one of their own orders (without calling orders).

Each event is claimed as ``support-orders`` in the same transaction as its effect: a redelivery has no effect.
"""

from __future__ import annotations

import logging

from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings
from handlers.shop.contracts import OrderPlaced
from handlers.shop.support.usecases import SupportUseCases

log = logging.getLogger(__name__)


class OrdersConsumer(EventConsumer, system="shop", service="support", subscription="orders"):
    """Handles one OrderPlaced event; raises to have its record retried."""

    def __init__(self, support: SupportUseCases) -> None:
        self.support = support

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        assert isinstance(event, OrderPlaced)
        if not self.support.learn_order(self.name, event):
            log.info("OrderPlaced %s was already handled", event.event_id)


handler = ConsumerEntry(lambda: OrdersConsumer(SupportUseCases.from_settings(ServiceSettings.from_env())))
