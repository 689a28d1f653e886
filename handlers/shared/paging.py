"""Paging of list routes: the page size every list takes (``?limit=``, 1 to 100, 20 when not given) and, for the
lists that page newest first, the opaque cursor (the last item's ``created_at`` and id) and the query of the page
after it."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

T = TypeVar("T")

_AFTER = "(created_at < :after_created_at OR (created_at = :after_created_at AND id < :after_id))"


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last item's sort key (ties on ``created_at`` are broken by the id)."""

    created_at: str
    item_id: str

    def encode(self) -> str:
        raw = json.dumps([self.created_at, self.item_id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raises ValueError (a 422 on the query's ``cursor`` field) for anything this API did not hand out."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            created_at, item_id = json.loads(raw)
        except (binascii.Error, ValueError, TypeError):
            raise ValueError("is not a cursor returned by this API") from None
        if not isinstance(created_at, str) or not isinstance(item_id, str):
            raise ValueError("is not a cursor returned by this API")
        return cls(created_at, item_id)


class NewestFirstQuery(BaseModel):
    """The query of a newest-first list: ``limit`` (1..100, default 20) and ``cursor`` (a ``next_cursor`` it
    returned). Services add their filters in a subclass."""

    model_config = ConfigDict(frozen=True)

    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = None

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value is not None:
            Cursor.decode(value)
        return value

    @property
    def after(self) -> Cursor | None:
        return None if self.cursor is None else Cursor.decode(self.cursor)


def page_of(items: Sequence[T], limit: int, view: Callable[[T], dict[str, Any]],
            cursor_of: Callable[[T], Cursor]) -> dict[str, Any]:  # fmt: skip
    """A page from up to ``limit + 1`` items in listing order: the extra one only says there is more."""
    shown = list(items[:limit])
    more = len(items) > limit and bool(shown)
    return {"items": [view(i) for i in shown], "next_cursor": cursor_of(shown[-1]).encode() if more else None}


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
