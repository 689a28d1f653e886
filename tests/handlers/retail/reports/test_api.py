"""The reports routes on canonical API Gateway events: groups per route, query validation (422 naming the field),
defaults, and the automatic reports' list, 404 and links (with fake files; S3 itself in ``test_scheduled``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from handlers.retail.reports.api import router
from handlers.retail.reports.logic import Period
from handlers.retail.reports.usecases import ReportUseCases
from handlers.shared.db import Database
from tests.handlers.retail.catalog.helpers import ADMIN, SELLER, WAREHOUSE
from tests.handlers.retail.reports.conftest import NOW, Call, FakeFiles, call_app, store

FILES = "GET /reports/{kind}/{period}"


def files(call: Call, who: dict[str, str], kind: str, period: str) -> tuple[int, Any]:
    return call(FILES, who, path=f"/reports/{kind}/{period}", params={"kind": kind, "period": period})


def generate(call: Call, who: dict[str, str], kind: str, period: str) -> tuple[int, Any]:
    return call("PUT /reports/{kind}/{period}", who, path=f"/reports/{kind}/{period}",
                params={"kind": kind, "period": period})  # fmt: skip


def fields(error: dict[str, Any]) -> list[str]:
    return [e["field"] for e in error.get("errors", [])]


def test_an_admin_sees_the_whole_stores_figures_and_a_seller_only_their_own(call: Call) -> None:
    period = {"from": "2026-03-09", "to": "2026-03-10", "group_by": "seller"}
    status, store = call("GET /reports/sales", ADMIN, query=period)
    assert status == 200, store
    assert store["totals"]["total"] == "101.34"
    assert [g["key"] for g in store["groups"]] == ["u-sam", "u-sue"]
    status, own = call("GET /reports/sales", SELLER, query=period)
    assert status == 200, own
    assert [g["key"] for g in own["groups"]] == [SELLER["sub"]], "the same rule as GET /sales"
    (group,) = [g for g in store["groups"] if g["key"] == SELLER["sub"]]
    assert own["totals"]["total"] == group["total"] and own["totals"]["sales"] == group["sales"]
    assert sum(p["units"] for p in own["top_products"]) <= sum(p["units"] for p in store["top_products"])
    status, view = call("GET /reports/sales", ADMIN, query={"from": "2026-03-09", "to": "2026-03-10"})
    assert (status, view["group_by"], len(view["groups"])) == (200, "day", 2)


def test_the_default_is_the_last_seven_days(call: Call) -> None:
    status, view = call("GET /reports/sales", ADMIN)  # the clock says 2026-03-11
    assert status == 200
    assert (view["from"], view["to"]) == ("2026-03-05", "2026-03-11")
    assert view["totals"]["sales"] == 5  # s-1, s-2, s-3, s-5, s-6; not the voided s-4
    status, view = call("GET /reports/sales", ADMIN, query={"to": "2026-03-09"})
    assert (view["from"], view["to"]) == ("2026-03-03", "2026-03-09")


def test_warehouse_cannot_read_reports(call: Call) -> None:
    status, _ = call("GET /reports/sales", WAREHOUSE)
    assert status == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-3-9"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "1700000000"}, "to"),
        ({"group_by": "week"}, "group_by"),
        ({"from": "2026-03-10", "to": "2026-03-09"}, "from"),
        ({"from": "2025-03-09", "to": "2026-03-10"}, "to"),  # 366 days is the most: this is 367
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_queries_are_422_naming_the_field(call: Call, query: dict[str, str], field: str) -> None:
    status, error = call("GET /reports/sales", ADMIN, query=query)
    assert status == 422, error
    assert field in fields(error)


def test_366_days_fit(call: Call) -> None:
    for query in ({"from": "2024-01-01", "to": "2024-12-31"}, {"from": "2025-03-10", "to": "2026-03-10"}):
        status, view = call("GET /reports/sales", ADMIN, query=query)
        assert status == 200, view


def test_a_periods_links(call: Call) -> None:
    status, body = files(call, ADMIN, "daily", "2026-03-10")
    assert status == 200, body
    assert body == {"kind": "daily", "period": "2026-03-10", "first": "2026-03-10", "last": "2026-03-10",
                    "csv_url": "https://s3/2026-03-10.csv?e=900", "json_url": "https://s3/2026-03-10.json?e=900",
                    "expires_in": 900}  # fmt: skip


def test_a_report_not_generated_is_a_404_saying_when_it_will_be(call: Call) -> None:
    status, error = files(call, ADMIN, "daily", "2026-03-09")
    assert status == 404 and error["code"] == "report_not_generated"
    assert error["params"] == {"kind": "daily", "period": "2026-03-09", "runs_at": None}, "older: generate it"
    assert error["message"] == "no daily report for 2026-03-09"
    status, error = files(call, ADMIN, "daily", "2026-03-11")  # in progress at 06:00 on the 11th
    assert error["params"]["runs_at"] == "2026-03-12T00:05:00.000+00:00"
    status, error = files(call, ADMIN, "weekly", "2026-W11")
    assert error["params"]["runs_at"] == "2026-03-16T00:05:00.000+00:00", "the Monday after, at the first run"
    status, error = files(call, ADMIN, "monthly", "2026-03")
    assert error["params"]["runs_at"] == "2026-04-01T00:05:00.000+00:00"


def test_reports_are_for_admins_only(call: Call) -> None:
    assert files(call, SELLER, "daily", "2026-03-10")[0] == 403
    assert call("GET /reports", SELLER)[0] == 403
    assert generate(call, SELLER, "daily", "2026-03-10")[0] == 403


@pytest.mark.parametrize(("kind", "period", "code"), [
    ("daily", "2026-13-01", "invalid_period"), ("daily", "20260310", "invalid_period"),
    ("weekly", "2026-W54", "invalid_period"), ("weekly", "2026-03-10", "invalid_period"),
    ("monthly", "2026-3", "invalid_period"), ("yearly", "2026", "unknown_kind"),
])  # fmt: skip
def test_a_malformed_period_or_kind_is_422_with_its_code(call: Call, kind: str, period: str, code: str) -> None:
    status, error = files(call, ADMIN, kind, period)
    assert status == 422, error
    assert [e["code"] for e in error["errors"]] == [code]


def test_the_list_starts_at_the_period_in_progress_and_pages_back(call: Call) -> None:
    status, page = call("GET /reports", ADMIN, query={"kind": "daily", "limit": "3"})
    assert status == 200, page
    assert [(p["period"], p["generated"], p["runs_at"]) for p in page["items"]] == [
        ("2026-03-11", False, "2026-03-12T00:05:00.000+00:00"),
        ("2026-03-10", True, None),
        ("2026-03-09", False, None),
    ]
    status, older = call("GET /reports", ADMIN, query={"kind": "daily", "limit": "2", "cursor": page["next_cursor"]})
    assert [p["period"] for p in older["items"]] == ["2026-03-08", "2026-03-07"]
    status, weeks = call("GET /reports", ADMIN, query={"kind": "weekly", "limit": "2"})
    assert [(p["period"], p["first"], p["last"]) for p in weeks["items"]] == [
        ("2026-W11", "2026-03-09", "2026-03-15"), ("2026-W10", "2026-03-02", "2026-03-08")]  # fmt: skip
    assert call("GET /reports", ADMIN, query={"kind": "daily", "limit": "32"})[0] == 422


def test_only_a_period_that_is_over_can_be_generated(call: Call) -> None:
    status, error = generate(call, ADMIN, "weekly", "2026-W11")
    assert (status, error["code"]) == (409, "period_not_over")
    assert error["params"]["ends_at"] == "2026-03-16T00:00:00.000+00:00"
    assert generate(call, ADMIN, "weekly", "2026-W1")[0] == 422


def test_the_days_are_the_stores(seeded: Database) -> None:
    """In Lima (UTC-5), s-5 (00:00 UTC on the 11th) was sold on the evening of the 10th, and s-6 (23:59 UTC on the
    8th) on the 8th; 06:00 UTC on the 11th is 01:00 there, so the default period ends on the 11th."""
    reports = ReportUseCases(seeded, FakeFiles(set()), store_values=store("America/Lima"), clock=lambda: NOW)
    app = router.app(reports)
    status, view = call_app(app, "GET /reports/sales", ADMIN, query={"from": "2026-03-09", "to": "2026-03-10"})
    assert status == 200, view
    assert [(g["key"], g["sales"], g["total"]) for g in view["groups"]] == [
        ("2026-03-09", 2, "38.75"), ("2026-03-10", 2, "76.34")]  # fmt: skip
    assert (call_app(app, "GET /reports/sales", ADMIN)[1]["to"]) == "2026-03-11"


def test_a_half_hour_zone_folds_minutes_into_its_days(seeded: Database) -> None:
    """Kolkata is UTC+5:30: s-2 (23:59 UTC on the 9th) is 05:29 on the 10th there; s-6 (23:59 on the 8th), the 9th."""
    reports = ReportUseCases(seeded, FakeFiles(set()), store_values=store("Asia/Kolkata"), clock=lambda: NOW)
    status, view = call_app(router.app(reports), "GET /reports/sales", ADMIN,
                            query={"from": "2026-03-09", "to": "2026-03-10"})  # fmt: skip
    assert [(g["key"], g["sales"]) for g in view["groups"]] == [("2026-03-09", 2), ("2026-03-10", 2)]


def test_days_are_summed_by_the_hour_unless_the_zone_is_off_by_minutes() -> None:
    assert Period(date(2026, 3, 9), date(2026, 3, 10), "America/Lima").bucket_chars == 13
    assert Period(date(2026, 3, 9), date(2026, 3, 10), "Asia/Kolkata").bucket_chars == 16
    assert Period(date(2026, 3, 9), date(2026, 3, 10), "Asia/Kolkata").day_of("2026-03-09T18:45") == "2026-03-10"
