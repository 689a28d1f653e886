from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from handlers.retail.sales import logic
from handlers.shared.idempotency import fingerprint
from tests.handlers.retail.catalog.helpers import START


def stocked(pid: str = "p-1", price: str = "10.00", stock: int = 10, min_stock: int = 0,
            active: bool = True) -> logic.Stocked:  # fmt: skip
    return logic.Stocked(pid, pid.upper(), f"name {pid}", Decimal(price), active, stock, min_stock)


def sale(*items: tuple[str, int], client_id: str | None = None) -> logic.NewSale:
    return logic.NewSale.model_validate({"client_id": client_id, "payment_method": "cash",
                                         "items": [{"product_id": p, "quantity": q} for p, q in items]})  # fmt: skip


def decide(new: logic.NewSale, *products: logic.Stocked, rate: str = "0.18",
           client_known: bool = True) -> logic.SaleDecision:  # fmt: skip
    return logic.decide_sale(new, {p.product_id: p for p in products}, client_known=client_known,
                             tax_rate=Decimal(rate), sale_id="s-1", seller_id="u", now=START)  # fmt: skip


def test_totals_round_half_up_per_line_and_on_the_tax() -> None:
    # 3 × 0.335 would not be a price; use 2-decimal prices whose tax lands on a half cent
    decision = decide(sale(("p-1", 3), ("p-2", 1)), stocked("p-1", "0.35"), stocked("p-2", "1.00"), rate="0.10")
    assert [line.line_total for line in decision.sale.lines] == [Decimal("1.05"), Decimal("1.00")]
    assert decision.sale.subtotal == Decimal("2.05")
    assert decision.sale.tax == Decimal("0.21")  # 0.205 rounds half up
    assert decision.sale.total == Decimal("2.26")


def test_out_of_stock_names_the_item_in_its_message_and_params() -> None:
    with pytest.raises(logic.OutOfStock, match=r"not enough stock of P-2 \(name p-2\): 3 requested, 2 in stock") as e:
        decide(sale(("p-1", 1), ("p-2", 3)), stocked("p-1"), stocked("p-2", stock=2))
    assert e.value.params == {"sku": "P-2", "name": "name p-2", "requested": 3, "stock": 2}


def test_unknown_or_inactive_products_and_clients_are_refused() -> None:
    with pytest.raises(logic.SaleRefused, match="product p-9 does not exist") as unknown:
        decide(sale(("p-9", 1)))
    with pytest.raises(logic.SaleRefused, match="no longer sold") as inactive:
        decide(sale(("p-1", 1)), stocked(active=False))
    with pytest.raises(logic.SaleRefused, match="client c-1 does not exist") as client:
        decide(sale(("p-1", 1), client_id="c-1"), stocked(), client_known=False)
    # the reason a client translates
    assert unknown.value.params == {"reason": "unknown_product", "product_id": "p-9"}
    assert inactive.value.params["reason"] == "product_inactive"
    assert client.value.params == {"reason": "unknown_client", "client_id": "c-1"}


def test_stock_low_when_a_sale_crosses_the_minimum() -> None:
    decision = decide(sale(("p-1", 2), ("p-2", 1)), stocked("p-1", stock=6, min_stock=5),
                      stocked("p-2", stock=3, min_stock=5))  # fmt: skip
    assert [(a.product_id, a.stock) for a in decision.alerts] == [("p-1", 4)]  # p-2 was already below


def test_items_are_distinct_and_bounded() -> None:
    with pytest.raises(ValidationError, match="repeated: p-1"):
        sale(("p-1", 1), ("p-1", 2))
    with pytest.raises(ValidationError):
        sale(*[(f"p-{i}", 1) for i in range(101)])
    with pytest.raises(ValidationError):
        sale(("p-1", 0))


def test_fingerprint_ignores_layout() -> None:
    a = logic.NewSale.model_validate({"items": [{"product_id": "p", "quantity": 1}], "payment_method": "card"})
    b = logic.NewSale.model_validate({"payment_method": "card", "items": [{"quantity": 1, "product_id": "p"}]})
    assert fingerprint(a) == fingerprint(b)


def test_void_only_once() -> None:
    done = logic.voided(decide(sale(("p-1", 1)), stocked()).sale, "s-1", "u-admin", START)
    assert done.status is logic.SaleStatus.VOIDED
    with pytest.raises(logic.AlreadyVoided, match="already VOIDED"):
        logic.voided(done, "s-1", "u-admin", START)


def test_sellers_list_only_their_own_sales() -> None:
    query = logic.SaleQuery.model_validate({"seller": "u-other"})
    assert logic.seller_filter(query, "u-admin", frozenset({"admins"})) == "u-other"
    assert logic.seller_filter(logic.SaleQuery(), "u-sam", frozenset({"sellers"})) == "u-sam"
    with pytest.raises(logic.Forbidden):
        logic.seller_filter(query, "u-sam", frozenset({"sellers"}))
