"""Fixtures of the reports service: the retail schema (catalog's migrations) with a known data set written directly
in SQL, the reports app on injected adapters, and the reports bucket and topic in moto."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import boto3
import pytest

from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.reports.api import router
from handlers.retail.reports.files import ReportFiles, ReportTopic, signing_s3
from handlers.retail.reports.periods import ReportPeriod
from handlers.retail.reports.usecases import ReportUseCases
from handlers.retail.store_settings import Language, StoreValues
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.events import http_request
from tests.handlers.conftest import fake_aws

BUCKET = "retail-reports-test"
NOW = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)  # the schedule's run on the 11th reports the 10th

# id, sku, name, price
PRODUCTS = [
    ("p-mug", "MUG-1", "Mug", "12.50"),
    ("p-pen", "PEN-1", "Pen", "0.99"),
    ("p-cup", "CUP-1", "Cup", "7.25"),
    ("p-bag", "BAG-1", "Bag", "30.00"),
    ("p-hat", "HAT-1", "Hat", "15.00"),
    ("p-key", "KEY-1", "Keyring", "2.00"),
]
# id, seller, created_at, status, [(product_id, quantity, unit price)]; tax rate 0.10
SALES: list[tuple[str, str, str, str, list[tuple[str, int, str]]]] = [
    ("s-1", "u-sam", "2026-03-09T09:00:00.000+00:00", "COMPLETED", [("p-mug", 2, "12.50"), ("p-pen", 3, "0.99")]),
    ("s-2", "u-sue", "2026-03-09T23:59:59.999+00:00", "COMPLETED", [("p-cup", 1, "7.25")]),
    (
        "s-3",
        "u-sam",
        "2026-03-10T08:00:00.000+00:00",
        "COMPLETED",
        [("p-pen", 10, "0.99"), ("p-bag", 1, "30.00"), ("p-hat", 1, "15.00"), ("p-key", 1, "2.00")],
    ),  # fmt: skip
    ("s-4", "u-sue", "2026-03-10T09:00:00.000+00:00", "VOIDED", [("p-mug", 100, "12.50")]),  # excluded: voided
    ("s-5", "u-sam", "2026-03-11T00:00:00.000+00:00", "COMPLETED", [("p-mug", 1, "12.50")]),  # after the 10th
    ("s-6", "u-sue", "2026-03-08T23:59:59.999+00:00", "COMPLETED", [("p-cup", 5, "7.25")]),  # before the 9th
]
TAX_RATE = Decimal("0.10")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def seed(db: Database) -> None:
    """The known data set, written directly in SQL (money as text, as the stores bind it)."""
    with db.transaction() as tx:
        for pid, sku, name, price in PRODUCTS:
            tx.execute(
                "INSERT INTO products (id, sku, name, category, price, min_stock, active, created_at, updated_at) "
                "VALUES (:id, :sku, :name, 'misc', :price, 0, 1, :at, :at)",
                {"id": pid, "sku": sku, "name": name, "price": price, "at": "2026-01-01T00:00:00.000+00:00"},
            )
        for n, (sid, seller, at, status, items) in enumerate(SALES, start=1):
            subtotal = sum((Decimal(p) * q for _, q, p in items), Decimal(0))
            tax = _cents(subtotal * TAX_RATE)
            tx.execute(
                "INSERT INTO sales (id, number, client_id, seller_id, payment_method, subtotal, tax_rate, tax, total, "
                "status, created_at) VALUES (:id, :number, NULL, :seller, 'cash', :subtotal, '0.10', :tax, :total, "
                ":status, :at)",
                {
                    "id": sid,
                    "number": f"S-{n:06d}",
                    "seller": seller,
                    "subtotal": str(_cents(subtotal)),
                    "tax": str(tax),
                    "total": str(_cents(subtotal + tax)),
                    "status": status,
                    "at": at,
                },  # fmt: skip
            )
            for pid, quantity, price in items:
                tx.execute(
                    "INSERT INTO sale_items (sale_id, product_id, sku, name, quantity, unit_price, line_total) "
                    "SELECT :sale, id, sku, name, :q, :price, :line FROM products WHERE id = :pid",
                    {
                        "sale": sid,
                        "pid": pid,
                        "q": quantity,
                        "price": price,
                        "line": str(_cents(Decimal(price) * quantity)),
                    },  # fmt: skip
                )


@pytest.fixture
def db(database: Database) -> Database:
    apply_service_migrations(database, MIGRATIONS)
    return database


@pytest.fixture
def seeded(db: Database) -> Database:
    seed(db)
    return db


def store(zone: str = "UTC", language: Language = "en") -> Callable[[], StoreValues]:
    """The store's settings as the reports read them: UTC days by default, so the data set's days are the store's."""
    values = StoreValues("Corner Shop", "PEN", Decimal("0.10"), 5, language, zone)
    return lambda: values


@pytest.fixture
def reports(seeded: Database) -> ReportUseCases:
    """The use cases on the seeded data set, with fake report files."""
    return ReportUseCases(seeded, FakeFiles({"daily/2026-03-10"}), store_values=store(), clock=lambda: NOW)


@dataclass
class FakeFiles:
    """The report files without S3: the periods (``kind/key``) whose report exists."""

    written: set[str]

    def exists(self, period: ReportPeriod) -> bool:
        return f"{period.kind.value}/{period.key}" in self.written

    def links(self, period: ReportPeriod, expires_in: int) -> tuple[str, str]:
        return f"https://s3/{period.key}.csv?e={expires_in}", f"https://s3/{period.key}.json?e={expires_in}"


Call = Callable[..., tuple[int, Any]]


def call_app(app: Any, route_key: str, who: dict[str, str] | None, *, path: str | None = None,
             query: dict[str, str] | None = None, params: dict[str, str] | None = None,
             body: Any = None) -> tuple[int, Any]:  # fmt: skip
    event = http_request(route_key, path=path, query=query, path_parameters=params, claims=who, body=body)
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


@pytest.fixture
def call(reports: ReportUseCases) -> Call:
    app = router.app(reports)
    return lambda route_key, who=None, **kw: call_app(app, route_key, who, **kw)


# --- S3 and SNS in moto ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cloud:
    s3: Any
    sns: Any
    sqs: Any
    topic_arn: str
    queue_url: str

    def reports(self, db: Database, zone: str = "UTC", language: Language = "en", **kw: Any) -> ReportUseCases:
        """The use cases on ``db`` with the files and the topic in moto, at the schedule's run on the 11th."""
        return ReportUseCases(db, ReportFiles(signing_s3(), BUCKET), ReportTopic(self.sns, self.topic_arn),
                              store_values=store(zone, language), clock=kw.get("clock", lambda: NOW),
                              app_url=kw.get("app_url"))  # fmt: skip

    def notifications(self) -> list[dict[str, Any]]:
        """The SNS envelopes delivered to the queue subscribed to the topic (consumed)."""
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """The reports bucket, the reports topic and a queue subscribed to it, in moto."""
    with fake_aws(monkeypatch):
        s3, sns, sqs = boto3.client("s3"), boto3.client("sns"), boto3.client("sqs")
        s3.create_bucket(Bucket=BUCKET)
        topic_arn = sns.create_topic(Name="retail-reports")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="reports-subscriber")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        yield Cloud(s3, sns, sqs, topic_arn, queue_url)
