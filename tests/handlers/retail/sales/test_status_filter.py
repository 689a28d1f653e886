"""``GET /sales?status=``: the sales in one status (COMPLETED or VOIDED, as a sale shows it), paged newest first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers.retail.catalog.helpers import ADMIN, SELLER, SELLER_2, Call
from tests.handlers.retail.sales.conftest import NewProduct
from tests.handlers.retail.sales.test_api import body


def ids(call: Call, who: dict[str, str], **query: str) -> list[str]:
    status, page = call("GET /sales", who, query=query)
    assert status == 200, page
    return [s["id"] for s in page["items"]]


def sales(call: Call, product: NewProduct, count: int) -> list[dict[str, Any]]:
    mug = product(stock=50)
    made = []
    for _ in range(count):
        status, sale = call("POST /sales", SELLER, body=body((mug.id, 1)))
        assert status == 201, sale
        made.append(sale)
    return made


def test_status_filter(call: Call, product: NewProduct) -> None:
    made = sales(call, product, 4)
    assert call("POST /sales/{id}/void", ADMIN, id=made[1]["id"])[0] == 200
    newest_first = [s["id"] for s in reversed(made)]
    assert ids(call, ADMIN, status="VOIDED") == [made[1]["id"]]
    assert ids(call, ADMIN, status="COMPLETED") == [i for i in newest_first if i != made[1]["id"]]
    assert ids(call, ADMIN) == newest_first
    assert ids(call, SELLER, status="VOIDED") == [made[1]["id"]]  # a seller's own voided sale
    assert ids(call, SELLER_2, status="VOIDED") == []
    assert ids(call, ADMIN, status="VOIDED", seller="u-sue") == []


@pytest.mark.parametrize("status", ["refunded", "", "COMPLETED,VOIDED"])
def test_an_unknown_status_is_a_422(call: Call, status: str) -> None:
    code, error = call("GET /sales", ADMIN, query={"status": status})
    assert code == 422, error
    assert [e["field"] for e in error["errors"]] == ["status"]


def test_paging_through_one_status_returns_each_once(call: Call, product: NewProduct) -> None:
    made = sales(call, product, 7)
    for sale in made[::2]:  # 0, 2, 4, 6
        assert call("POST /sales/{id}/void", ADMIN, id=sale["id"])[0] == 200
    for status, expected in (("VOIDED", made[::2]), ("COMPLETED", made[1::2])):
        seen: list[str] = []
        cursor: str | None = None
        while True:
            query = {"status": status, "limit": "2"} | ({"cursor": cursor} if cursor else {})
            code, page = call("GET /sales", ADMIN, query=query)
            assert code == 200, page
            assert {s["status"] for s in page["items"]} <= {status}
            seen += [s["id"] for s in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [s["id"] for s in reversed(expected)]
