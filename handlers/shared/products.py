"""What retail's catalog and the shop's products service share about a product: its common fields and their rules,
create, replace and soft delete, the SKU-ordered listing, and the row it is stored as. Each service keeps its own
schema: a subclass adds its fields (retail's ``min_stock``, the shop's ``description``), and its views and rows come
from ``records.py`` in the time precision of its system.

A product has a unique SKU (upper case), a name, a category, a price in ``Decimal`` (2 decimals, never negative) and
``active``: a delete is a soft one (sales, movements and orders still name the product), and ``active: true`` on a
replacement restores it. A replacement replaces every field but those in ``KEPT_WHEN_OMITTED``, which keep their
current value when the body leaves them out (or sends null).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from handlers.shared.db import Transaction, write_unique
from handlers.shared.errors import Conflict, NotFound, existing
from handlers.shared.money import Price, cents, no_float_noise
from handlers.shared.paging import Page, PageQuery, page_of
from handlers.shared.records import Stamp, row_of


class ProductNotFound(NotFound):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id} not found")


class DuplicateSku(Conflict):
    def __init__(self, sku: str) -> None:
        super().__init__(f"a product with SKU {sku} already exists")
        self.sku = sku


class ProductFieldsBase(BaseModel):
    """The fields every product body has; a service's body model adds its own."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    KEPT_WHEN_OMITTED: ClassVar[tuple[str, ...]] = ("active",)

    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=100)
    price: Price
    active: bool | None = None

    @field_validator("sku")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Any:
        return no_float_noise(value)


@dataclass(frozen=True, kw_only=True)
class ProductBase:
    """The fields every stored product has; a service's product adds the fields its body adds."""

    id: str
    sku: str
    name: str
    category: str
    price: Decimal
    active: bool
    created_at: datetime
    updated_at: datetime


class HasSku(Protocol):
    @property
    def sku(self) -> str: ...


P = TypeVar("P", bound=ProductBase)
S = TypeVar("S", bound=HasSku)
V = TypeVar("V")


def new_product(kind: type[P], body: ProductFieldsBase, product_id: str, now: datetime,
                defaults: Mapping[str, Callable[[], Any]]) -> P:  # fmt: skip
    """A new product; a field the body leaves out takes its default, asked only then (``active`` is true)."""
    values = body.model_dump()
    for name in body.KEPT_WHEN_OMITTED:
        if values[name] is None:
            values[name] = defaults.get(name, lambda: True)()
    return kind(**values | {"price": cents(body.price)}, id=product_id, created_at=now, updated_at=now)


def replaced_product(current: P | None, product_id: str, body: ProductFieldsBase, now: datetime) -> P:
    """``PUT``: the body's fields replace the product's (but those kept when omitted); 404 for an unknown product."""
    values = {name: value for name, value in body.model_dump().items()
              if value is not None or name not in body.KEPT_WHEN_OMITTED}  # fmt: skip
    return replace(existing(current, ProductNotFound(product_id)), **values | {"price": cents(body.price)},
                   updated_at=now)  # fmt: skip


def deleted_product(current: P | None, product_id: str, now: datetime) -> P:
    """A soft delete: the product stays, no longer sold; 404 for an unknown product."""
    return replace(existing(current, ProductNotFound(product_id)), active=False, updated_at=now)


def write_product(tx: Transaction, sql: str, product: ProductBase, stamp: Stamp) -> None:
    """Insert or update a product's row; DuplicateSku when another product has its SKU."""
    write_unique(tx, sql, row_of(product, stamp), table="products", unique="sku",
                 clash=DuplicateSku(product.sku))  # fmt: skip


class ProductListQuery(PageQuery):
    """``?category=&limit=&cursor=``: products in SKU order."""

    category: str | None = Field(None, max_length=100)

    @field_validator("category")
    @classmethod
    def _blank(cls, value: str | None) -> str | None:
        return value or None


def find_in_sku_order(tx: Transaction, select: str, query: ProductListQuery, where: list[str],
                      params: dict[str, Any]) -> list[dict[str, Any]]:  # fmt: skip
    """Up to ``limit + 1`` rows of ``select`` (on the products table) in SKU order after the cursor, in the query's
    category, and meeting the store's own ``where`` conditions (column names the store's, values bound)."""
    where, params = [*where], {**params, "limit": query.limit + 1}
    if query.category is not None:
        where.append("category = :category")
        params["category"] = query.category
    if query.after_key is not None:
        where.append("sku > :after_sku")
        params["after_sku"] = query.after_key[0]
    condition = " AND ".join(where) or "1 = 1"
    return tx.query(f"{select} WHERE {condition} ORDER BY sku LIMIT :limit", params)


def sku_page(items: list[S], limit: int, view: Callable[[S], V]) -> Page[V]:
    """A page from up to ``limit + 1`` items in SKU order: the extra one only says there is more."""
    return page_of(items, limit, view, lambda item: (item.sku,))
