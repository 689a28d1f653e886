from __future__ import annotations

from decimal import Decimal
from typing import Any

from handlers.retail.catalog.logic import ClientFields, MovementQuery
from handlers.retail.catalog.usecases import CatalogUseCases
from handlers.shared.db import Database
from tests.handlers.retail.catalog.helpers import (
    ADMIN,
    SELLER,
    SELLER_2,
    WAREHOUSE,
    Call,
    RecordingEvents,
    outbox_of,
)
from tests.handlers.retail.sales.conftest import NewProduct, stock_of


def body(*items: tuple[str, int], client_id: str | None = None, payment_method: str = "cash") -> dict[str, Any]:
    out: dict[str, Any] = {"items": [{"product_id": p, "quantity": q} for p, q in items],
                           "payment_method": payment_method}  # fmt: skip
    if client_id is not None:
        out["client_id"] = client_id
    return out


def count(db: Database, table: str) -> int:
    with db.transaction() as tx:
        row = tx.query_one(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608
    assert row is not None
    return int(row["n"])


def test_a_sale_prices_taxes_and_takes_the_stock(call: Call, product: NewProduct, catalog: CatalogUseCases,
                                                 metrics: list[Decimal]) -> None:  # fmt: skip
    mug, pen = product("MUG-1", "12.50", stock=10), product("PEN-1", "0.99", stock=5)
    client = catalog.create_client(ClientFields(document_id="D-1", name="Ana"))
    status, sale = call("POST /sales", SELLER, body=body((mug.id, 2), (pen.id, 3), client_id=client.id))
    assert status == 201, sale
    assert sale["number"] == "S-000001"
    assert [(i["sku"], i["quantity"], i["unit_price"], i["line_total"]) for i in sale["items"]] == [
        ("MUG-1", 2, "12.50", "25.00"), ("PEN-1", 3, "0.99", "2.97")]  # fmt: skip
    assert (sale["subtotal"], sale["tax"], sale["total"]) == ("27.97", "5.03", "33.00")  # 5.0346 → 5.03
    assert (sale["seller_id"], sale["client_id"], sale["payment_method"]) == ("u-sam", client.id, "cash")
    assert (stock_of(catalog, mug.id), stock_of(catalog, pen.id)) == (8, 2)
    movements = catalog.movements(MovementQuery(product_id=mug.id))["items"]
    assert [(m["kind"], m["delta"], m["sale_id"], m["user_id"]) for m in movements][0] == ("SALE", -2, sale["id"],
                                                                                            "u-sam")  # fmt: skip
    assert metrics == [Decimal("33.00")]
    status, again = call("POST /sales", SELLER, body=body((mug.id, 1)))
    assert again["number"] == "S-000002"


def test_out_of_stock_is_a_409_naming_the_item_and_writes_nothing(call: Call, product: NewProduct, db: Database,
                                                                  catalog: CatalogUseCases) -> None:  # fmt: skip
    mug, pen = product("MUG-1", stock=10), product("PEN-1", stock=1)
    status, error = call("POST /sales", SELLER, body=body((mug.id, 2), (pen.id, 2)))
    assert status == 409
    assert "PEN-1" in error["message"] and "2 requested, 1 in stock" in error["message"]
    assert (stock_of(catalog, mug.id), stock_of(catalog, pen.id)) == (10, 1)
    assert count(db, "sales") == 0 and count(db, "sale_items") == 0
    assert count(db, "stock_movements") == 2  # the two initial adjustments only


def test_unknown_product_or_client_is_a_422_naming_it(call: Call, product: NewProduct) -> None:
    mug = product()
    status, error = call("POST /sales", SELLER, body=body(("nope", 1)))
    assert status == 422 and "nope" in error["message"]
    status, error = call("POST /sales", SELLER, body=body((mug.id, 1), client_id="c-404"))
    assert status == 422 and "c-404" in error["message"]
    gone = product("OLD-1", active=False)
    status, error = call("POST /sales", SELLER, body=body((gone.id, 1)))
    assert status == 422 and "OLD-1" in error["message"]


def test_field_errors_are_422(call: Call) -> None:
    status, error = call("POST /sales", SELLER, body={"items": [], "payment_method": "cheque"})
    assert status == 422
    assert {e["field"] for e in error["errors"]} == {"items", "payment_method"}


def test_groups(call: Call, product: NewProduct) -> None:
    mug = product()
    assert call("POST /sales", WAREHOUSE, body=body((mug.id, 1)))[0] == 403
    _, sale = call("POST /sales", SELLER, body=body((mug.id, 1)))
    status, error = call("POST /sales/{id}/void", SELLER, id=sale["id"])
    assert status == 403 and "admins" in error["message"]


def test_idempotency_key(call: Call, product: NewProduct, db: Database, catalog: CatalogUseCases) -> None:
    mug = product(stock=10)
    key = {"Idempotency-Key": "k-1"}
    status, first = call("POST /sales", SELLER, body=body((mug.id, 1)), headers=key)
    assert status == 201
    status, second = call("POST /sales", SELLER, body=body((mug.id, 1)), headers=key)
    assert status == 201 and second == first
    assert count(db, "sales") == 1 and stock_of(catalog, mug.id) == 9
    status, error = call("POST /sales", SELLER, body=body((mug.id, 2)), headers=key)
    assert status == 422 and "Idempotency-Key" in error["message"]
    status, other = call("POST /sales", SELLER_2, body=body((mug.id, 1)), headers=key)  # keys are per seller
    assert status == 201 and other["id"] != first["id"]


def test_void_restores_the_stock_once(call: Call, product: NewProduct, catalog: CatalogUseCases) -> None:
    mug = product(stock=10)
    _, sale = call("POST /sales", SELLER, body=body((mug.id, 4)))
    status, done = call("POST /sales/{id}/void", ADMIN, id=sale["id"])
    assert status == 200 and done["status"] == "VOIDED" and done["voided_by"] == "u-admin"
    assert stock_of(catalog, mug.id) == 10
    status, error = call("POST /sales/{id}/void", ADMIN, id=sale["id"])
    assert status == 409 and "VOIDED" in error["message"]
    assert stock_of(catalog, mug.id) == 10
    movements = catalog.movements(MovementQuery(product_id=mug.id))["items"]
    assert [(m["kind"], m["delta"], m["user_id"]) for m in movements][:2] == [("VOID", 4, "u-admin"),
                                                                              ("SALE", -4, "u-sam")]  # fmt: skip
    assert call("POST /sales/{id}/void", ADMIN, id="nope")[0] == 404


def test_stock_low_once_per_crossing(call: Call, product: NewProduct, db: Database, sent: RecordingEvents) -> None:
    mug = product(stock=6, min_stock=5)
    for _ in range(3):  # 5, 4 (crossed), 3
        assert call("POST /sales", SELLER, body=body((mug.id, 1)))[0] == 201
    assert [(e["stock"], e["min_stock"]) for e in outbox_of(db, "StockLow")] == [(4, 5)]
    assert [e["sku"] for e in sent.sent("StockLow")] == ["MUG-1"]


def test_listing_and_reading_sales(call: Call, product: NewProduct) -> None:
    mug = product(stock=20)
    mine = [call("POST /sales", SELLER, body=body((mug.id, 1)))[1] for _ in range(3)]
    theirs = call("POST /sales", SELLER_2, body=body((mug.id, 1)))[1]
    status, page = call("GET /sales", SELLER, query={"limit": "2"})
    assert status == 200
    assert [s["id"] for s in page["items"]] == [mine[2]["id"], mine[1]["id"]]
    _, rest = call("GET /sales", SELLER, query={"limit": "2", "cursor": page["next_cursor"]})
    assert [s["id"] for s in rest["items"]] == [mine[0]["id"]] and rest["next_cursor"] is None
    _, everything = call("GET /sales", ADMIN)
    assert len(everything["items"]) == 4
    _, hers = call("GET /sales", ADMIN, query={"seller": "u-sue"})
    assert [s["id"] for s in hers["items"]] == [theirs["id"]]
    assert call("GET /sales", SELLER, query={"seller": "u-sue"})[0] == 403
    assert call("GET /sales/{id}", SELLER, id=theirs["id"])[0] == 404
    assert call("GET /sales/{id}", SELLER, id=mine[0]["id"])[1]["items"][0]["sku"] == "MUG-1"
    assert call("GET /sales/{id}", ADMIN, id=theirs["id"])[0] == 200
    _, that_day = call("GET /sales", ADMIN, query={"from": "2026-03-10", "to": "2026-03-10"})
    assert len(that_day["items"]) == 4
    _, later = call("GET /sales", ADMIN, query={"from": "2026-03-11"})
    assert later["items"] == []
    status, error = call("GET /sales", ADMIN, query={"from": "2026-03-11", "to": "2026-03-10"})
    assert status == 422
