"""The words of the messages the retail system sends people (low-stock alerts, report notices), in the store's
language (``es-PE`` or ``en``, the store settings' ``language``).

Numbers are written as both locales write them (CLDR: ``1,234.50``, with ``S/`` for soles in Spanish), dates with
the language's month and day names. Every key exists in every language: a test holds the catalogues to the same keys
and the same placeholders.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from handlers.retail.store_settings import Language

TEXTS: dict[str, dict[str, str]] = {
    "es-PE": {
        "low_stock.subject": "Stock bajo: {sku}",
        "low_stock.body": "Quedan {stock} unidad(es) de {name} (SKU {sku}); su mínimo es {min_stock}.\n"
        "Repóngalo o ajuste su mínimo en la aplicación de la tienda.",
        "report.subject": "{store}: reporte {kind} {period}",
        "report.body": "El reporte {kind} {period} está listo: {sales} venta(s), total {total}.",
        "report.link": "Véalo y descárguelo en la aplicación de la tienda: {link}",
        "kind.daily": "diario",
        "kind.weekly": "semanal",
        "kind.monthly": "mensual",
        "period.day": "del {day}",
        "period.week": "de la semana del {first} al {last}",
        "period.month": "de {month}",
    },
    "en": {
        "low_stock.subject": "Low stock: {sku}",
        "low_stock.body": "{name} (SKU {sku}) is down to {stock} unit(s); its minimum is {min_stock}.\n"
        "Restock it or change its minimum in the store's app.",
        "report.subject": "{store}: {kind} report {period}",
        "report.body": "The {kind} report {period} is ready: {sales} sale(s), total {total}.",
        "report.link": "See and download it in the store's app: {link}",
        "kind.daily": "daily",
        "kind.weekly": "weekly",
        "kind.monthly": "monthly",
        "period.day": "for {day}",
        "period.week": "for the week of {first} to {last}",
        "period.month": "for {month}",
    },
}

MONTHS = {
    "es-PE": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
              "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip
CURRENCY_SYMBOLS = {"es-PE": {"PEN": "S/", "USD": "US$"}, "en": {}}


def text(language: Language, key: str, **params: object) -> str:
    """The message ``key`` in ``language`` with its placeholders filled."""
    return TEXTS[language][key].format(**params)


def money(amount: Decimal, currency: str, language: Language) -> str:
    """``S/ 1,234.50`` in Spanish for soles; ``PEN 1,234.50`` in English (the code, as receipts abroad show it)."""
    symbol = CURRENCY_SYMBOLS[language].get(currency, currency)
    return f"{symbol} {amount:,.2f}"


def day(when: date, language: Language) -> str:
    """``2 de diciembre de 2026`` / ``December 2, 2026``."""
    month = MONTHS[language][when.month - 1]
    return f"{when.day} de {month} de {when.year}" if language == "es-PE" else f"{month} {when.day}, {when.year}"


def month(first: date, language: Language) -> str:
    """``diciembre de 2026`` / ``December 2026``."""
    name = MONTHS[language][first.month - 1]
    return f"{name} de {first.year}" if language == "es-PE" else f"{name} {first.year}"
