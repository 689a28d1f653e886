"""The catalog's domain: products, clients and stock rules. No boto3, no SQL.

Money is ``Decimal`` end to end (at most 12 digits, 2 decimals, never negative); a JSON number is accepted only with
at most 2 decimals and responses give it as a string (``"12.50"``). Stock never goes below zero. A change that takes
a product from ``stock >= min_stock`` to ``stock < min_stock`` emits ``StockLow`` once: another one needs the stock
to rise back to the minimum first (a crossing is decided from the stock before and after each change).

A product's ``min_stock`` defaults to the store's ``low_stock_threshold`` (the settings table; 5 when none is saved):
a new product whose body leaves it out gets the threshold in force when it is created, and keeps that number when the
threshold changes later. A replacement (PUT) that leaves it out keeps the product's current minimum, as it does
``active``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, ClassVar, cast

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.retail import messages
from handlers.retail.contracts import StockLow
from handlers.retail.stock_movements import Movement, MovementKind, movement
from handlers.retail.store_settings import Language
from handlers.shared.clock import timestamp_ms
from handlers.shared.errors import Conflict, NotFound, existing
from handlers.shared.paging import NewestFirstQuery, Page, PageQuery, page_of
from handlers.shared.products import ProductBase, ProductFieldsBase, ProductListQuery, sku_page
from handlers.shared.records import view_of
from handlers.shared.views import IsoTimestamp, Money

# --- errors ------------------------------------------------------------------------------------------------------


class ClientNotFound(NotFound):
    def __init__(self, client_id: str) -> None:
        super().__init__(f"client {client_id} not found")


class DuplicateDocument(Conflict):
    def __init__(self, document_id: str) -> None:
        super().__init__(f"a client with document_id {document_id} already exists")


class InsufficientStock(Conflict):
    def __init__(self, sku: str, product_id: str, stock: int, delta: int) -> None:
        super().__init__(
            f"product {sku} ({product_id}) has a stock of {stock}: removing {-delta} would make it negative"
        )


# --- pagination ----------------------------------------------------------------------------------------------------

# The catalog's lists page with the shared ``?limit=`` and ``?cursor=``; unknown query parameters are refused.
STRICT_QUERY = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

# ``?q=``: text a listed item's fields contain, case-insensitive. Stripped, then 1 to 100 characters (an empty or
# longer one is a 422). Every character is literal: ``%`` and ``_`` are no wildcards. A cursor holds the sort key
# only, so paging with the same ``q`` (and other filters) returns each match exactly once.
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


# --- products ------------------------------------------------------------------------------------------------------


class ProductFields(ProductFieldsBase):
    """The body of ``POST /products`` and ``PUT /products/{id}``. PUT replaces every field but two: ``min_stock`` and
    ``active`` omitted (or null) keep the current values, and ``active: true`` restores a deleted product. On POST,
    ``min_stock`` omitted is the store's ``low_stock_threshold`` from the settings (5 when none is saved) and
    ``active`` omitted is ``true``."""

    KEPT_WHEN_OMITTED: ClassVar[tuple[str, ...]] = ("min_stock", "active")

    min_stock: int | None = Field(None, ge=0, le=1_000_000_000, strict=True)


@dataclass(frozen=True, kw_only=True)
class Product(ProductBase):
    min_stock: int


class ProductView(TypedDict):
    """A product; a deleted one has ``active`` false."""

    id: str
    sku: str
    name: str
    category: str
    price: Money
    min_stock: int
    active: bool
    created_at: IsoTimestamp
    updated_at: IsoTimestamp


def product_view(product: Product) -> ProductView:
    return cast(ProductView, view_of(product, timestamp_ms))


class ProductQuery(ProductListQuery):
    """``GET /products?q=&category=&include_inactive=&limit=&cursor=`` in SKU order (deleted ones only on request);
    ``q`` keeps the products whose SKU or name contains it."""

    model_config = STRICT_QUERY

    q: SearchText | None = Field(
        None,
        description="Keep the products whose SKU or name contains this text (case-insensitive; % and _ are literal; "
        "1 to 100 characters after trimming)",
    )
    include_inactive: bool = Field(False, description="Also list deleted products (active false)")


# --- clients -------------------------------------------------------------------------------------------------------


class ClientFields(BaseModel):
    """The body of ``POST /clients`` and ``PUT /clients/{id}`` (PUT replaces every field)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    document_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9+()\- .]{3,40}$")

    @field_validator("email", "phone", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return value or None


@dataclass(frozen=True)
class Client:
    id: str
    document_id: str
    name: str
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime


def new_client(fields: ClientFields, client_id: str, now: datetime) -> Client:
    return Client(client_id, fields.document_id, fields.name, fields.email, fields.phone,
                  now, now)  # fmt: skip


def updated_client(current: Client | None, client_id: str, fields: ClientFields, now: datetime) -> Client:
    return replace(existing(current, ClientNotFound(client_id)), document_id=fields.document_id, name=fields.name,
                   email=fields.email, phone=fields.phone, updated_at=now)  # fmt: skip


class ClientView(TypedDict):
    id: str
    document_id: str
    name: str
    email: str | None
    phone: str | None
    created_at: IsoTimestamp
    updated_at: IsoTimestamp


def client_view(client: Client) -> ClientView:
    return cast(ClientView, view_of(client, timestamp_ms))


class ClientQuery(PageQuery):
    """``GET /clients?q=&limit=&cursor=`` in name order; ``q`` keeps the clients whose name, document id or email
    contains it."""

    model_config = STRICT_QUERY
    CURSOR_PARTS: ClassVar[int] = 2

    q: SearchText | None = Field(
        None,
        description="Keep the clients whose name, document_id or email contains this text (case-insensitive; % and "
        "_ are literal; 1 to 100 characters after trimming)",
    )


# --- stock ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockLevel:
    product_id: str
    sku: str
    name: str
    stock: int
    min_stock: int

    @property
    def low(self) -> bool:
        return self.stock < self.min_stock


class StockView(TypedDict):
    """A product's stock; ``low``: below its minimum."""

    product_id: str
    sku: str
    name: str
    stock: int
    min_stock: int
    low: bool


def stock_view(level: StockLevel) -> StockView:
    return {"product_id": level.product_id, "sku": level.sku, "name": level.name, "stock": level.stock,
            "min_stock": level.min_stock, "low": level.low}  # fmt: skip


class StockQuery(PageQuery):
    """``GET /stock?q=&low=true&limit=&cursor=``: sold products in SKU order; ``q`` keeps those whose SKU or name
    contains it, ``low`` those below their minimum (the ``low`` of their view)."""

    model_config = STRICT_QUERY

    q: SearchText | None = Field(
        None,
        description="Keep the products whose SKU or name contains this text (case-insensitive; % and _ are literal; "
        "1 to 100 characters after trimming)",
    )
    low: bool = Field(False, description="Keep only the products whose stock is below their min_stock (low true)")


class Adjustment(BaseModel):
    """``POST /stock/adjustments``."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    product_id: str = Field(min_length=1, max_length=36)
    delta: int = Field(ge=-1_000_000_000, le=1_000_000_000, strict=True)
    reason: str = Field(min_length=1, max_length=200)

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be 0")
        return value


class MovementQuery(NewestFirstQuery):
    """``GET /stock/movements?product_id=&limit=&cursor=``: newest first (all products when none is named)."""

    model_config = STRICT_QUERY

    product_id: str | None = Field(None, max_length=36)


def crossed_below(before: int, after: int, min_stock: int) -> bool:
    """The change takes the stock from at or above its minimum to below it (the moment StockLow is due)."""
    return before >= min_stock > after


@dataclass(frozen=True)
class StockChange:
    """What an adjustment does: the new level, its movement, and StockLow when it crosses below the minimum."""

    level: StockLevel
    movement: Movement
    alert: StockLow | None


def adjust(level: StockLevel, adjustment: Adjustment, movement_id: str, user_id: str, now: datetime) -> StockChange:
    """Apply ``delta``; 409 naming the product and its stock when it would go below zero."""
    after = level.stock + adjustment.delta
    if after < 0:
        raise InsufficientStock(level.sku, level.product_id, level.stock, adjustment.delta)
    new_level = replace(level, stock=after)
    record = movement(movement_id, level.product_id, MovementKind.ADJUSTMENT, adjustment.delta, user_id, now,
                      reason=adjustment.reason)  # fmt: skip
    alert = None
    if crossed_below(level.stock, after, level.min_stock):
        alert = StockLow(product_id=level.product_id, sku=level.sku, name=level.name, stock=after,
                         min_stock=level.min_stock, occurred_at=now)  # fmt: skip
    return StockChange(new_level, record, alert)


class AdjustmentView(TypedDict):
    """What an adjustment did: its movement and the stock after it."""

    movement: Movement
    stock: StockView


def adjustment_view(change: StockChange) -> AdjustmentView:
    return {"movement": change.movement, "stock": stock_view(change.level)}


def alert_message(event: StockLow, language: Language) -> tuple[str, str]:
    """The SNS subject (at most 100 characters, SNS's limit) and message of a low-stock alert, in ``language``."""
    params = {"sku": event.sku, "name": event.name, "stock": event.stock, "min_stock": event.min_stock}
    return messages.text(language, "low_stock.subject", **params)[:100], messages.text(
        language, "low_stock.body", **params
    )


# --- pages ---------------------------------------------------------------------------------------------------------
# Each list reads up to ``limit + 1`` items in its order: the extra one only says there is a next page.


def client_page(clients: list[Client], limit: int) -> Page[ClientView]:
    return page_of(clients, limit, client_view, lambda c: (c.name, c.id))


def stock_page(levels: list[StockLevel], limit: int) -> Page[StockView]:
    return sku_page(levels, limit, stock_view)


def movement_page(movements: list[Movement], limit: int) -> Page[Movement]:
    return page_of(movements, limit, lambda m: m, lambda m: (m["created_at"], m["id"]))
