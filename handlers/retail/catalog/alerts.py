"""The ``low-stock-alerts`` subscription: each StockLow becomes one SNS alert on ``TOPIC_STOCK_ALERTS_ARN``, in the
store's language (its settings, read at most once a minute).

The event is claimed (``catalog-low-stock-alerts``) in the transaction that sends the alert: a redelivery sends
nothing, and a failed publish rolls the claim back so the record is retried (then the DLQ).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field

from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.retail.contracts import StockLow
from handlers.retail.store_settings import ReadsStoreSettings, StoreSettingsReader
from handlers.shared import correlation
from handlers.shared.aws import client
from handlers.shared.consumer import ConsumerEntry, EventConsumer, ReceivedEvent
from handlers.shared.db import service_database
from handlers.shared.events import EventDetail
from handlers.shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class AlertSettings(ServiceSettings):
    stock_alerts_topic_arn: str = Field(alias="TOPIC_STOCK_ALERTS_ARN", min_length=1)


class SnsAlerts:
    """Publishes an alert (a subject and a message) to one topic."""

    def __init__(self, topic_arn: str, sns_client: Any | None = None) -> None:
        self.topic_arn = topic_arn
        self._client = sns_client

    def __call__(self, subject: str, message: str) -> None:
        (self._client or client("sns")).publish(TopicArn=self.topic_arn, Subject=subject, Message=message,
                                                 MessageAttributes=correlation.sns_attributes())  # fmt: skip


class LowStockAlerts(EventConsumer, system="retail", service="catalog", subscription="low-stock-alerts"):
    """Handles one StockLow event; raises to have its record retried."""

    def __init__(self, catalog: CatalogUseCases) -> None:
        self.catalog = catalog

    def handle(self, received: ReceivedEvent, event: EventDetail) -> None:
        assert isinstance(event, StockLow)
        if self.catalog.alert_low_stock(self.name, event):
            log.info("low-stock alert sent for %s (stock %d < %d)", event.sku, event.stock, event.min_stock)
        else:
            log.info("StockLow %s was already handled", event.event_id)


def low_stock_alerts() -> LowStockAlerts:
    """The consumer, wired from the environment."""
    settings = AlertSettings.from_env()
    send_alert = SnsAlerts(settings.stock_alerts_topic_arn)
    store = StoreSettingsReader(ReadsStoreSettings.from_env().settings_table)
    use_cases = CatalogUseCases(
        service_database(settings), send_alert=send_alert, language=lambda: store.values().language
    )
    return LowStockAlerts(use_cases)


handler = ConsumerEntry(low_stock_alerts)
