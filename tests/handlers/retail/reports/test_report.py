"""Report contents for a known data set (see ``conftest.SALES``), on SQLite and MariaDB: exact totals, groups per
day, product and seller, the top products, voided and out-of-range sales excluded."""

from __future__ import annotations

from datetime import date

from handlers.retail.reports.logic import GroupBy, Period, report_view
from handlers.retail.reports.usecases import ReportUseCases

SPAN = Period(date(2026, 3, 9), date(2026, 3, 10))
TOTALS = {"sales": 3, "units": 19, "subtotal": "92.12", "tax": "9.22", "total": "101.34"}
TOP = [
    {"product_id": "p-pen", "sku": "PEN-1", "name": "Pen", "units": 13, "total": "12.87"},
    {"product_id": "p-mug", "sku": "MUG-1", "name": "Mug", "units": 2, "total": "25.00"},
    {"product_id": "p-bag", "sku": "BAG-1", "name": "Bag", "units": 1, "total": "30.00"},
    {"product_id": "p-hat", "sku": "HAT-1", "name": "Hat", "units": 1, "total": "15.00"},
    {"product_id": "p-cup", "sku": "CUP-1", "name": "Cup", "units": 1, "total": "7.25"},
]  # the keyring (1 unit, 2.00) is sixth


def test_by_day(reports: ReportUseCases) -> None:
    view = report_view(reports.report(SPAN, GroupBy.DAY))
    assert (view["from"], view["to"], view["group_by"]) == ("2026-03-09", "2026-03-10", "day")
    assert view["totals"] == TOTALS
    assert view["groups"] == [
        {"key": "2026-03-09", "sales": 2, "units": 6, "total": "38.75"},
        {"key": "2026-03-10", "sales": 1, "units": 13, "total": "62.59"},  # the voided 1375.00 is not here
    ]
    assert view["top_products"] == TOP


def test_by_seller(reports: ReportUseCases) -> None:
    view = report_view(reports.report(SPAN, GroupBy.SELLER))
    assert view["totals"] == TOTALS
    assert view["groups"] == [
        {"key": "u-sam", "sales": 2, "units": 18, "total": "93.36"},
        {"key": "u-sue", "sales": 1, "units": 1, "total": "7.98"},
    ]


def test_by_product(reports: ReportUseCases) -> None:
    view = report_view(reports.report(SPAN, GroupBy.PRODUCT))
    assert view["totals"] == TOTALS
    assert [(g["key"], g["sku"], g["sales"], g["units"], g["total"]) for g in view["groups"]] == [
        ("p-bag", "BAG-1", 1, 1, "30.00"),
        ("p-mug", "MUG-1", 1, 2, "25.00"),
        ("p-hat", "HAT-1", 1, 1, "15.00"),
        ("p-pen", "PEN-1", 2, 13, "12.87"),
        ("p-cup", "CUP-1", 1, 1, "7.25"),
        ("p-key", "KEY-1", 1, 1, "2.00"),
    ]  # line totals, before tax
    assert view["top_products"] == TOP


def test_day_bounds_are_utc_days(reports: ReportUseCases) -> None:
    view = report_view(reports.report(Period(date(2026, 3, 11), date(2026, 3, 11)), GroupBy.DAY))
    assert view["totals"] == {"sales": 1, "units": 1, "subtotal": "12.50", "tax": "1.25", "total": "13.75"}
    view = report_view(reports.report(Period(date(2026, 3, 8), date(2026, 3, 8)), GroupBy.SELLER))
    assert view["groups"] == [{"key": "u-sue", "sales": 1, "units": 5, "total": "39.88"}]


def test_an_empty_period(reports: ReportUseCases) -> None:
    view = report_view(reports.report(Period(date(2025, 1, 1), date(2025, 12, 31)), GroupBy.PRODUCT))
    assert view["totals"] == {"sales": 0, "units": 0, "subtotal": "0.00", "tax": "0.00", "total": "0.00"}
    assert view["groups"] == [] and view["top_products"] == []
