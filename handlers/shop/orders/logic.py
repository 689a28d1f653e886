"""Orders: pricing from the catalog copy, payment rules, the status machine and what each stock event does.

Pure domain code: no boto3, no SQL; the rules take ``now`` from their caller (the handlers' clock is
``handlers.shared.clock.utc_now``, replaced in tests). The use cases (``usecases.py``) call these functions, and
``store.py`` persists the results.

Status machine::

    PENDING ──StockReserved──▶ CONFIRMED ──cancel──▶ CANCELLING ──StockReleased──▶ CANCELLED
       │  └──────────────────────cancel──────────────────▲   │
       └──StockRejected──▶ REJECTED                          └──StockRejected──▶ CANCELLED

- An order cancelled while PENDING may still hear that its stock was rejected: nothing was reserved, so nothing
  will be released, and the order is CANCELLED at once (otherwise it would wait in CANCELLING for ever).
- ``SHIPPED`` exists for completeness (it cannot be cancelled) but nothing sets it yet: no shipping service exists.
- Every other transition is refused: a command gets a 409 naming the current status; a stock event that the status
  cannot take is ignored (and logged by the consumer).

Money is ``Decimal`` end to end, two places, rounded half-up per line; responses show it as a string ("12.50").

Listing order: newest first (``created_at`` descending, then ``id``); the cursor is the opaque URL-safe base64 of
the last item's ``[created_at, id]``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.shared.clock import as_utc, timestamp_us
from handlers.shared.errors import DomainError, NotFound
from handlers.shared.events import EventDetail
from handlers.shared.money import money, money_text
from handlers.shared.paging import NewestFirstQuery, Page, newest_first_page
from handlers.shared.status import StatusMachine, TransitionRefused
from handlers.shared.views import IsoTimestamp, Money
from handlers.shop.contracts import (
    OrderCancelled,
    OrderConfirmed,
    OrderItem,
    OrderPlaced,
    ProductChanged,
    StockRejected,
    StockReleased,
    StockReserved,
)

ADMINS = "admins"
"""The group that may see every order (as declared in ``architectures/shop.py``)."""

CURRENCY = "USD"
MAX_TOTAL = Decimal("9999999999.99")  # DECIMAL(12,2)
MAX_ITEMS = 50


class Status(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"
    SHIPPED = "SHIPPED"  # not set by anything yet (no shipping service); it cannot be cancelled


class Action(StrEnum):
    """What happens to an order; the value completes the sentence "cannot ..."."""

    CONFIRM = "confirm it"
    REJECT = "reject it"
    CANCEL = "cancel it"
    RELEASE = "finish cancelling it"


MACHINE: StatusMachine[Status, Action] = StatusMachine(
    "order",
    {
        (Status.PENDING, Action.CONFIRM): Status.CONFIRMED,
        (Status.PENDING, Action.REJECT): Status.REJECTED,
        (Status.PENDING, Action.CANCEL): Status.CANCELLING,
        (Status.CONFIRMED, Action.CANCEL): Status.CANCELLING,
        (Status.CANCELLING, Action.RELEASE): Status.CANCELLED,
        # Cancelled before products answered, and products reserved nothing: there is nothing to release.
        (Status.CANCELLING, Action.REJECT): Status.CANCELLED,
    },
)
"""The only allowed transitions; anything else is refused with a 409 naming the current status."""


class OrderNotFound(NotFound, LookupError):
    """No order has this id (or the caller may not know it exists): a 404."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id}")
        self.order_id = order_id


class OrderRefused(DomainError):
    """A well-formed order that cannot be taken (an unknown or withdrawn product...): a 422."""

    http_status: ClassVar[int] = 422


# --- the request -----------------------------------------------------------------------------------------------


class PaymentMethod(StrEnum):
    CARD = "card"
    CASH_ON_DELIVERY = "cash_on_delivery"


class NewItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=1000)


class Payment(BaseModel):
    """How the customer pays. Only the method and a card's last four digits are accepted or kept: any other field
    (a full ``card_number``, a CVV...) is refused, so a card number never reaches the database or the logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: PaymentMethod
    card_last4: str | None = Field(None, pattern=r"^[0-9]{4}$", description="exactly 4 digits; card payments only")

    @model_validator(mode="after")
    def _last4_for_cards_only(self) -> Self:
        if self.method is PaymentMethod.CARD and self.card_last4 is None:
            raise ValueError("card_last4 is required when paying by card")
        if self.method is PaymentMethod.CASH_ON_DELIVERY and self.card_last4 is not None:
            raise ValueError("card_last4 is not allowed for cash on delivery")
        return self


class ShippingAddress(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str | None = Field(None, min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=64)


class NewOrder(BaseModel):
    """The body of ``POST /orders``. Unknown fields are refused at every level, so a typo is not silently dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: tuple[NewItem, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    payment: Payment
    shipping_address: ShippingAddress

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: tuple[NewItem, ...]) -> tuple[NewItem, ...]:
        counts = Counter(i.product_id for i in items)
        repeated = sorted(p for p, n in counts.items() if n > 1)
        if repeated:
            raise ValueError(f"each product may appear once; repeated: {', '.join(repeated)}")
        return items


# --- the catalog copy -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogEntry:
    """What orders knows of a product, from products' ProductChanged events."""

    product_id: str
    sku: str
    name: str
    price: Decimal
    active: bool
    changed_at: datetime


def catalog_entry(event: ProductChanged) -> CatalogEntry:
    return CatalogEntry(event.product_id, event.sku, event.name, money(event.price), event.active,
                        as_utc(event.occurred_at))  # fmt: skip


def is_newer(current: CatalogEntry | None, incoming: CatalogEntry) -> bool:
    """Product events may arrive out of order (SQS is not FIFO): only a later change replaces the copy."""
    return current is None or incoming.changed_at > current.changed_at


# --- the order ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    product_id: str
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return money(self.unit_price * self.quantity)


@dataclass(frozen=True)
class PaymentRecord:
    """The payment detail written when the order is CONFIRMED."""

    method: PaymentMethod
    card_last4: str | None
    amount: Decimal
    recorded_at: datetime


@dataclass(frozen=True)
class Order:
    id: str
    customer_id: str
    status: Status
    lines: tuple[Line, ...]
    payment_method: PaymentMethod
    card_last4: str | None
    shipping: ShippingAddress
    created_at: datetime
    updated_at: datetime
    reason: str | None = None
    currency: str = CURRENCY
    payment: PaymentRecord | None = None

    @property
    def total(self) -> Decimal:
        return money(sum((line.line_total for line in self.lines), Decimal(0)))


@dataclass(frozen=True)
class Change:
    """What a command or an event does to an order: its new state and the events to publish with it.

    ``ignored`` says why nothing changed; ``payment`` is set when the payment detail is to be recorded."""

    order: Order
    events: tuple[EventDetail, ...] = ()
    ignored: str | None = None
    payment: PaymentRecord | None = None

    @property
    def changed(self) -> bool:
        return self.ignored is None


def price(new: NewOrder, catalog: Mapping[str, CatalogEntry]) -> tuple[Line, ...]:
    """Lines priced from the catalog copy; an unknown or inactive product is a 422 naming it."""
    unsellable = [i.product_id for i in new.items if not (i.product_id in catalog and catalog[i.product_id].active)]
    if unsellable:
        raise OrderRefused(f"items: unknown or unavailable product(s): {', '.join(unsellable)}")
    lines = tuple(
        Line(i.product_id, catalog[i.product_id].name, i.quantity, catalog[i.product_id].price) for i in new.items
    )
    total = sum((line.line_total for line in lines), Decimal(0))
    if total > MAX_TOTAL:
        raise OrderRefused(f"items: the order total {total} exceeds the maximum of {MAX_TOTAL}")
    return lines


def place(new: NewOrder, catalog: Mapping[str, CatalogEntry], *, order_id: str, customer_id: str,
          now: datetime) -> Change:  # fmt: skip
    """A new PENDING order priced from the catalog, and the OrderPlaced event that asks products for stock."""
    order = Order(
        id=order_id,
        customer_id=customer_id,
        status=Status.PENDING,
        lines=price(new, catalog),
        payment_method=new.payment.method,
        card_last4=new.payment.card_last4,
        shipping=new.shipping_address,
        created_at=now,
        updated_at=now,
    )
    items = tuple(OrderItem(product_id=line.product_id, quantity=line.quantity) for line in order.lines)
    return Change(order, (OrderPlaced(order_id=order_id, customer_id=customer_id, items=items, occurred_at=now),))


def cancel(order: Order, now: datetime) -> Change:
    """The owner cancels (from PENDING or CONFIRMED): CANCELLING until products released the stock."""
    status = MACHINE.next(order.id, order.status, Action.CANCEL)
    return Change(replace(order, status=status, updated_at=now), (OrderCancelled(order_id=order.id, occurred_at=now),))


# --- events from products ---------------------------------------------------------------------------------------


def _move(order: Order, action: Action, now: datetime) -> Order | str:
    try:
        return replace(order, status=MACHINE.next(order.id, order.status, action), updated_at=now)
    except TransitionRefused as refused:
        return str(refused)


def on_stock_reserved(order: Order, event: StockReserved, now: datetime) -> Change:
    """Every item is reserved: the order is CONFIRMED and its payment detail recorded."""
    moved = _move(order, Action.CONFIRM, now)
    if isinstance(moved, str):
        return Change(order, ignored=moved)
    payment = PaymentRecord(order.payment_method, order.card_last4, order.total, now)
    return Change(replace(moved, payment=payment), (OrderConfirmed(order_id=order.id, occurred_at=now),),
                  payment=payment)  # fmt: skip


def on_stock_rejected(order: Order, event: StockRejected, now: datetime) -> Change:
    moved = _move(order, Action.REJECT, now)
    if isinstance(moved, str):
        return Change(order, ignored=moved)
    return Change(replace(moved, reason=event.reason[:500]))


def on_stock_released(order: Order, event: StockReleased, now: datetime) -> Change:
    moved = _move(order, Action.RELEASE, now)
    return Change(order, ignored=moved) if isinstance(moved, str) else Change(moved)


def apply_event(order: Order, event: EventDetail, now: datetime) -> Change:
    """Dispatch a received stock event to its rule."""
    if isinstance(event, StockReserved):
        return on_stock_reserved(order, event, now)
    if isinstance(event, StockRejected):
        return on_stock_rejected(order, event, now)
    if isinstance(event, StockReleased):
        return on_stock_released(order, event, now)
    raise TypeError(f"orders does not handle {type(event).__name__}")


# --- who sees what, and how it looks --------------------------------------------------------------------------------


def can_see(order: Order, user_id: str, groups: frozenset[str]) -> bool:
    """Admins see every order; a customer only their own."""
    return ADMINS in groups or order.customer_id == user_id


def can_cancel(order: Order, user_id: str) -> bool:
    """Only the owner cancels (anyone else is told the order does not exist)."""
    return order.customer_id == user_id


class OrderLineView(TypedDict):
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money


class PaymentView(TypedDict):
    method: PaymentMethod
    card_last4: str | None


class AddressView(TypedDict):
    line1: str
    city: str
    postal_code: str | None
    country: str


class OrderView(TypedDict):
    """An order as the API shows it (money as strings with two places)."""

    id: str
    status: Status
    total: Money
    currency: str
    items: list[OrderLineView]
    payment: PaymentView
    shipping_address: AddressView
    reason: str | None
    created_at: IsoTimestamp
    updated_at: IsoTimestamp


def view(order: Order) -> OrderView:
    """The order as the API shows it (money as strings with two places)."""
    shipping = order.shipping
    return {
        "id": order.id,
        "status": order.status,
        "total": money_text(order.total),
        "currency": order.currency,
        "items": [
            {
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money_text(line.unit_price),
                "line_total": money_text(line.line_total),
            }  # fmt: skip
            for line in order.lines
        ],
        "payment": {"method": order.payment_method, "card_last4": order.card_last4},
        "shipping_address": {
            "line1": shipping.line1,
            "city": shipping.city,
            "postal_code": shipping.postal_code,
            "country": shipping.country,
        },
        "reason": order.reason,
        "created_at": timestamp_us(order.created_at),
        "updated_at": timestamp_us(order.updated_at),
    }


# --- listing ---------------------------------------------------------------------------------------------------------


class ListQuery(NewestFirstQuery):
    """``GET /orders`` query: ``limit`` (1..100, default 20) and ``cursor`` (from ``next_cursor``)."""


def page(orders: Sequence[Order], limit: int) -> Page[OrderView]:
    return newest_first_page(orders, limit, view)
