from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from handlers.retail.catalog.alerts import LowStockAlerts, SnsAlerts
from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.shared.db import Database
from tests.events import sqs_batch
from tests.handlers.conftest import fake_aws


@pytest.fixture
def topic(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any, str]]:
    """A moto SNS topic with an SQS queue subscribed, to read what was published."""
    with fake_aws(monkeypatch):
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        arn = sns.create_topic(Name="stock-alerts")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
        yield arn, sqs, queue_url


def stock_low(event_id: str = "e-1", sku: str = "MUG-1") -> tuple[str, str, dict[str, Any]]:
    return "StockLow", "retail.sales", {"event_id": event_id, "occurred_at": "2026-03-10T10:00:00Z",
                                        "product_id": "p-1", "sku": sku, "name": "Mug", "stock": 4,
                                        "min_stock": 5}  # fmt: skip


def test_one_alert_per_event(db: Database, topic: tuple[str, Any, str]) -> None:
    arn, sqs, queue_url = topic
    consumer = LowStockAlerts(CatalogUseCases(db, send_alert=SnsAlerts(arn), language=lambda: "en"))
    assert consumer.process(sqs_batch(stock_low(), stock_low()), None) == {"batchItemFailures": []}
    assert consumer.process(sqs_batch(stock_low()), None) == {"batchItemFailures": []}
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    messages = [json.loads(m["Body"])["Message"] for m in got]
    assert len(messages) == 1
    assert "MUG-1" in messages[0] and "down to 4" in messages[0] and "minimum is 5" in messages[0]
    with db.transaction() as tx:
        claims = tx.query("SELECT event_id FROM processed_events WHERE consumer = :c", {"c": consumer.name})
    assert claims == [{"event_id": "e-1"}]


def test_a_failed_publish_is_retried(db: Database) -> None:
    sent: list[str] = []

    def flaky(subject: str, message: str) -> None:
        if "A-1" in subject and not sent:
            raise RuntimeError("sns down")
        sent.append(subject)

    consumer = LowStockAlerts(CatalogUseCases(db, send_alert=flaky, language=lambda: "en"))
    batch = sqs_batch(stock_low("e-1", "A-1"), stock_low("e-2", "B-2"))
    response = consumer.process(batch, None)
    assert len(response["batchItemFailures"]) == 1  # only e-1 goes back to the queue, its claim rolled back
    assert consumer.process(batch, None) == {"batchItemFailures": []}
    assert sent == ["Low stock: B-2", "Low stock: A-1"]


def test_the_alert_is_in_the_stores_language(db: Database) -> None:
    sent: list[tuple[str, str]] = []
    language = ["es-PE"]
    consumer = LowStockAlerts(CatalogUseCases(db, send_alert=lambda *alert: sent.append(alert),
                                              language=lambda: language[0]))  # type: ignore[arg-type]  # fmt: skip
    consumer.process(sqs_batch(stock_low("e-1")), None)
    language[0] = "en"
    consumer.process(sqs_batch(stock_low("e-2")), None)
    assert sent == [
        ("Stock bajo: MUG-1", "Quedan 4 unidad(es) de Mug (SKU MUG-1); su mínimo es 5.\n"
                              "Repóngalo o ajuste su mínimo en la aplicación de la tienda."),
        ("Low stock: MUG-1", "Mug (SKU MUG-1) is down to 4 unit(s); its minimum is 5.\n"
                             "Restock it or change its minimum in the store's app."),
    ]  # fmt: skip
