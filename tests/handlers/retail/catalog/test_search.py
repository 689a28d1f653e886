"""``?q=`` on the catalog's lists (products, clients, stock) and ``?low=true`` on stock: a case-insensitive contains,
with ``%``, ``_`` and ``!`` literal, that pages with the usual cursor (each match exactly once)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers.retail.catalog.helpers import ADMIN, SELLER, WAREHOUSE, Call
from tests.handlers.retail.catalog.test_api import levels, new_product


def skus(call: Call, route_key: str = "GET /products", **query: str) -> list[str]:
    status, body = call(route_key, SELLER, query=query)
    assert status == 200, body
    return [item["sku"] for item in body["items"]]


def new_client(call: Call, document_id: str, name: str, email: str | None = None) -> dict[str, Any]:
    fields = {"document_id": document_id, "name": name} | ({"email": email} if email else {})
    status, client = call("POST /clients", SELLER, body=fields)
    assert status == 201, client
    return dict(client)


def client_names(call: Call, **query: str) -> list[str]:
    status, body = call("GET /clients", SELLER, query=query)
    assert status == 200, body
    return [c["name"] for c in body["items"]]


def every_page(call: Call, route_key: str, key: str, **query: str) -> list[str]:
    """Every item's ``key`` through the pages of ``route_key`` with ``query``, one ``?limit=2`` page at a time."""
    seen: list[str] = []
    cursor: str | None = None
    while True:
        status, page = call(route_key, ADMIN, query={**query, "limit": "2"} | ({"cursor": cursor} if cursor else {}))
        assert status == 200, page
        seen += [item[key] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_products_match_by_sku_or_name_ignoring_case(call: Call) -> None:
    new_product(call, sku="MUG-1", name="Blue mug")
    new_product(call, sku="CUP-2", name="Tea cup")
    new_product(call, sku="PLATE-3", name="Mugful plate")
    assert skus(call, q="mug") == ["MUG-1", "PLATE-3"]  # MUG-1 by SKU and name, PLATE-3 by name
    assert skus(call, q="cup-2") == ["CUP-2"]  # a stored SKU is upper case
    assert skus(call, q="  TEA  ") == ["CUP-2"]  # stripped, case-insensitive
    assert skus(call, q="saucer") == []


def test_products_q_combines_with_category_and_inactive(call: Call) -> None:
    new_product(call, sku="MUG-1", category="kitchen")
    new_product(call, sku="MUG-2", category="garden")
    gone = new_product(call, sku="MUG-3")
    assert call("DELETE /products/{id}", ADMIN, id=gone["id"])[0] == 200
    assert skus(call, q="mug") == ["MUG-1", "MUG-2"]
    assert skus(call, q="mug", category="garden") == ["MUG-2"]
    assert skus(call, q="mug", include_inactive="true") == ["MUG-1", "MUG-2", "MUG-3"]


def test_like_wildcards_and_the_escape_char_are_literal(call: Call) -> None:
    new_product(call, sku="A-1", name="100% cotton")
    new_product(call, sku="B-1", name="1000 cotton buds")
    new_product(call, sku="C_1", name="Plain")
    new_product(call, sku="CX1", name="Bang! towel")
    new_product(call, sku="D-1", name="Bang towel")
    assert skus(call, q="100%") == ["A-1"]
    assert skus(call, q="%") == ["A-1"]
    assert skus(call, q="c_1") == ["C_1"]  # not CX1
    assert skus(call, q="_") == ["C_1"]
    assert skus(call, q="bang!") == ["CX1"]
    assert skus(call, q="!") == ["CX1"]
    assert skus(call, q="!%") == []


@pytest.mark.parametrize("route_key", ["GET /products", "GET /clients", "GET /stock"])
@pytest.mark.parametrize("q", ["", "   ", "x" * 101])
def test_an_empty_or_too_long_q_is_a_422(call: Call, route_key: str, q: str) -> None:
    status, body = call(route_key, SELLER, query={"q": q})
    assert status == 422, body
    assert [e["field"] for e in body["errors"]] == ["q"]


def test_a_q_of_100_characters_is_accepted(call: Call) -> None:
    new_product(call, sku="LONG", name="y" * 120)
    assert skus(call, q="y" * 100) == ["LONG"]


def test_paging_through_matching_products_returns_each_once(call: Call) -> None:
    for sku in ("MUG-5", "CUP-1", "MUG-1", "MUG-4", "BOWL-1", "MUG-3", "MUG-2"):
        new_product(call, sku=sku)
    assert every_page(call, "GET /products", "sku", q="mug") == ["MUG-1", "MUG-2", "MUG-3", "MUG-4", "MUG-5"]
    assert every_page(call, "GET /stock", "sku", q="mug") == ["MUG-1", "MUG-2", "MUG-3", "MUG-4", "MUG-5"]


def test_clients_match_by_name_document_or_email(call: Call) -> None:
    new_client(call, "DNI-100", "Ana Pérez", "ana@example.com")
    new_client(call, "DNI-200", "Bruno", "bruno@shop.example")
    new_client(call, "PASS-9", "Carla")  # no email
    assert client_names(call, q="ana") == ["Ana Pérez"]
    assert client_names(call, q="dni-") == ["Ana Pérez", "Bruno"]
    assert client_names(call, q="SHOP.EXAMPLE") == ["Bruno"]
    assert client_names(call, q="pass-9") == ["Carla"]
    assert client_names(call, q="%") == []
    assert client_names(call, q="zzz") == []


def test_paging_through_matching_clients_returns_each_once(call: Call) -> None:
    for i, name in enumerate(["Eve", "Ana", "Dan", "Ana", "Cid", "Bob", "Ana"]):
        new_client(call, f"DOC-{i}", name, f"{name.lower()}{i}@example.com" if name != "Bob" else None)
    assert every_page(call, "GET /clients", "name", q="AN") == ["Ana", "Ana", "Ana", "Dan"]
    documents = every_page(call, "GET /clients", "document_id", q="@example.com")  # all but Bob, in name order
    assert sorted(documents[:3]) == ["DOC-1", "DOC-3", "DOC-6"]  # the Anas (in id order among themselves)
    assert documents[3:] == ["DOC-4", "DOC-2", "DOC-0"]  # Cid, Dan, Eve


def test_stock_q_and_low(call: Call) -> None:
    new_product(call, sku="MUG-1", name="Mug", stock=2, min_stock=5)  # low
    new_product(call, sku="MUG-2", name="Mug", stock=5, min_stock=5)  # at the minimum: not low
    new_product(call, sku="PEN-1", name="Pen", stock=0, min_stock=1)  # low
    new_product(call, sku="PEN-2", name="Pen", stock=9, min_stock=1)
    assert [s["sku"] for s in levels(call, low="true")] == ["MUG-1", "PEN-1"]
    assert all(s["low"] for s in levels(call, low="true"))
    assert [s["sku"] for s in levels(call, q="mug")] == ["MUG-1", "MUG-2"]
    assert [s["sku"] for s in levels(call, q="pen", low="true")] == ["PEN-1"]
    assert [s["sku"] for s in levels(call, q="pen", low="false")] == ["PEN-1", "PEN-2"]
    status, _ = call("GET /stock", WAREHOUSE, query={"low": "maybe"})
    assert status == 422


def test_paging_through_low_stock_returns_each_once(call: Call) -> None:
    for i in range(5):
        new_product(call, sku=f"LOW-{i}", stock=1, min_stock=3)
        new_product(call, sku=f"OK-{i}", stock=3, min_stock=3)
    expected = [f"LOW-{i}" for i in range(5)]
    assert every_page(call, "GET /stock", "sku", low="true") == expected
    assert every_page(call, "GET /stock", "sku", low="true", q="low-") == expected
