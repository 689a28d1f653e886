"""Flat records (frozen dataclasses of plain fields) turned into views and rows, and rows back into records, in one
place, so a service does not list its fields again for each shape.

- The view is what the API answers: times in the system's precision (``stamp``), dates as ISO text, money (a
  ``Decimal``) as text with two decimals; enums are strings already.
- The row is what a store writes: the view, with booleans as the 0 and 1 both databases keep and enums as their
  values.
- A row comes back through the record's type hints: ``datetime`` (in UTC), ``date``, ``Decimal``, ``bool``, ``int``,
  ``float`` and enums are parsed, ``None`` stays ``None``, anything else is kept as it is.

A record with nested objects (a move's addresses, an order's items) maps its own rows.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from handlers.shared.clock import as_utc
from handlers.shared.money import money, money_text

R = TypeVar("R")
Stamp = Callable[[datetime], str]
"""How a system writes a time (``timestamp_ms`` or ``timestamp_us``)."""


def view_of(record: Any, stamp: Stamp) -> dict[str, Any]:
    """The record as the API shows it."""
    return {field.name: _shown(getattr(record, field.name), stamp) for field in dataclasses.fields(record)}


def row_of(record: Any, stamp: Stamp) -> dict[str, Any]:
    """The record as a store writes it."""
    return {name: _stored(value) for name, value in view_of(record, stamp).items()}


def record_of(kind: type[R], row: Mapping[str, Any]) -> R:
    """A record of ``kind`` back from its row (columns named as its fields)."""
    parsers = _parsers(typing.cast(Any, kind))
    return kind(**{name: _parsed(row[name], parse) for name, parse in parsers.items()})


def columns_of(kind: Any) -> str:
    """The record's fields as a store's comma-separated column list (the table's columns share their names)."""
    return ", ".join(field.name for field in dataclasses.fields(kind))


def _shown(value: Any, stamp: Stamp) -> Any:
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return money_text(value)
    return value


def _stored(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, Enum):
        return value.value
    return value


def _parsed(value: Any, parse: Callable[[Any], Any]) -> Any:
    return None if value is None else parse(value)


@functools.cache
def _parsers(kind: Any) -> dict[str, Callable[[Any], Any]]:
    """How each field of ``kind`` is read back from a column, from its type hint."""
    hints = typing.get_type_hints(kind)
    return {field.name: _parser(hints[field.name]) for field in dataclasses.fields(kind)}


def _parser(hint: Any) -> Callable[[Any], Any]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]  # X | None: X, or None
    if hint is datetime:
        return lambda value: as_utc(datetime.fromisoformat(str(value)))
    if hint is date:
        return lambda value: value if isinstance(value, date) else date.fromisoformat(value)
    if hint is Decimal:
        return money
    if isinstance(hint, type) and issubclass(hint, bool | int | float | Enum):
        return hint
    return lambda value: value
