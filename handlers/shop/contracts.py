"""The shop's events (bus ``shop``, source ``shop.<service>``), shared by producers and consumers.

The order saga: ``OrderPlaced`` → products reserves every item or none → ``StockReserved`` or ``StockRejected`` → the
order is ``CONFIRMED`` (``OrderConfirmed``) or ``REJECTED``. ``OrderCancelled`` releases what was reserved
(``StockReleased``). ``ProductChanged`` keeps the orders service's copy of the catalog current, so orders can price
what it sells without calling products. Money is ``Decimal``, never a float.

Every detail carries ``event_id`` and ``occurred_at`` (from :class:`EventDetail`); consumers are idempotent on
``event_id``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from handlers.shared.events import EventDetail


class OrderItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: str
    quantity: int = Field(gt=0, le=1000)


class OrderPlaced(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "OrderPlaced"
    order_id: str
    customer_id: str
    items: tuple[OrderItem, ...] = Field(min_length=1)


class StockReserved(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "StockReserved"
    order_id: str
    items: tuple[OrderItem, ...]


class StockRejected(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "StockRejected"
    order_id: str
    reason: str


class OrderConfirmed(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "OrderConfirmed"
    order_id: str


class OrderCancelled(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "OrderCancelled"
    order_id: str


class StockReleased(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "StockReleased"
    order_id: str


class ProductChanged(EventDetail):
    DETAIL_TYPE: ClassVar[str] = "ProductChanged"
    product_id: str
    sku: str
    name: str
    category: str
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    active: bool
    """False once the product is deleted: orders stop selling it."""


def event_order_id(event: EventDetail) -> str:
    """The order an event of the saga is about (every saga event names one)."""
    order_id = getattr(event, "order_id", None)
    if not isinstance(order_id, str):
        raise TypeError(f"{type(event).__name__} does not name an order")
    return order_id


EVENTS: dict[str, type[EventDetail]] = {
    model.DETAIL_TYPE: model
    for model in (
        OrderPlaced,
        StockReserved,
        StockRejected,
        OrderConfirmed,
        OrderCancelled,
        StockReleased,
        ProductChanged,
    )
}
