"""The reports routes on canonical API Gateway events: groups per route, query validation (422 naming the field),
defaults, and the daily route's 404 / presigned links (with fake files; S3 itself in ``test_daily``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers.retail.catalog.helpers import ADMIN, SELLER, WAREHOUSE
from tests.handlers.retail.reports.conftest import Call

DAILY = "GET /reports/daily/{date}"


def daily(call: Call, who: dict[str, str], day: str) -> tuple[int, Any]:
    return call(DAILY, who, path=f"/reports/daily/{day}", params={"date": day})


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


def test_daily_links(call: Call) -> None:
    status, body = daily(call, ADMIN, "2026-03-10")
    assert status == 200, body
    assert body == {"date": "2026-03-10", "csv_url": "https://s3/2026-03-10.csv?e=900",
                    "json_url": "https://s3/2026-03-10.json?e=900", "expires_in": 900}  # fmt: skip


def test_daily_missing_day_is_404(call: Call) -> None:
    status, error = daily(call, ADMIN, "2026-03-09")
    assert status == 404 and "2026-03-09" in error["message"]


def test_daily_is_for_admins_only(call: Call) -> None:
    status, _ = daily(call, SELLER, "2026-03-10")
    assert status == 403


@pytest.mark.parametrize("day", ["2026-13-01", "20260310", "today"])
def test_daily_malformed_date_is_422(call: Call, day: str) -> None:
    status, error = daily(call, ADMIN, day)
    assert status == 422, error
    assert fields(error) == ["date"]
