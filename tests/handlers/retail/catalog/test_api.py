from __future__ import annotations

from typing import Any

from handlers.shared.db import Database
from tests.handlers.retail.catalog.helpers import (
    ADMIN,
    SELLER,
    WAREHOUSE,
    Call,
    RecordingEvents,
    outbox_of,
)


def new_product(call: Call, sku: str = "MUG-1", stock: int = 0, min_stock: int = 0, **fields: Any) -> dict[str, Any]:
    body = {"sku": sku, "name": f"Product {sku}", "category": "kitchen", "price": "12.50", "min_stock": min_stock,
            **fields}  # fmt: skip
    status, product = call("POST /products", ADMIN, body=body)
    assert status == 201, product
    if stock:
        status, _ = call("POST /stock/adjustments", WAREHOUSE,
                         body={"product_id": product["id"], "delta": stock, "reason": "initial count"})  # fmt: skip
        assert status == 201
    return dict(product)


def levels(call: Call, **query: str) -> list[dict[str, Any]]:
    status, body = call("GET /stock", SELLER, query=query or None)
    assert status == 200, body
    return list(body["items"])


def test_product_lifecycle_and_its_stock_row(call: Call) -> None:
    product = new_product(call, sku="mug-1", price=12.5)
    assert (product["sku"], product["price"], product["active"]) == ("MUG-1", "12.50", True)
    assert levels(call) == [{"product_id": product["id"], "sku": "MUG-1", "name": "Product mug-1", "stock": 0,
                             "min_stock": 0, "low": False}]  # fmt: skip
    status, body = call("GET /products/{id}", WAREHOUSE, id=product["id"])
    assert status == 200 and body["id"] == product["id"]
    status, body = call("PUT /products/{id}", ADMIN, id=product["id"],
                        body={"sku": "MUG-1", "name": "Big mug", "category": "kitchen", "price": "14.00"})  # fmt: skip
    assert status == 200 and body["name"] == "Big mug" and body["price"] == "14.00"
    status, body = call("DELETE /products/{id}", ADMIN, id=product["id"])
    assert status == 200 and body["active"] is False
    _, page = call("GET /products", SELLER)
    assert page["items"] == []
    _, page = call("GET /products", SELLER, query={"include_inactive": "true"})
    assert [p["id"] for p in page["items"]] == [product["id"]]


def test_duplicate_sku_is_a_409_naming_it(call: Call) -> None:
    new_product(call, sku="MUG-1")
    status, body = call("POST /products", ADMIN, body={"sku": "mug-1", "name": "x", "category": "c", "price": 1})
    assert status == 409 and "MUG-1" in body["message"]


def test_writing_products_needs_admins(call: Call) -> None:
    status, _ = call("POST /products", SELLER, body={"sku": "A", "name": "x", "category": "c", "price": 1})
    assert status == 403
    status, _ = call("GET /products", WAREHOUSE)
    assert status == 200


def test_field_errors_are_422(call: Call) -> None:
    status, body = call("POST /products", ADMIN, body={"sku": "A", "name": "", "category": "c", "price": "-1"})
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"name", "price"}


def test_products_page_by_sku(call: Call) -> None:
    for sku in ("C", "A", "B"):
        new_product(call, sku=sku)
    _, first = call("GET /products", ADMIN, query={"limit": "2"})
    assert [p["sku"] for p in first["items"]] == ["A", "B"]
    _, second = call("GET /products", ADMIN, query={"limit": "2", "cursor": first["next_cursor"]})
    assert [p["sku"] for p in second["items"]] == ["C"] and second["next_cursor"] is None


def test_clients(call: Call) -> None:
    status, client = call("POST /clients", SELLER, body={"document_id": "DNI-1", "name": "Ana", "email": "a@b.co"})
    assert status == 201 and client["phone"] is None
    status, body = call("POST /clients", SELLER, body={"document_id": "DNI-1", "name": "Other"})
    assert status == 409 and "DNI-1" in body["message"]
    status, body = call("PUT /clients/{id}", SELLER, id=client["id"],
                        body={"document_id": "DNI-1", "name": "Ana María", "phone": "+34 600 000 000"})  # fmt: skip
    assert status == 200 and body["name"] == "Ana María" and body["email"] is None
    status, _ = call("DELETE /clients/{id}", SELLER, id=client["id"])
    assert status == 403
    status, _ = call("POST /clients", WAREHOUSE, body={"document_id": "DNI-2", "name": "Bo"})
    assert status == 403
    status, _ = call("DELETE /clients/{id}", ADMIN, id=client["id"])
    assert status == 204
    status, _ = call("GET /clients/{id}", SELLER, id=client["id"])
    assert status == 404


def test_adjustments_never_take_stock_below_zero(call: Call, db: Database) -> None:
    product = new_product(call, stock=3)
    status, body = call("POST /stock/adjustments", WAREHOUSE,
                        body={"product_id": product["id"], "delta": -4, "reason": "broken"})  # fmt: skip
    assert status == 409
    assert "MUG-1" in body["message"] and "stock of 3" in body["message"]
    assert levels(call)[0]["stock"] == 3
    status, _ = call("POST /stock/adjustments", SELLER, body={"product_id": product["id"], "delta": 1, "reason": "x"})
    assert status == 403
    status, body = call("POST /stock/adjustments", ADMIN, body={"product_id": product["id"], "delta": 0, "reason": ""})
    assert status == 422 and {e["field"] for e in body["errors"]} == {"delta", "reason"}


def test_stock_low_once_per_crossing(call: Call, db: Database, sent: RecordingEvents) -> None:
    product = new_product(call, stock=6, min_stock=5)

    def adjust(delta: int) -> None:
        status, body = call("POST /stock/adjustments", WAREHOUSE,
                            body={"product_id": product["id"], "delta": delta, "reason": "count"})  # fmt: skip
        assert status == 201, body

    adjust(-1)  # 5: at the minimum, not below
    assert outbox_of(db, "StockLow") == []
    adjust(-1)  # 4: crossed
    adjust(-1)  # 3: still below, no new alert
    assert [(e["stock"], e["min_stock"]) for e in outbox_of(db, "StockLow")] == [(4, 5)]
    assert [e["sku"] for e in sent.sent("StockLow")] == ["MUG-1"]  # relayed after commit
    assert [s["low"] for s in levels(call, low="true")] == [True]
    adjust(+2)  # 5: back at the minimum
    assert levels(call, low="true") == []
    adjust(-1)  # 4: a new crossing
    assert [e["stock"] for e in outbox_of(db, "StockLow")] == [4, 4]


def test_movements_newest_first_and_paginated(call: Call) -> None:
    product = new_product(call, stock=10)
    other = new_product(call, sku="OTHER", stock=1)
    for delta in (-1, -2, -3):
        call("POST /stock/adjustments", ADMIN, body={"product_id": product["id"], "delta": delta, "reason": "r"})
    status, first = call("GET /stock/movements", SELLER, query={"product_id": product["id"], "limit": "3"})
    assert status == 200
    assert [m["delta"] for m in first["items"]] == [-3, -2, -1]
    assert {m["kind"] for m in first["items"]} == {"ADJUSTMENT"} and first["items"][0]["user_id"] == "u-admin"
    _, second = call("GET /stock/movements", SELLER,
                     query={"product_id": product["id"], "limit": "3", "cursor": first["next_cursor"]})  # fmt: skip
    assert [m["delta"] for m in second["items"]] == [10] and second["next_cursor"] is None
    _, everything = call("GET /stock/movements", SELLER)
    assert other["id"] in {m["product_id"] for m in everything["items"]}
