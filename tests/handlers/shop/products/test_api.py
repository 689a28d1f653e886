"""The products routes through the resolver with canonical API Gateway events, on SQLite and MariaDB."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.handlers.shop.products.conftest import ADMIN, CUSTOMER, new_product, outbox, outbox_of


def test_an_admin_creates_a_product_with_an_empty_inventory(call, db, sent):
    status, product = call("POST /products", ADMIN, body={"sku": " mug-1", "name": "Mug", "description": "Blue",
                                                          "category": "kitchen", "price": "12.5"})  # fmt: skip
    assert status == 201
    assert product["sku"] == "MUG-1" and product["price"] == "12.50" and product["active"] is True
    assert call("GET /products/{id}", product_id=product["id"]) == (200, product)
    status, inventory = call("GET /products/{id}/inventory", ADMIN, product_id=product["id"])
    assert (status, inventory) == (200, {"product_id": product["id"], "available": 0, "reserved": 0})
    [changed] = outbox_of(db, "ProductChanged")
    assert changed["product_id"] == product["id"] and changed["price"] == "12.50" and changed["active"] is True
    assert [t for t, _ in sent.sent()] == ["ProductChanged"], "relayed after the commit"
    assert all(r["published_at"] for r in outbox(db))


def test_money_stays_decimal_from_body_to_table_and_back(call, db, store):
    product = new_product(call, "BIG", price=9999999999.99)
    assert product["price"] == "9999999999.99"
    with db.transaction() as tx:
        row = tx.query_one("SELECT price FROM products WHERE id = :id", {"id": product["id"]})
    assert row is not None and Decimal(str(row["price"])) == Decimal("9999999999.99")
    stored = store.get(product["id"])
    assert stored is not None and stored.price == Decimal("9999999999.99") and isinstance(stored.price, Decimal)
    cheap = new_product(call, "CHEAP", price=0.1)
    assert call("GET /products/{id}", product_id=cheap["id"])[1]["price"] == "0.10"


@pytest.mark.parametrize("price", [12.345, -1, "abc", None])
def test_a_price_that_is_not_money_is_a_422(call, price):
    status, body = call("POST /products", ADMIN, body={"sku": "X", "name": "X", "category": "c", "price": price})
    assert status == 422 and body["errors"][0]["field"] == "price"


def test_a_duplicate_sku_is_a_409_naming_it(call):
    new_product(call, "MUG-1")
    status, body = call("POST /products", ADMIN, body={"sku": "mug-1", "name": "Other", "category": "c", "price": 1})
    assert status == 409 and "MUG-1" in body["message"]
    other = new_product(call, "CUP-1")
    status, body = call("PUT /products/{id}", ADMIN, product_id=other["id"],
                        body={"sku": "MUG-1", "name": "Cup", "category": "c", "price": 1})  # fmt: skip
    assert status == 409 and "MUG-1" in body["message"]


def test_customers_and_anonymous_callers_cannot_change_the_catalog(call):
    product = new_product(call)
    body = {"sku": "X", "name": "X", "category": "c", "price": "1"}
    assert call("POST /products", CUSTOMER, body=body)[0] == 403
    assert call("PUT /products/{id}", CUSTOMER, product_id=product["id"], body=body)[0] == 403
    assert call("DELETE /products/{id}", CUSTOMER, product_id=product["id"])[0] == 403
    assert call("GET /products/{id}/inventory", CUSTOMER, product_id=product["id"])[0] == 403
    assert call("PUT /products/{id}/inventory", CUSTOMER, product_id=product["id"], body={"quantity": 1})[0] == 403
    assert call("POST /products", None, body=body)[0] == 401


def test_update_and_delete_emit_product_changed_and_delete_hides_the_product(call, db):
    product = new_product(call, "MUG-1")
    status, updated = call("PUT /products/{id}", ADMIN, product_id=product["id"],
                           body={"sku": "MUG-1", "name": "Big mug", "category": "kitchen", "price": 15})  # fmt: skip
    assert status == 200 and updated["name"] == "Big mug" and updated["price"] == "15.00"
    assert updated["description"] is None
    status, deleted = call("DELETE /products/{id}", ADMIN, product_id=product["id"])
    assert status == 200 and deleted["active"] is False
    assert call("GET /products/{id}", product_id=product["id"])[0] == 404
    assert call("GET /products")[1]["items"] == []
    assert call("DELETE /products/{id}", ADMIN, product_id=product["id"])[0] == 200, "deleting again changes nothing"
    changes = outbox_of(db, "ProductChanged")
    assert [(c["name"], c["price"], c["active"]) for c in changes] == [
        ("Product MUG-1", "12.50", True), ("Big mug", "15.00", True), ("Big mug", "15.00", False),
    ]  # fmt: skip
    body = {"sku": "MUG-1", "name": "Big mug", "category": "kitchen", "price": 15, "active": True}
    restored = call("PUT /products/{id}", ADMIN, product_id=product["id"], body=body)
    assert restored[0] == 200 and call("GET /products/{id}", product_id=product["id"])[0] == 200


def test_unknown_products_are_404(call):
    body = {"sku": "X", "name": "X", "category": "c", "price": "1"}
    assert call("GET /products/{id}", product_id="nope")[0] == 404
    assert call("PUT /products/{id}", ADMIN, product_id="nope", body=body)[0] == 404
    assert call("DELETE /products/{id}", ADMIN, product_id="nope")[0] == 404
    assert call("GET /products/{id}/inventory", ADMIN, product_id="nope")[0] == 404
    assert call("PUT /products/{id}/inventory", ADMIN, product_id="nope", body={"quantity": 1})[0] == 404


def test_inventory_sets_available_and_refuses_negatives(call):
    product = new_product(call)
    status, inventory = call("PUT /products/{id}/inventory", ADMIN, product_id=product["id"], body={"quantity": 7})
    assert (status, inventory) == (200, {"product_id": product["id"], "available": 7, "reserved": 0})
    assert call("PUT /products/{id}/inventory", ADMIN, product_id=product["id"], body={"quantity": 7})[0] == 200
    for bad in (-1, 1.5, "3", None):
        assert call("PUT /products/{id}/inventory", ADMIN, product_id=product["id"], body={"quantity": bad})[0] == 422
    assert call("GET /products/{id}/inventory", ADMIN, product_id=product["id"])[1]["available"] == 7


def test_listing_searches_filters_and_pages(call):
    new_product(call, "MUG-1", name="Blue mug", category="kitchen")
    new_product(call, "MUG-2", name="Red mug", category="kitchen", description="100% ceramic")
    new_product(call, "TEE-1", name="Shirt", category="clothes", description="A mug print")
    new_product(call, "PAN-1", name="Pan", category="kitchen")
    gone = new_product(call, "MUG-3", name="Old mug", category="kitchen")
    call("DELETE /products/{id}", ADMIN, product_id=gone["id"])

    def skus(**query: str) -> list[str]:
        status, body = call("GET /products", query=query)
        assert status == 200, body
        return [p["sku"] for p in body["items"]]

    assert skus() == ["MUG-1", "MUG-2", "PAN-1", "TEE-1"]
    assert skus(q="MUG") == ["MUG-1", "MUG-2", "TEE-1"], "name, SKU or description, any case"
    assert skus(q="mug", category="kitchen") == ["MUG-1", "MUG-2"]
    assert skus(q="100%") == ["MUG-2"] and skus(q="0%c") == [], "wildcards are literal"
    assert skus(category="clothes") == ["TEE-1"]

    status, first = call("GET /products", query={"limit": "3"})
    assert status == 200 and [p["sku"] for p in first["items"]] == ["MUG-1", "MUG-2", "PAN-1"]
    assert first["items"][0]["price"] == "12.50"
    status, second = call("GET /products", query={"limit": "3", "cursor": first["next_cursor"]})
    assert [p["sku"] for p in second["items"]] == ["TEE-1"] and second["next_cursor"] is None
    assert call("GET /products", query={"limit": "0"})[0] == 422
    assert call("GET /products", query={"cursor": "%%%"})[0] == 400
