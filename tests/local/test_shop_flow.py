"""The shop's order saga end to end, offline: real HTTP through the local gateway with the JWT authorizer (tokens from
local Cognito), real EventBridge rules into SQS, and the real products and orders consumers on SQLite.

place → reserved → CONFIRMED; place beyond stock → REJECTED; cancel → stock released.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from local.cognito import sign_in
from local.runtime import LocalRuntime, Options, free_base_port
from tests.local.test_moving_flow import eventually


@pytest.fixture(scope="module")
def runtime(tmp_path_factory) -> Iterator[LocalRuntime]:
    options = Options(
        systems=("shop",), state_dir=tmp_path_factory.mktemp("local"), base_port=free_base_port(("shop",))
    )
    rt = LocalRuntime(options, say=lambda line: None)
    rt.start()
    yield rt
    rt.stop()


def client(runtime: LocalRuntime, group: str) -> httpx.Client:
    running = runtime.systems["shop"]
    user = next(u for u in running.users if group in u.groups)
    token = sign_in(runtime._session(), running.auth, user.email, user.password)["IdToken"]
    return httpx.Client(base_url=running.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def order_body(product_id: str, quantity: int) -> dict[str, Any]:
    return {
        "items": [{"product_id": product_id, "quantity": quantity}],
        "payment": {"method": "card", "card_last4": "4242"},
        "shipping_address": {"line1": "Av. Larco 100", "city": "Lima", "country": "PE"},
    }


def test_the_order_saga(runtime):
    admin, customer = client(runtime, "admins"), client(runtime, "customers")
    product = admin.post("/products", json={"sku": "tee-1", "name": "Tee", "category": "apparel", "price": "19.90"})
    assert product.status_code == 201, product.text
    product_id = product.json()["id"]
    assert admin.put(f"/products/{product_id}/inventory", json={"quantity": 5}).status_code == 200
    assert customer.post("/products", json={"sku": "x", "name": "x", "category": "x", "price": "1"}).status_code == 403
    assert httpx.get(f"{runtime.systems['shop'].api_url}/products/{product_id}").status_code == 200, "public route"

    # Orders prices from its own copy of the catalog, which products' ProductChanged keeps current.
    placed = eventually(
        lambda: (r := customer.post("/orders", json=order_body(product_id, 2))).status_code == 201 and r
    )
    assert placed, "the catalog copy should reach orders"
    order = placed.json()
    assert order["status"] == "PENDING" and order["total"] == "39.80"
    confirmed = eventually(lambda: customer.get(f"/orders/{order['id']}").json()["status"] == "CONFIRMED")
    assert confirmed, customer.get(f"/orders/{order['id']}").text
    sold = eventually(lambda: admin.get(f"/products/{product_id}/inventory").json() == {
        "product_id": product_id, "available": 3, "reserved": 0})  # fmt: skip
    assert sold, "confirmed units are sold: products takes them out of reserved once it hears OrderConfirmed"

    too_many = customer.post("/orders", json=order_body(product_id, 4)).json()
    assert eventually(lambda: customer.get(f"/orders/{too_many['id']}").json()["status"] == "REJECTED")
    assert admin.get(f"/products/{product_id}/inventory").json()["available"] == 3, "a rejection reserves nothing"

    cancelled = customer.post(f"/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert eventually(lambda: customer.get(f"/orders/{order['id']}").json()["status"] == "CANCELLED")
    released = eventually(lambda: admin.get(f"/products/{product_id}/inventory").json()["available"] == 5)
    assert released, "cancelling releases the stock"

    other = client(runtime, "agents")
    assert other.get(f"/orders/{order['id']}").status_code == 404, "another user's order does not exist for them"


def test_sign_up_login_profile_and_logout(runtime):
    api = httpx.Client(base_url=runtime.systems["shop"].api_url, timeout=10)
    signed_up = api.post(
        "/users/signup", json={"email": "lu@example.com", "password": "Str0ng-Passw0rd!", "name": "Lu"}
    )
    assert signed_up.status_code == 201, signed_up.text
    weak = api.post("/users/signup", json={"email": "w@example.com", "password": "short", "name": "W"})
    assert weak.status_code == 400 and "password" in weak.text
    wrong = api.post("/users/login", json={"email": "lu@example.com", "password": "Wrong-Passw0rd!"})
    unknown = api.post("/users/login", json={"email": "nobody@example.com", "password": "Wrong-Passw0rd!"})
    assert wrong.status_code == unknown.status_code == 401 and wrong.json() == unknown.json(), "no user enumeration"

    tokens = api.post("/users/login", json={"email": "lu@example.com", "password": "Str0ng-Passw0rd!"}).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = api.put("/users/me", json={"phone": "+51 999 000 111"}, headers=bearer)
    assert me.status_code == 200 and me.json()["phone"] == "+51 999 000 111"
    refreshed = api.post("/users/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["access_token"]

    assert api.post("/users/logout", headers=bearer).status_code in (200, 204)
    assert api.post("/users/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert api.get("/users/me", headers=bearer).status_code == 401, "the old access token is refused after logout"
