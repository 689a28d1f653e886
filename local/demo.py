"""Demo data for a fresh local runtime, and the smoke run (`make demo`) that drives the key flows over real HTTP.

Both go through the public APIs with the demo users' real tokens, exactly as a person or a script would, so the smoke
run proves the whole path: gateway, authorizers, handlers, databases, event rules, queues and consumers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from local.cognito import DEMO_PASSWORD, add_user, sign_in
from local.runtime import LocalRuntime

TRUCKS = (
    {"plate": "LIM-101", "capacity_m3": 20, "home_city": "Lima"},
    {"plate": "LIM-102", "capacity_m3": 45, "home_city": "Lima"},
    {"plate": "CUS-201", "capacity_m3": 30, "home_city": "Cusco"},
)
RETAIL_PRODUCTS = (
    ({"sku": "ARZ-1KG", "name": "Arroz 1 kg", "category": "groceries", "price": "4.50", "min_stock": 5}, 40),
    ({"sku": "ACE-1L", "name": "Aceite 1 L", "category": "groceries", "price": "9.90", "min_stock": 5}, 6),
    ({"sku": "LEC-1L", "name": "Leche 1 L", "category": "dairy", "price": "3.80", "min_stock": 10}, 30),
)
RETAIL_CLIENT = {"document_id": "45871236", "name": "Cliente Demo", "email": "cliente@example.com"}
SHOP_PRODUCTS = (
    ({"sku": "TEE-BLK-M", "name": "Black tee (M)", "category": "apparel", "price": "19.90"}, 25),
    ({"sku": "MUG-CLS", "name": "Classic mug", "category": "home", "price": "8.50"}, 40),
    ({"sku": "CAP-RED", "name": "Red cap", "category": "apparel", "price": "12.00"}, 3),
)


class StepFailed(AssertionError):
    """A demo step did not behave as expected; the message says what happened."""


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    """Events travel through queues: poll until ``check`` is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise StepFailed(f"timed out waiting for {what}")
        time.sleep(0.1)


def expect(response: httpx.Response, *statuses: int) -> Any:
    if response.status_code not in statuses:
        raise StepFailed(f"{response.request.method} {response.request.url.path}: HTTP {response.status_code} "
                         f"{response.text[:200]}")  # fmt: skip
    return response.json() if response.content else None


@dataclass
class Api:
    """One system's API, signed in as one of its demo users."""

    runtime: LocalRuntime
    system: str

    def as_(self, group: str) -> httpx.Client:
        running = self.runtime.systems[self.system]
        user = next(u for u in running.users if group in u.groups)
        token = sign_in(self.runtime._session(), running.auth, user.email, user.password)["IdToken"]
        return httpx.Client(base_url=running.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=15)

    def as_new_user(self, group: str) -> httpx.Client:
        """Signed in as a user created now in ``group`` (another customer, say)."""
        auth = self.runtime.systems[self.system].auth
        email = f"{group.removesuffix('s')}-{time.time_ns()}@{self.system}.local"
        add_user(self.runtime._session().client("cognito-idp"), auth.user_pool_id, email, DEMO_PASSWORD, group)
        token = sign_in(self.runtime._session(), auth, email, DEMO_PASSWORD)["IdToken"]
        return httpx.Client(base_url=self.runtime.systems[self.system].api_url,
                            headers={"Authorization": f"Bearer {token}"}, timeout=15)  # fmt: skip

    def anonymous(self) -> httpx.Client:
        return httpx.Client(base_url=self.runtime.systems[self.system].api_url, timeout=15)


def inbox_message(runtime: LocalRuntime, system: str, topic: str, containing: str) -> str | None:
    """A message sent to ``topic`` that contains ``containing`` (taken off its local inbox queue), or None yet."""
    inbox = runtime.systems[system].aws.topic_inboxes[topic]
    sqs = runtime._session().client("sqs")
    for message in sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message(QueueUrl=inbox, ReceiptHandle=message["ReceiptHandle"])
        if containing in message["Body"]:
            return str(message["Body"])
    return None


# --- demo data --------------------------------------------------------------------------------------------------
def seed(runtime: LocalRuntime) -> list[str]:
    """Create the demo data once (a restart finds it and keeps it); return one line per system."""
    lines = []
    if "moving" in runtime.systems:
        employee = Api(runtime, "moving").as_("employees")
        for truck in TRUCKS:
            expect(employee.post("/trucks", json=truck), 201, 409)
        lines.append("moving: trucks " + ", ".join(f"{t['plate']} ({t['capacity_m3']} m³, {t['home_city']})"
                                                  for t in TRUCKS))  # fmt: skip
    if "shop" in runtime.systems:
        admin = Api(runtime, "shop").as_("admins")
        listed = {p["sku"]: p for p in expect(admin.get("/products", params={"limit": 100}), 200)["items"]}
        for product, stock in SHOP_PRODUCTS:
            if product["sku"] not in listed:
                created = expect(admin.post("/products", json=product), 201)
                expect(admin.put(f"/products/{created['id']}/inventory", json={"quantity": stock}), 200)
        lines.append("shop: products " + ", ".join(f"{p['sku']} ({s} in stock)" for p, s in SHOP_PRODUCTS))
    if "retail" in runtime.systems:
        admin = Api(runtime, "retail").as_("admins")
        skus = {p["sku"] for p in expect(admin.get("/products", params={"limit": 100}), 200)["items"]}
        for item, opening in RETAIL_PRODUCTS:
            if item["sku"] not in skus:
                made = expect(admin.post("/products", json=item), 201)
                adjustment = {"product_id": made["id"], "delta": opening, "reason": "opening stock"}
                expect(admin.post("/stock/adjustments", json=adjustment), 201, 200)
        expect(admin.post("/clients", json=RETAIL_CLIENT), 201, 409)
        lines.append(
            "retail: products "
            + ", ".join(f"{p['sku']} ({s} in stock, minimum {p['min_stock']})" for p, s in RETAIL_PRODUCTS)  # fmt: skip
            + f"; client {RETAIL_CLIENT['name']} ({RETAIL_CLIENT['document_id']})"
        )
    return lines


# --- the smoke run ------------------------------------------------------------------------------------------------
def moving_flow(runtime: LocalRuntime, step: Callable[[str], None]) -> None:
    api = Api(runtime, "moving")
    customer, employee = api.as_("customers"), api.as_("employees")
    move_body = {
        "origin": {"address": "Av. Arequipa 100", "city": "Lima"},
        "destination": {"address": "Calle Sol 5", "city": "Cusco"},
        "move_date": (date.today() + timedelta(days=30)).isoformat(),
        "volume_m3": 18,
    }
    move = expect(customer.post("/moves", json=move_body), 201)
    step(f"a customer signs in and registers move {move['id'][:8]} ({move['status']})")
    assigned = wait_for(lambda: (m := expect(customer.get(f"/moves/{move['id']}"), 200))["status"] == "TRUCK_ASSIGNED"
                        and m, "the truck assignment")  # fmt: skip
    step(f"a truck is assigned through the event flow: {assigned['truck']['plate']} (status {assigned['status']})")
    wait_for(lambda: employee.post(f"/moves/{move['id']}/positions", json={
        "lat": -12.05, "lon": -77.04, "recorded_at": f"{date.today().isoformat()}T10:00:00Z"}).status_code == 202,
        "the tracking session")  # fmt: skip
    tracking = expect(customer.get(f"/moves/{move['id']}/tracking"), 200)
    if not tracking.get("last_position"):
        raise StepFailed("the customer does not see the reported position")
    step(f"the driver reports a position; the customer sees it ({tracking['last_position']['lat']}, "
         f"{tracking['last_position']['lon']})")  # fmt: skip
    assignment = f"Truck {assigned['truck']['plate']} will do"  # the text of the TruckAssigned notification
    notice = wait_for(lambda: inbox_message(runtime, "moving", "customer-notifications", assignment),
                      "the customer notification")  # fmt: skip
    step(f"a notification is sent to the customer: {notice}")
    completed = expect(employee.post(f"/moves/{move['id']}/complete", json={}), 200)
    step(f"an employee completes the move ({completed['status']})")
    # The truck is free again once fleet has seen MoveCompleted: it can be booked for another move that same day.
    other = expect(customer.post("/moves", json={**move_body, "volume_m3": 5}), 201)
    wait_for(lambda: employee.post(f"/moves/{other['id']}/truck", json={"truck_id": assigned["truck"]["id"]})
             .status_code == 200, "the truck's booking to be released")  # fmt: skip
    step(f"the truck {assigned['truck']['plate']} is free again: booked for another move on the same day")
    stranger = api.as_new_user("customers")
    hidden = stranger.get(f"/moves/{move['id']}")
    if hidden.status_code != 404:
        raise StepFailed(f"another customer reading the move got {hidden.status_code}, expected 404")
    step("another customer asking for that move gets 404")


def shop_flow(runtime: LocalRuntime, step: Callable[[str], None]) -> None:
    api = Api(runtime, "shop")
    anonymous = api.anonymous()
    email = f"demo-{int(time.time() * 1000)}@example.com"
    expect(anonymous.post("/users/signup", json={"email": email, "password": "Demo-Passw0rd!2", "name": "Demo"}), 201)
    tokens = expect(anonymous.post("/users/login", json={"email": email, "password": "Demo-Passw0rd!2"}), 200)
    step(f"a new user signs up and logs in ({email})")
    user = httpx.Client(base_url=anonymous.base_url, headers={"Authorization": f"Bearer {tokens['id_token']}"},
                        timeout=15)  # fmt: skip
    product = next(p for p in expect(anonymous.get("/products", params={"q": "mug"}), 200)["items"])
    step(f"the user browses the products: {product['name']} at {product['price']}")

    def order_of(quantity: int) -> dict[str, Any]:
        return {
            "items": [{"product_id": product["id"], "quantity": quantity}],
            "payment": {"method": "card", "card_last4": "4242"},
            "shipping_address": {"line1": "Av. Larco 100", "city": "Lima", "country": "PE"},
        }

    order = wait_for(lambda: (r := user.post("/orders", json=order_of(2))).status_code == 201 and r.json(),
                     "the catalog to reach orders")  # fmt: skip
    wait_for(lambda: expect(user.get(f"/orders/{order['id']}"), 200)["status"] == "CONFIRMED", "the order saga")
    step(f"the user orders 2 x {product['name']} for {order['total']}: stock reserved, order CONFIRMED")
    beyond = expect(user.post("/orders", json=order_of(1000)), 201)
    wait_for(lambda: expect(user.get(f"/orders/{beyond['id']}"), 200)["status"] == "REJECTED", "the rejection")
    step(f"an order of 1000 x {product['name']} is beyond the stock: REJECTED")
    ticket = expect(user.post("/tickets", json={"subject": "Where is my mug?", "description": "Order " + order["id"],
                                                "order_id": order["id"]}), 201)  # fmt: skip
    taken = expect(api.as_("agents").post(f"/tickets/{ticket['id']}/take", json={}), 200)
    step(f"the user opens a ticket and an agent takes it ({taken['status']})")
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    expect(anonymous.post("/users/logout", headers=bearer), 200, 204)
    refused = anonymous.post("/users/refresh", json={"refresh_token": tokens["refresh_token"]})
    if refused.status_code != 401:
        raise StepFailed(f"refresh after logout answered {refused.status_code}, expected 401")
    step("the user logs out; refreshing with the old token is refused (401)")


def retail_flow(runtime: LocalRuntime, step: Callable[[str], None]) -> None:
    api_url, site_url = runtime.systems["retail"].api_url, runtime.systems["retail"].site_url
    page = httpx.get(f"{site_url}/", timeout=10)
    config = expect(httpx.get(f"{site_url}/config.json", timeout=10), 200)
    if config.get("apiUrl") != api_url or "script-src 'self'" not in page.headers.get("content-security-policy", ""):
        raise StepFailed(f"the web app at {site_url} is not configured for {api_url} under the site's CSP")
    step(f"the web app at {site_url} is served under the site's CSP, configured for the local API and Cognito")
    api = Api(runtime, "retail")
    seller = api.as_("sellers")

    def stock_of(sku: str) -> dict[str, Any]:
        items = expect(seller.get("/stock", params={"limit": 100}), 200)["items"]
        return next(i for i in items if i["sku"] == sku)

    oil = stock_of("ACE-1L")
    client = next(c for c in expect(seller.get("/clients", params={"limit": 100}), 200)["items"]
                  if c["document_id"] == RETAIL_CLIENT["document_id"])  # fmt: skip
    quantity = oil["stock"] - oil["min_stock"] + 1  # just enough to cross below the minimum
    if quantity < 1 or quantity > oil["stock"]:
        raise StepFailed(f"ACE-1L has {oil['stock']} in stock; the demo needs it at or above its minimum (--reset)")
    sale = expect(seller.post("/sales", json={"client_id": client["id"], "payment_method": "cash",
                                              "items": [{"product_id": oil["product_id"], "quantity": quantity}]}),
                  201)  # fmt: skip
    step(f"a seller signs in and sells {quantity} x ACE-1L: sale {sale['number']}, total {sale['total']}")
    after = stock_of("ACE-1L")
    if after["stock"] != oil["stock"] - quantity:
        raise StepFailed(f"stock of ACE-1L is {after['stock']}, expected {oil['stock'] - quantity}")
    step(f"the stock drops from {oil['stock']} to {after['stock']} (minimum {after['min_stock']}, low: {after['low']})")
    alert = wait_for(lambda: inbox_message(runtime, "retail", "stock-alerts", "ACE-1L"), "the low-stock alert")
    step(f"the low-stock alert arrives on the stock-alerts topic: {alert}")

    admin = api.as_("admins")
    today = date.today().isoformat()
    base = runtime.systems["retail"].api_url
    expect(httpx.post(f"{base}/_local/schedules/reports/daily-report", json={"date": today}, timeout=30), 200)
    links = expect(admin.get(f"/reports/daily/{today}"), 200)
    csv = httpx.get(links["csv_url"], timeout=15)
    if csv.status_code != 200 or "ACE-1L" not in csv.text:
        raise StepFailed(f"the daily report download answered {csv.status_code}: {csv.text[:200]}")
    step(f"an admin runs the daily report on demand and downloads it ({len(csv.text.splitlines())} CSV lines)")
    export = expect(httpx.post(f"{base}/_local/schedules/backups/nightly-export", timeout=60), 200)["result"]
    rows = sum(export["tables"].values())
    step(f"then runs a logical backup: {export['key']} ({rows} rows in {len(export['tables'])} tables)")


FLOWS: dict[str, Callable[[LocalRuntime, Callable[[str], None]], None]] = {
    "moving": moving_flow,
    "shop": shop_flow,
    "retail": retail_flow,
}


def run(runtime: LocalRuntime, say: Callable[[str], None] = print) -> bool:
    """Run every flow of the running systems; True only if every step passed."""
    passed = True
    for name, flow in FLOWS.items():
        if name not in runtime.systems:
            continue

        def step(line: str, system: str = name) -> None:
            say(f"  ok  {system}: {line}")

        try:
            flow(runtime, step)
        except Exception as e:  # a failed step ends its flow; the others still run
            say(f"  FAIL {name}: {e}")
            passed = False
    return passed
