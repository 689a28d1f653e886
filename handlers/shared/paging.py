"""Paging of list routes, one way for every list: the page size (``?limit=``, 1 to 100, 20 when not given), one
opaque cursor codec (the last item's sort key), the page shape, and for lists that page newest first the SQL of the
page after a cursor."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import TypedDict  # pydantic documents TypedDicts from here on Python < 3.12

from handlers.shared.clock import timestamp_us
from handlers.shared.errors import BadRequest

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

T = TypeVar("T")
V = TypeVar("V")

_AFTER = "(created_at < :after_created_at OR (created_at = :after_created_at AND id < :after_id))"


def encode_cursor(*parts: str) -> str:
    """An opaque cursor holding the sort key of the last item of a page (one or more strings)."""
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class InvalidCursor(BadRequest):
    """A cursor this listing did not hand out: a 400 that says to start again from the first page."""

    def __init__(self) -> None:
        super().__init__("the cursor is not one this list returned (it may be of another list or of an earlier "
                         "version): ask for the first page again, without a cursor")  # fmt: skip


def decode_cursor(text: str, parts: int) -> tuple[str, ...]:
    """The sort key a cursor holds. Anything this API did not hand out, including a cursor of another listing or of
    an earlier format, raises :class:`InvalidCursor` (a 400), never a 500."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidCursor from None
    if not isinstance(key, list) or len(key) != parts or not all(isinstance(p, str) for p in key):
        raise InvalidCursor
    return tuple(key)


@dataclass(frozen=True)
class Cursor:
    """Where a newest-first page ends: the last item's ``created_at`` and id (ties on time are broken by the id)."""

    created_at: str
    item_id: str

    def encode(self) -> str:
        return encode_cursor(self.created_at, self.item_id)

    @classmethod
    def decode(cls, text: str) -> Cursor:
        created_at, item_id = decode_cursor(text, 2)
        return cls(created_at, item_id)


class PageQuery(BaseModel):
    """The query of a paged list: ``limit`` (1..100, default 20) and ``cursor`` (a ``next_cursor`` it returned).
    ``CURSOR_PARTS`` says how many strings the listing's sort key has. Services add their filters in a subclass."""

    model_config = ConfigDict(frozen=True)
    CURSOR_PARTS: ClassVar[int] = 1

    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="How many items a page holds")
    cursor: str | None = Field(None, max_length=400, description="The next_cursor of the previous page")

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if not value:  # an empty ?cursor= is no cursor: the first page
            return None
        decode_cursor(value, cls.CURSOR_PARTS)
        return value

    @property
    def after_key(self) -> tuple[str, ...] | None:
        """The sort key of the last item of the previous page, or None for the first page."""
        return None if self.cursor is None else decode_cursor(self.cursor, self.CURSOR_PARTS)


class NewestFirstQuery(PageQuery):
    """The query of a list that pages newest first (by ``created_at``, then id)."""

    CURSOR_PARTS: ClassVar[int] = 2

    @property
    def after(self) -> Cursor | None:
        return None if self.cursor is None else Cursor.decode(self.cursor)


class Page(TypedDict, Generic[V]):
    """A page of a list: its items, and the cursor of the next page (``null`` on the last one)."""

    items: list[V]
    next_cursor: str | None


def page_of(items: Sequence[T], limit: int, view: Callable[[T], V], key: Callable[[T], Sequence[str]]) -> Page[V]:
    """A page from up to ``limit + 1`` items in listing order: the extra one only says there is more. ``key`` is an
    item's sort key, which the next page's cursor holds."""
    shown = list(items[:limit])
    more = len(items) > limit and bool(shown)
    return {"items": [view(i) for i in shown], "next_cursor": encode_cursor(*key(shown[-1])) if more else None}


def newest_first(select: str, equal: Mapping[str, Any], after: Cursor | None, limit: int) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of up to ``limit`` rows of ``select`` (``SELECT ... FROM`` a table with ``created_at``
    and ``id`` columns), newest first, after the cursor: only rows whose column equals each value of ``equal`` that is
    not None. Column names come from the calling store, never from a request; values are bound parameters."""
    params = {column: value for column, value in equal.items() if value is not None}
    conditions = [f"{column} = :{column}" for column in params]
    if after is not None:
        conditions.append(_AFTER)
        params.update(after_created_at=after.created_at, after_id=after.item_id)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"{select}{where} ORDER BY created_at DESC, id DESC LIMIT :limit", {**params, "limit": limit}


class Created(Protocol):
    """An item of a newest-first list: it has an id and a creation time."""

    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...


C = TypeVar("C", bound=Created)


def newest_first_key(item: Created, stamp: Callable[[datetime], str] = timestamp_us) -> tuple[str, str]:
    """Where a newest-first page that ends with ``item`` stops: its creation time as stored (``stamp``) and its id."""
    return stamp(item.created_at), item.id


def newest_first_page(items: Sequence[C], limit: int, view: Callable[[C], V],
                      stamp: Callable[[datetime], str] = timestamp_us) -> Page[V]:  # fmt: skip
    """A page from up to ``limit + 1`` items newest first: the extra one only says there is more."""
    return page_of(items, limit, view, lambda item: newest_first_key(item, stamp))


@dataclass(frozen=True)
class OwnerScope:
    """Which items a newest-first listing may show: a customer's own (``customer_id``), or everyone's (None) for the
    staff; ``status`` keeps those in one status."""

    customer_id: str | None
    status: StrEnum | None

    @classmethod
    def of(cls, user_id: str, *, sees_all: bool, status: StrEnum | None) -> OwnerScope:
        return cls(None if sees_all else user_id, status)

    @property
    def columns(self) -> dict[str, str | None]:
        """The columns a store's listing filters on (see :func:`newest_first`)."""
        return {"customer_id": self.customer_id, "status": None if self.status is None else self.status.value}
