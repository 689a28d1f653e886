"""The ``low-stock-alerts`` subscription: each StockLow becomes one SNS alert on ``TOPIC_STOCK_ALERTS_ARN``.

The event is claimed (``catalog-low-stock-alerts``) in the transaction that sends the alert: a redelivery sends
nothing, and a failed publish rolls the claim back so the record is retried (then the DLQ).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, ClassVar

from pydantic import Field

from handlers.retail.catalog.logic import alert_message
from handlers.retail.catalog.store import CatalogStore
from handlers.retail.contracts import EVENTS, StockLow
from handlers.shared.aws import client
from handlers.shared.consumer import EventConsumer, ReceivedEvent
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

CONSUMER = "catalog-low-stock-alerts"


class AlertSettings(ServiceSettings):
    stock_alerts_topic_arn: str = Field(alias="TOPIC_STOCK_ALERTS_ARN", min_length=1)


class SnsAlerts:
    """Publishes an alert to one topic."""

    def __init__(self, topic_arn: str, sns_client: Any | None = None) -> None:
        self.topic_arn = topic_arn
        self._client = sns_client

    def __call__(self, event: StockLow) -> None:
        subject, message = alert_message(event)
        (self._client or client("sns")).publish(TopicArn=self.topic_arn, Subject=subject, Message=message)


class LowStockAlerts(EventConsumer):
    name = CONSUMER
    consumed = frozenset({"StockLow"})
    models: ClassVar[dict[str, type[EventDetail]]] = EVENTS

    def __init__(self, store: CatalogStore, send: Any) -> None:
        self.store = store
        self.send = send

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        assert isinstance(event, StockLow)
        if self.store.alert_once(CONSUMER, event, self.send):
            log.info("low-stock alert sent for %s (stock %d < %d)", event.sku, event.stock, event.min_stock)
        else:
            log.info("StockLow %s was already handled", event.event_id)


@functools.cache
def default_consumer() -> LowStockAlerts:
    settings = AlertSettings.from_env()
    return LowStockAlerts(CatalogStore(service_database(settings)), SnsAlerts(settings.stock_alerts_topic_arn))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_consumer().process(event, context)
