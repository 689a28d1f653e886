"""The shared money helpers: two places, half-up rounding of computed amounts, JSON floats by their shortest text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.shared.money import cents, money, money_text, no_float_noise


def test_money_round_trips_what_either_engine_returns():
    assert money(12.5) == Decimal("12.50")
    assert money("12.50") == Decimal("12.50")
    assert money(Decimal("9999999999.99")) == Decimal("9999999999.99")
    assert money(9999999999.99) == Decimal("9999999999.99")


def test_computed_amounts_round_half_up_to_the_cent():
    assert cents(Decimal("0.125")) == Decimal("0.13") and cents(Decimal("0.135")) == Decimal("0.14")
    assert money_text(Decimal("2.5")) == "2.50" and money_text(Decimal("1.005")) == "1.01"


def test_json_floats_go_through_their_shortest_text_and_booleans_are_refused():
    assert no_float_noise(0.1) == Decimal("0.1") and no_float_noise("0.18") == "0.18"
    with pytest.raises(ValueError, match="must be a number"):
        no_float_noise(True)
