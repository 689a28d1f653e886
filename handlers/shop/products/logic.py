"""The products service's domain: the catalog's rules and the stock saga's decisions. No boto3, no SQL.

Money is ``Decimal`` end to end: a price is at most 12 digits with 2 decimals and never negative. A JSON number is
accepted only when it has at most 2 decimals (``12.5`` is fine, ``12.345`` is a 422); responses give it as a
string with exactly two decimals (``"12.50"``).

The saga (see ``handlers/shop/contracts.py``): an order's items are reserved all or none
(:func:`decide_reservation`); an order is decided once (a second OrderPlaced for it is ignored); a confirmation
sells the reserved units; a cancellation puts back whatever the order holds and always answers StockReleased, even
when it held nothing (a rejected order, or a cancellation that arrived before its OrderPlaced), so the orders service
can finish the cancellation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import ClassVar, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.shared.clock import timestamp_us
from handlers.shared.products import ProductBase, ProductFieldsBase, ProductListQuery, ProductNotFound
from handlers.shared.records import view_of
from handlers.shared.views import IsoTimestamp, Money
from handlers.shop.contracts import OrderItem, OrderPlaced, ProductChanged, StockRejected, StockReserved

# --- the catalog -------------------------------------------------------------------------------------------------


class ProductFields(ProductFieldsBase):
    """The body of ``POST /products`` and ``PUT /products/{id}`` (PUT replaces every field; ``active`` omitted keeps
    the current value, ``true`` restores a deleted product)."""

    description: str | None = Field(None, max_length=4000)

    @field_validator("description")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


@dataclass(frozen=True, kw_only=True)
class Product(ProductBase):
    description: str | None


def changes_nothing(current: Product, product: Product) -> bool:
    """Whether ``product`` differs from ``current`` only in its time: then nothing is written nor announced."""
    return replace(product, updated_at=current.updated_at) == current


def visible(product: Product | None, product_id: str) -> Product:
    """What the public catalog shows: a deleted product is a 404 like an unknown one."""
    if product is None or not product.active:
        raise ProductNotFound(product_id)
    return product


def product_changed(product: Product) -> ProductChanged:
    return ProductChanged(
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        category=product.category,
        price=product.price,
        active=product.active,
        occurred_at=product.updated_at,
    )


class ProductView(TypedDict):
    """A product as the API shows it (the price as a string with two decimals)."""

    id: str
    sku: str
    name: str
    description: str | None
    category: str
    price: Money
    active: bool
    created_at: IsoTimestamp
    updated_at: IsoTimestamp


def product_view(product: Product) -> ProductView:
    return cast(ProductView, view_of(product, timestamp_us))


# --- listing -----------------------------------------------------------------------------------------------------


class ListQuery(ProductListQuery):
    """``GET /products``: ``q`` (in name, SKU or description, any case), ``category``, ``limit``, ``cursor``.
    Products come in SKU order."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    q: str | None = Field(None, max_length=100, description="Words to find in the name, SKU or description")

    @field_validator("q")
    @classmethod
    def _blank(cls, value: str | None) -> str | None:
        return value or None


def search_pattern(q: str) -> str:
    """A LIKE pattern (escape character ``!``) matching ``q`` anywhere, in lower case."""
    escaped = q.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


# --- inventory ---------------------------------------------------------------------------------------------------


class InventoryUpdate(BaseModel):
    """``PUT /products/{id}/inventory``: the units available to sell (the reserved ones are unchanged)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quantity: int = Field(ge=0, le=1_000_000_000, strict=True)


@dataclass(frozen=True)
class Inventory:
    product_id: str
    available: int
    reserved: int


class InventoryView(TypedDict):
    """A product's stock: units available to sell, and units reserved by orders awaiting confirmation."""

    product_id: str
    available: int
    reserved: int


def inventory_view(inventory: Inventory) -> InventoryView:
    return {"product_id": inventory.product_id, "available": inventory.available, "reserved": inventory.reserved}


# --- the stock saga ----------------------------------------------------------------------------------------------


class OrderStock(StrEnum):
    """What products decided for an order (one row per order: it is decided once)."""

    RESERVED = "RESERVED"
    REJECTED = "REJECTED"
    COMMITTED = "COMMITTED"
    RELEASED = "RELEASED"


class LineState(StrEnum):
    RESERVED = "RESERVED"
    COMMITTED = "COMMITTED"
    RELEASED = "RELEASED"


@dataclass(frozen=True)
class Reservation:
    """The units of one product an order holds, and in what state."""

    product_id: str
    quantity: int
    state: LineState


CANCELLED_BEFORE_PLACED = "cancelled before it was placed"
"""Why an order whose cancellation came first is RELEASED: its late OrderPlaced is then ignored."""


@dataclass(frozen=True)
class Stock:
    """One product as a reservation sees it (its inventory row locked)."""

    product_id: str
    sku: str
    active: bool
    available: int
    reserved: int


@dataclass(frozen=True)
class Reserve:
    """Every item can be had: move these quantities from available to reserved."""

    items: tuple[OrderItem, ...]
    event: StockReserved
    state: ClassVar[OrderStock] = OrderStock.RESERVED


@dataclass(frozen=True)
class Reject:
    """Some item cannot be had: nothing is reserved."""

    reason: str
    event: StockRejected
    state: ClassVar[OrderStock] = OrderStock.REJECTED


def merged_items(items: Iterable[OrderItem]) -> tuple[OrderItem, ...]:
    """One line per product (an order naming a product twice reserves the sum), in product-id order: the order in
    which inventory rows are locked, so two reservations never wait on each other in a circle."""
    totals: dict[str, int] = {}
    for item in items:
        totals[item.product_id] = totals.get(item.product_id, 0) + item.quantity
    return tuple(OrderItem(product_id=p, quantity=q) for p, q in sorted(totals.items()))


def decide_reservation(order: OrderPlaced, stock: Mapping[str, Stock]) -> Reserve | Reject:
    """All or none: each item's product must exist, be sold and have the quantity available."""
    items = merged_items(order.items)
    problems = []
    for item in items:
        line = stock.get(item.product_id)
        if line is None:
            problems.append(f"product {item.product_id} does not exist")
        elif not line.active:
            problems.append(f"product {line.sku} ({line.product_id}) is no longer sold")
        elif line.available < item.quantity:
            short = item.quantity - line.available
            problems.append(
                f"product {line.sku} ({line.product_id}): {item.quantity} requested, {line.available} available "
                f"(short by {short})"
            )
    if problems:
        reason = "; ".join(problems)
        return Reject(reason, StockRejected(order_id=order.order_id, reason=reason))
    return Reserve(items, StockReserved(order_id=order.order_id, items=items))


@dataclass(frozen=True)
class Outcome:
    """What one saga event did: ``ignored`` says why nothing changed."""

    order_id: str
    state: OrderStock | None = None
    ignored: str | None = None

    @property
    def changed(self) -> bool:
        return self.ignored is None


def placed_again(order_id: str, state: OrderStock) -> Outcome:
    return Outcome(order_id, state, ignored=f"order {order_id} was already decided ({state.value})")


def can_confirm(order_id: str, state: OrderStock | None) -> Outcome | None:
    """None when the order's reserved units can be sold; otherwise why a confirmation changes nothing."""
    if state is OrderStock.RESERVED:
        return None
    if state is None:
        return Outcome(order_id, None, ignored=f"order {order_id} has no reservation")
    return Outcome(order_id, state, ignored=f"order {order_id} is {state.value}, not RESERVED")


@dataclass(frozen=True)
class Release:
    """What a cancellation gives back per product: ``to_available`` units and ``from_reserved`` units."""

    product_id: str
    to_available: int
    from_reserved: int


def releases(lines: Iterable[Reservation]) -> tuple[Release, ...]:
    """A reserved line goes back to available; a sold (committed, not shipped) one returns to available too. In
    product-id order, the order in which inventory rows are locked."""
    out = []
    for line in sorted(lines, key=lambda held: held.product_id):
        if line.state is LineState.RESERVED:
            out.append(Release(line.product_id, line.quantity, line.quantity))
        elif line.state is LineState.COMMITTED:
            out.append(Release(line.product_id, line.quantity, 0))
    return tuple(out)
