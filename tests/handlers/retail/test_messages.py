"""The catalogues of the messages the retail system sends: the same keys and placeholders in every language, and
money and dates as each language writes them."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

import pytest

from handlers.retail import messages
from handlers.retail.store_settings import LANGUAGES


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_message_with_the_same_placeholders() -> None:
    assert set(messages.TEXTS) == set(LANGUAGES) == set(messages.MONTHS) == set(messages.CURRENCY_SYMBOLS)
    english = messages.TEXTS["en"]
    for language, texts in messages.TEXTS.items():
        assert set(texts) == set(english), language
        for key, template in texts.items():
            assert placeholders(template) == placeholders(english[key]), (language, key)


@pytest.mark.parametrize(("amount", "currency", "language", "shown"), [
    ("1234.5", "PEN", "es-PE", "S/ 1,234.50"), ("0", "PEN", "es-PE", "S/ 0.00"), ("9.9", "USD", "es-PE", "US$ 9.90"),
    ("9.9", "EUR", "es-PE", "EUR 9.90"), ("1234567.891", "PEN", "en", "PEN 1,234,567.89"),
])  # fmt: skip
def test_money_is_written_as_the_language_writes_it(amount: str, currency: str, language: str, shown: str) -> None:
    assert messages.money(Decimal(amount), currency, language) == shown  # type: ignore[arg-type]


def test_dates_and_months_use_the_languages_names() -> None:
    assert messages.day(date(2026, 12, 2), "es-PE") == "2 de diciembre de 2026"
    assert messages.day(date(2026, 12, 2), "en") == "December 2, 2026"
    assert messages.month(date(2026, 9, 1), "es-PE") == "septiembre de 2026"
    assert messages.month(date(2026, 9, 1), "en") == "September 2026"
