"""Amounts of money as ``Decimal`` with two places: from a JSON body, from SQL, and as the text responses show.

A JSON number is read through its shortest text (:func:`no_float_noise`: ``12.5`` is 12.5, not a binary fraction
near it). A price is at most 12 digits with 2 decimals and never negative (:data:`Price`, as ``DECIMAL(12,2)``
stores it). A computed amount (a line, a tax, a sum) is rounded half-up to the cent (:func:`cents`); a price read
back already has two places, so :func:`money` and :func:`money_text` only fix its form ("12.5" becomes "12.50").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import Field

CENT = Decimal("0.01")

Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Any) -> Decimal:
    """A stored or computed amount as a two-place Decimal (SQLite hands DECIMAL back as float or text, MySQL as
    Decimal)."""
    return cents(Decimal(str(value)))


def money_text(value: Decimal) -> str:
    """The amount as responses and stored rows show it: ``"12.50"``."""
    return str(cents(value))


def no_float_noise(value: Any) -> Any:
    """A JSON float as the Decimal of its shortest text (0.1 stays 0.1); a boolean is refused, anything else is left
    to the field's own validation. For a ``mode="before"`` validator."""
    if isinstance(value, bool):
        raise ValueError("must be a number or a decimal string")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value
