"""The sales service's domain: pricing a sale, deciding its stock decrements, voiding it. No boto3, no SQL.

Money is ``Decimal`` end to end. Rounding is ROUND_HALF_UP to 2 places at each step: every line
(``unit_price × quantity``), the tax (``subtotal × tax_rate``, on the subtotal of the rounded lines), and the total
(``subtotal + tax``, already exact). Unit prices are the products' current prices; the client never sends one.

Stock: a sale takes every item or nothing (409 naming the first item that is short, nothing written); each decrement
is a SALE movement; a product crossing below its ``min_stock`` emits StockLow (once per crossing). A void puts every
line back (VOID movements) once: a second void is a 409 naming the status.

Visibility: a seller sees (lists and reads) only their own sales; an admin sees all and may filter by ``seller``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.retail.contracts import StockLow
from handlers.retail.staff import ADMINS, own_sales_scope
from handlers.retail.stock_movements import Movement, MovementKind, movement
from handlers.shared.clock import timestamp_ms
from handlers.shared.errors import Conflict, DomainError, Forbidden, NotFound
from handlers.shared.fields import Day
from handlers.shared.money import cents, money_text
from handlers.shared.paging import NewestFirstQuery, Page, newest_first_page
from handlers.shared.views import IsoTimestamp, Money


def sale_number(value: int) -> str:
    return f"S-{value:06d}"


# --- errors ------------------------------------------------------------------------------------------------------


class SaleRefused(DomainError):
    """A well-formed sale that cannot be taken: a 422 whose ``reason`` param says why (``unknown_client``,
    ``unknown_product``, ``product_inactive``)."""

    http_status = 422


class OutOfStock(Conflict):
    pass


class SaleNotFound(NotFound):
    def __init__(self, sale_id: str) -> None:
        super().__init__(f"sale {sale_id} not found")


class AlreadyVoided(Conflict):
    def __init__(self, sale_id: str, status: str) -> None:
        super().__init__(f"sale {sale_id} is already {status}")


# --- a new sale ----------------------------------------------------------------------------------------------------


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    TRANSFER = "transfer"


class SaleItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    product_id: str = Field(min_length=1, max_length=36)
    quantity: int = Field(gt=0, le=10_000, strict=True)


class NewSale(BaseModel):
    """The body of ``POST /sales``."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    client_id: str | None = Field(None, min_length=1, max_length=36)
    items: tuple[SaleItem, ...] = Field(min_length=1, max_length=100)
    payment_method: PaymentMethod

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: tuple[SaleItem, ...]) -> tuple[SaleItem, ...]:
        repeated = sorted(p for p, n in Counter(i.product_id for i in items).items() if n > 1)
        if repeated:
            raise ValueError(f"each product may appear once; repeated: {', '.join(repeated)}")
        return items

    @property
    def product_ids(self) -> list[str]:
        """In id order: the order in which stock rows are locked, so concurrent sales never deadlock."""
        return sorted(i.product_id for i in self.items)


@dataclass(frozen=True)
class Stocked:
    """A product as a sale sees it, its stock row locked."""

    product_id: str
    sku: str
    name: str
    price: Decimal
    active: bool
    stock: int
    min_stock: int


class SaleStatus(StrEnum):
    COMPLETED = "COMPLETED"
    VOIDED = "VOIDED"


@dataclass(frozen=True)
class Line:
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class Sale:
    id: str
    number: str
    client_id: str | None
    seller_id: str
    payment_method: PaymentMethod
    lines: tuple[Line, ...]
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    status: SaleStatus
    created_at: datetime
    voided_at: datetime | None = None
    voided_by: str | None = None


@dataclass(frozen=True)
class Decrement:
    product_id: str
    quantity: int
    stock_after: int


@dataclass(frozen=True)
class SaleDecision:
    """A priced sale (its number still to be drawn), the stock it takes and the StockLow events it causes."""

    sale: Sale
    decrements: tuple[Decrement, ...]
    alerts: tuple[StockLow, ...]


def totals(lines: tuple[Line, ...], tax_rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total), each rounded half-up to cents."""
    subtotal = cents(sum((line.line_total for line in lines), Decimal(0)))
    tax = cents(subtotal * tax_rate)
    return subtotal, tax, cents(subtotal + tax)


def decide_sale(new: NewSale, stocked: Mapping[str, Stocked], *, client_known: bool, tax_rate: Decimal,
                sale_id: str, seller_id: str, now: datetime) -> SaleDecision:  # fmt: skip
    """Price the sale and decide its decrements: 422 naming an unknown/inactive product or client, 409 naming the
    first item (in request order) that lacks stock."""
    if new.client_id is not None and not client_known:
        raise SaleRefused(f"client {new.client_id} does not exist", reason="unknown_client", client_id=new.client_id)
    for item in new.items:
        product = stocked.get(item.product_id)
        if product is None:
            raise SaleRefused(
                f"product {item.product_id} does not exist", reason="unknown_product", product_id=item.product_id
            )
        if not product.active:
            raise SaleRefused(
                f"product {product.sku} ({product.product_id}) is no longer sold",
                reason="product_inactive",
                product_id=product.product_id,
                sku=product.sku,
            )
    for item in new.items:
        product = stocked[item.product_id]
        if product.stock < item.quantity:
            raise OutOfStock(
                f"not enough stock of {product.sku} ({product.name}): {item.quantity} requested, "
                f"{product.stock} in stock",
                sku=product.sku,
                name=product.name,
                requested=item.quantity,
                stock=product.stock,
            )
    lines, decrements, alerts = [], [], []
    for item in new.items:
        product = stocked[item.product_id]
        lines.append(Line(product.product_id, product.sku, product.name, item.quantity, product.price,
                          cents(product.price * item.quantity)))  # fmt: skip
        after = product.stock - item.quantity
        decrements.append(Decrement(product.product_id, item.quantity, after))
        if product.stock >= product.min_stock > after:
            alerts.append(StockLow(product_id=product.product_id, sku=product.sku, name=product.name, stock=after,
                                   min_stock=product.min_stock, occurred_at=now))  # fmt: skip
    subtotal, tax, total = totals(tuple(lines), tax_rate)
    sale = Sale(sale_id, "", new.client_id, seller_id, new.payment_method, tuple(lines), subtotal, tax_rate, tax,
                total, SaleStatus.COMPLETED, now)  # fmt: skip
    decrements.sort(key=lambda d: d.product_id)
    return SaleDecision(sale, tuple(decrements), tuple(alerts))


def numbered(sale: Sale, counter: int) -> Sale:
    """The sale with its number, from the value the sale counter was drawn at."""
    return replace(sale, number=sale_number(counter))


def sale_movement(sale: Sale, decrement: Decrement, movement_id: str) -> Movement:
    """The SALE movement of one decrement: by the seller, when the sale was made."""
    return movement(movement_id, decrement.product_id, MovementKind.SALE, -decrement.quantity, sale.seller_id,
                    sale.created_at, sale_id=sale.id)  # fmt: skip


def void_movement(sale: Sale, line: Line, movement_id: str) -> Movement:
    """The VOID movement that puts a line of a voided sale back: by whoever voided it, when they did."""
    assert sale.voided_by is not None and sale.voided_at is not None, "only a voided sale puts its lines back"
    return movement(movement_id, line.product_id, MovementKind.VOID, line.quantity, sale.voided_by, sale.voided_at,
                    sale_id=sale.id)  # fmt: skip


def voided(sale: Sale | None, sale_id: str, user_id: str, now: datetime) -> Sale:
    """The sale VOIDED (its lines go back to stock); 404 unknown, 409 naming the status when already voided."""
    if sale is None:
        raise SaleNotFound(sale_id)
    if sale.status is not SaleStatus.COMPLETED:
        raise AlreadyVoided(sale_id, sale.status.value)
    return replace(sale, status=SaleStatus.VOIDED, voided_at=now, voided_by=user_id)


class LineView(TypedDict):
    """One product of a sale: ``line_total`` is ``unit_price`` times ``quantity``, before tax."""

    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money


class SaleView(TypedDict):
    """A sale: its lines, its amounts (``tax`` is ``subtotal`` times ``tax_rate``) and its status."""

    id: str
    number: str
    items: list[LineView]
    subtotal: Money
    tax_rate: str
    tax: Money
    total: Money
    payment_method: PaymentMethod
    client_id: str | None
    seller_id: str
    status: SaleStatus
    created_at: IsoTimestamp
    voided_at: IsoTimestamp | None
    voided_by: str | None


def sale_view(sale: Sale) -> SaleView:
    return {
        "id": sale.id,
        "number": sale.number,
        "items": [
            {
                "product_id": line.product_id,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money_text(line.unit_price),
                "line_total": money_text(line.line_total),
            }
            for line in sale.lines
        ],  # fmt: skip
        "subtotal": money_text(sale.subtotal),
        "tax_rate": str(sale.tax_rate),
        "tax": money_text(sale.tax),
        "total": money_text(sale.total),
        "payment_method": sale.payment_method,
        "client_id": sale.client_id,
        "seller_id": sale.seller_id,
        "status": sale.status,
        "created_at": timestamp_ms(sale.created_at),
        "voided_at": None if sale.voided_at is None else timestamp_ms(sale.voided_at),
        "voided_by": sale.voided_by,
    }


# --- reading -------------------------------------------------------------------------------------------------------


def can_see(sale: Sale, user_id: str, groups: frozenset[str]) -> bool:
    return ADMINS in groups or sale.seller_id == user_id


class SaleQuery(NewestFirstQuery):
    """``GET /sales?from=&to=&seller=&status=&limit=&cursor=``: the store's days (``YYYY-MM-DD``, in its time zone,
    both inclusive), newest first; ``status`` keeps the sales in that status (``COMPLETED`` or ``VOIDED``, as a sale
    shows it)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    from_: Day | None = Field(None, alias="from")
    to: Day | None = None
    seller: str | None = Field(None, min_length=1, max_length=64)
    status: SaleStatus | None = Field(None, description="Keep the sales in this status: COMPLETED or VOIDED")

    @model_validator(mode="after")
    def _range(self) -> SaleQuery:
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise ValueError("from must not be after to")
        return self

    def window(self, zone: str) -> tuple[str | None, str | None]:
        """The moments the days cover in the store's time zone: ``created_at`` from the first (included) to the
        second (excluded), None where the query leaves that end open."""

        def midnight(day: date) -> str:
            return timestamp_ms(datetime.combine(day, time(), ZoneInfo(zone)))

        return (None if self.from_ is None else midnight(self.from_),
                None if self.to is None else midnight(self.to + timedelta(days=1)))  # fmt: skip


def seller_filter(query: SaleQuery, user_id: str, groups: frozenset[str]) -> str | None:
    """Whose sales a caller lists: an admin anyone's (``seller`` or all), a seller only their own."""
    own = own_sales_scope(user_id, groups)
    if own is None:
        return query.seller
    if query.seller is not None and query.seller != own:
        raise Forbidden("sellers can only list their own sales")
    return own


def page(sales: list[Sale], limit: int) -> Page[SaleView]:
    """A page of sales, newest first: the extra sale only says there is more."""
    return newest_first_page(sales, limit, sale_view, timestamp_ms)
