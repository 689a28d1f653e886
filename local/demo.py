"""Demo data and the smoke run (`make demo`): the key flows over real HTTP, against any target's endpoints file.

Both go through the public APIs with real tokens, exactly as a person or a script would, so the smoke run proves the
whole path: gateway, authorizers, handlers, databases, event rules, queues and consumers. A target is an endpoints file
(``tools/endpoints.py``): the local runtime's, or a stack's in AWS (``tools/cloud_test.py`` writes it). The few steps
that need the local runtime's controls (reading a topic's inbox queue, running a schedule now) are reported as skipped
on a stack.

    python -m local.demo --endpoints .local/endpoints.json    # the flows against a running `make run`
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import httpx

from local.cognito import DEMO_PASSWORD, add_user
from tools import endpoints as endpoints_file
from tools.endpoints import Endpoints, User
from tools.smoke_users import SmokeUsers

if TYPE_CHECKING:
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
class Target:
    """What the flows drive: a target's endpoints, and how to get another user or a sign-up address there."""

    endpoints: Endpoints
    add_user: Callable[[str, str], User]
    """``(system, group)`` → a new confirmed user in that group, listed in ``endpoints``."""
    new_email: Callable[[str], str]
    """``label`` → an unused address (for a sign-up)."""

    @property
    def local(self) -> bool:
        return self.endpoints.local


def local_target(endpoints: Endpoints) -> Target:
    """The local runtime: more users are added to local Cognito with the demo password."""

    def add(system: str, group: str) -> User:
        user = User(f"{group.removesuffix('s')}-{time.time_ns()}@{system}.local", DEMO_PASSWORD, (group,))
        add_user(endpoints.client("cognito-idp"), endpoints.systems[system].user_pool_id, user.email, DEMO_PASSWORD,
                 group)  # fmt: skip
        endpoints.systems[system].users.append(user)
        return user

    return Target(endpoints, add, lambda label: f"{label}-{time.time_ns()}@example.com")


def runtime_target(runtime: LocalRuntime) -> Target:
    """A local runtime started in this process, through what its endpoints file holds."""
    return local_target(endpoints_file.from_dict(runtime.endpoints()))


def stack_target(users: SmokeUsers) -> Target:
    """A stack in AWS: every user, sign-ups included, belongs to the run's smoke users (deleted with them)."""
    return Target(users.endpoints, users.add, users.email)


def target_of(endpoints: Endpoints) -> Target:
    return local_target(endpoints) if endpoints.local else stack_target(SmokeUsers.of(endpoints))


@dataclass
class Api:
    """One system's API, called as one of its users or anonymously."""

    target: Target
    system: str

    @property
    def url(self) -> str:
        return self.target.endpoints.systems[self.system].api_url

    def as_user(self, user: User) -> httpx.Client:
        token = self.target.endpoints.sign_in(self.system, user)["IdToken"]
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=15)

    def as_(self, group: str) -> httpx.Client:
        users = self.target.endpoints.systems[self.system].users
        user = next((u for u in users if group in u.groups), None)
        if user is None:
            raise StepFailed(f"{self.system} has no user in {group} to sign in as")
        return self.as_user(user)

    def as_new_user(self, group: str) -> httpx.Client:
        """Signed in as a user created now in ``group`` (another customer, say)."""
        return self.as_user(self.target.add_user(self.system, group))

    def anonymous(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=15)


@dataclass
class Steps:
    """Prints a flow's steps: passed, or skipped because only the local runtime can do them."""

    system: str
    say: Callable[[str], None]

    def ok(self, line: str) -> None:
        self.say(f"  ok   {self.system}: {line}")

    def local_only(self, line: str) -> None:
        self.say(f"  skip {self.system}: {line} (local runtime only)")


def inbox_message(target: Target, system: str, topic: str, containing: str) -> str | None:
    """A message sent to ``topic`` that contains ``containing`` (taken off its local inbox queue), or None yet."""
    inbox = target.endpoints.systems[system].topic_inboxes[topic]
    sqs = target.endpoints.client("sqs")
    for message in sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message(QueueUrl=inbox, ReceiptHandle=message["ReceiptHandle"])
        if containing in message["Body"]:
            return str(message["Body"])
    return None


def run_schedule(target: Target, system: str, path: str, body: Any = None, timeout: float = 30) -> Any:
    """Run a schedule now through the local runtime's control endpoint; its result."""
    url = f"{target.endpoints.systems[system].api_url}/_local/schedules/{path}"
    return expect(httpx.post(url, json=body, timeout=timeout), 200)["result"]


# --- demo data --------------------------------------------------------------------------------------------------
def seed(target: Target) -> list[str]:
    """Create the demo data once (a restart finds it and keeps it, as it was left); return :func:`describe`'s lines.
    On a stack, whose data outlives each run, the demo products' stock is also put back to its opening level, so runs
    can repeat."""
    systems = target.endpoints.systems
    if "moving" in systems:
        employee = Api(target, "moving").as_("employees")
        for truck in TRUCKS:
            expect(employee.post("/trucks", json=truck), 201, 409)
    if "shop" in systems:
        admin = Api(target, "shop").as_("admins")
        listed = {p["sku"]: p for p in expect(admin.get("/products", params={"limit": 100}), 200)["items"]}
        for product, stock in SHOP_PRODUCTS:
            made = listed.get(product["sku"]) or expect(admin.post("/products", json=product), 201)
            if product["sku"] not in listed or not target.local:
                expect(admin.put(f"/products/{made['id']}/inventory", json={"quantity": stock}), 200)
    if "retail" in systems:
        admin = Api(target, "retail").as_("admins")
        stocked = {i["sku"]: i for i in expect(admin.get("/stock", params={"limit": 100}), 200)["items"]}
        for item, opening in RETAIL_PRODUCTS:
            known = stocked.get(item["sku"])
            if known is None:
                product_id, delta = expect(admin.post("/products", json=item), 201)["id"], opening
            else:
                product_id, delta = known["product_id"], 0 if target.local else opening - known["stock"]
            if delta > 0:
                adjustment = {"product_id": product_id, "delta": delta, "reason": "opening stock"}
                expect(admin.post("/stock/adjustments", json=adjustment), 201, 200)
        expect(admin.post("/clients", json=RETAIL_CLIENT), 201, 409)
    return describe(target)


def _shown(items: list[str], total: int | None = None, most: int = 6) -> str:
    """The first ``most`` of ``items`` and how many more (of ``total``, when only the first were described)."""
    more = (total if total is not None else len(items)) - min(len(items), most)
    return ", ".join(items[:most]) + (f" and {more} more" if more > 0 else "") if items else "none"


def describe(target: Target) -> list[str]:
    """What the systems hold now, read through their APIs (one line per system): after a restart, the stock as it
    was left, not as it was seeded."""
    lines, systems = [], target.endpoints.systems
    if "moving" in systems:
        trucks = expect(Api(target, "moving").as_("employees").get("/trucks", params={"limit": 100}), 200)["items"]
        lines.append("moving: trucks " + _shown([f"{t['plate']} ({t['capacity_m3']:g} m³, {t['home_city']})"
                                                 + ("" if t["active"] else " inactive") for t in trucks]))  # fmt: skip
    if "shop" in systems:
        admin = Api(target, "shop").as_("admins")
        products, stock = expect(admin.get("/products", params={"limit": 100}), 200)["items"], []
        for product in products[:6]:
            held = expect(admin.get(f"/products/{product['id']}/inventory"), 200)
            stock.append(f"{product['sku']} ({held['available']} in stock, {held['reserved']} reserved)")
        lines.append("shop: products " + _shown(stock, total=len(products)))
    if "retail" in systems:
        admin = Api(target, "retail").as_("admins")
        levels = expect(admin.get("/stock", params={"limit": 100}), 200)["items"]
        clients = expect(admin.get("/clients", params={"limit": 100}), 200)["items"]
        lines.append("retail: products " + _shown([f"{i['sku']} ({i['stock']} in stock, minimum {i['min_stock']})"
                                                   for i in levels]) + "; clients "
                     + _shown([f"{c['name']} ({c['document_id']})" for c in clients], most=3))  # fmt: skip
    return lines


# --- the smoke run ------------------------------------------------------------------------------------------------
def moving_flow(target: Target, steps: Steps) -> None:
    api = Api(target, "moving")
    customer, employee = api.as_("customers"), api.as_("employees")
    move_body = {
        "origin": {"address": "Av. Arequipa 100", "city": "Lima"},
        "destination": {"address": "Calle Sol 5", "city": "Cusco"},
        "move_date": (date.today() + timedelta(days=30)).isoformat(),
        "volume_m3": 18,
    }
    move = expect(customer.post("/moves", json=move_body), 201)
    steps.ok(f"a customer signs in and registers move {move['id'][:8]} ({move['status']})")
    assigned = wait_for(lambda: (m := expect(customer.get(f"/moves/{move['id']}"), 200))["status"] == "TRUCK_ASSIGNED"
                        and m, "the truck assignment")  # fmt: skip
    steps.ok(f"a truck is assigned through the event flow: {assigned['truck']['plate']} (status {assigned['status']})")
    wait_for(lambda: employee.post(f"/moves/{move['id']}/positions", json={
        "lat": -12.05, "lon": -77.04, "recorded_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}
    ).status_code == 202, "the tracking session")  # fmt: skip
    tracking = expect(customer.get(f"/moves/{move['id']}/tracking"), 200)
    if not tracking.get("last_position"):
        raise StepFailed("the customer does not see the reported position")
    steps.ok(f"the driver reports a position; the customer sees it ({tracking['last_position']['lat']}, "
             f"{tracking['last_position']['lon']})")  # fmt: skip
    if target.local:
        assignment = f"Truck {assigned['truck']['plate']} will do"  # the text of the TruckAssigned notification
        notice = wait_for(lambda: inbox_message(target, "moving", "customer-notifications", assignment),
                          "the customer notification")  # fmt: skip
        steps.ok(f"a notification is sent to the customer: {notice}")
    else:
        steps.local_only("reading the customer notification off the customer-notifications topic")
    completed = expect(employee.post(f"/moves/{move['id']}/complete", json={}), 200)
    steps.ok(f"an employee completes the move ({completed['status']})")
    # The truck is free again once fleet has seen MoveCompleted: it can be booked for another move that same day.
    other = expect(customer.post("/moves", json={**move_body, "volume_m3": 5}), 201)
    wait_for(lambda: employee.post(f"/moves/{other['id']}/truck", json={"truck_id": assigned["truck"]["id"]})
             .status_code == 200, "the truck's booking to be released")  # fmt: skip
    steps.ok(f"the truck {assigned['truck']['plate']} is free again: booked for another move on the same day")
    stranger = api.as_new_user("customers")
    hidden = stranger.get(f"/moves/{move['id']}")
    if hidden.status_code != 404:
        raise StepFailed(f"another customer reading the move got {hidden.status_code}, expected 404")
    steps.ok("another customer asking for that move gets 404")
    # Completed, the other move gives its truck back: the next run (on a stack, data outlives runs) finds it free.
    wait_for(lambda: employee.post(f"/moves/{other['id']}/complete", json={}).status_code == 200, "the other move")
    steps.ok("the other move is completed too, which frees its truck")


def shop_flow(target: Target, steps: Steps) -> None:
    api = Api(target, "shop")
    anonymous = api.anonymous()
    email, password = target.new_email("signup"), "Demo-Passw0rd!2"
    signed = expect(anonymous.post("/users/signup", json={"email": email, "password": password, "name": "Demo"}), 201)
    if signed["confirmed"]:
        tokens = expect(anonymous.post("/users/login", json={"email": email, "password": password}), 200)
        steps.ok(f"a new user signs up and logs in ({email})")
    else:  # the code to confirm it is emailed: log in as an existing customer instead
        customer = next(u for u in target.endpoints.systems["shop"].users if "customers" in u.groups)
        tokens = expect(anonymous.post("/users/login", json={"email": customer.email, "password": customer.password}),
                        200)  # fmt: skip
        steps.ok(f"a new user signs up ({email}, confirmation code emailed); a customer logs in ({customer.email})")
    user = httpx.Client(base_url=anonymous.base_url, headers={"Authorization": f"Bearer {tokens['id_token']}"},
                        timeout=15)  # fmt: skip
    product = next(p for p in expect(anonymous.get("/products", params={"q": "mug"}), 200)["items"])
    steps.ok(f"the user browses the products: {product['name']} at {product['price']}")

    def order_of(quantity: int) -> dict[str, Any]:
        return {
            "items": [{"product_id": product["id"], "quantity": quantity}],
            "payment": {"method": "card", "card_last4": "4242"},
            "shipping_address": {"line1": "Av. Larco 100", "city": "Lima", "country": "PE"},
        }

    order = wait_for(lambda: (r := user.post("/orders", json=order_of(2))).status_code == 201 and r.json(),
                     "the catalog to reach orders")  # fmt: skip
    wait_for(lambda: expect(user.get(f"/orders/{order['id']}"), 200)["status"] == "CONFIRMED", "the order saga")
    steps.ok(f"the user orders 2 x {product['name']} for {order['total']}: stock reserved, order CONFIRMED")
    beyond = expect(user.post("/orders", json=order_of(1000)), 201)
    wait_for(lambda: expect(user.get(f"/orders/{beyond['id']}"), 200)["status"] == "REJECTED", "the rejection")
    steps.ok(f"an order of 1000 x {product['name']} is beyond the stock: REJECTED")
    ticket = expect(user.post("/tickets", json={"subject": "Where is my mug?", "description": "Order " + order["id"],
                                                "order_id": order["id"]}), 201)  # fmt: skip
    taken = expect(api.as_("agents").post(f"/tickets/{ticket['id']}/take", json={}), 200)
    steps.ok(f"the user opens a ticket and an agent takes it ({taken['status']})")
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    expect(anonymous.post("/users/logout", headers=bearer), 200, 204)
    refused = anonymous.post("/users/refresh", json={"refresh_token": tokens["refresh_token"]})
    if refused.status_code != 401:
        raise StepFailed(f"refresh after logout answered {refused.status_code}, expected 401")
    wait_for(lambda: user.get("/orders").status_code == 401, "the old token to be refused on GET /orders", 5.0)
    steps.ok("the user logs out; the old tokens are refused on refresh and on GET /orders (401)")


def retail_flow(target: Target, steps: Steps) -> None:
    retail = target.endpoints.systems["retail"]
    api = Api(target, "retail")
    seller = api.as_("sellers")
    if retail.site_url:
        page = httpx.get(f"{retail.site_url}/", timeout=10)
        config = expect(httpx.get(f"{retail.site_url}/config.json", timeout=10), 200)
        if "script-src 'self'" not in page.headers.get("content-security-policy", ""):
            raise StepFailed(f"the web app at {retail.site_url} is not served under the site's CSP")
        if (config.get("userPoolId"), config.get("clientId")) != (retail.user_pool_id, retail.client_id):
            raise StepFailed(f"the web app at {retail.site_url} signs in elsewhere: {config}")
        app_api = urljoin(f"{retail.site_url}/", config.get("apiUrl", "")).rstrip("/")
        with httpx.Client(base_url=app_api, headers=seller.headers, timeout=15) as app:
            expect(app.get("/stock", params={"limit": 1}), 200)
        steps.ok(f"the web app at {retail.site_url} is served under the site's CSP; its sign-in is the pool's and "
                 f"its API ({app_api}) answers")  # fmt: skip

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
    steps.ok(f"a seller signs in and sells {quantity} x ACE-1L: sale {sale['number']}, total {sale['total']}")
    after = stock_of("ACE-1L")
    if after["stock"] != oil["stock"] - quantity:
        raise StepFailed(f"stock of ACE-1L is {after['stock']}, expected {oil['stock'] - quantity}")
    steps.ok(f"the stock drops from {oil['stock']} to {after['stock']} (minimum {after['min_stock']}, "
             f"low: {after['low']})")  # fmt: skip
    if not target.local:
        steps.local_only("reading the low-stock alert off the stock-alerts topic")
        steps.local_only("running the daily report and the nightly backup now (they run on their schedules)")
        return
    alert = wait_for(lambda: inbox_message(target, "retail", "stock-alerts", "ACE-1L"), "the low-stock alert")
    steps.ok(f"the low-stock alert arrives on the stock-alerts topic: {' '.join(alert.split())}")
    zone = expect(api.as_("admins").get("/settings"), 200)["time_zone"]
    today = datetime.now(ZoneInfo(zone)).date().isoformat()  # the store's day, which its reports count in
    run_schedule(target, "retail", "reports/reports", {"kind": "daily", "period": today})
    links = expect(api.as_("admins").get(f"/reports/daily/{today}"), 200)
    csv = httpx.get(links["csv_url"], timeout=15)
    if csv.status_code != 200 or "ACE-1L" not in csv.text:
        raise StepFailed(f"the daily report download answered {csv.status_code}: {csv.text[:200]}")
    steps.ok(f"an admin runs the daily report on demand and downloads it ({len(csv.text.splitlines())} CSV lines)")
    export = run_schedule(target, "retail", "backups/nightly-export", timeout=60)
    rows = sum(export["tables"].values())
    steps.ok(f"then runs a logical backup: {export['key']} ({rows} rows in {len(export['tables'])} tables)")


FLOWS: dict[str, Callable[[Target, Steps], None]] = {
    "moving": moving_flow,
    "shop": shop_flow,
    "retail": retail_flow,
}


def run(target: Target, say: Callable[[str], None] = print) -> bool:
    """Run the flow of every system of the target; True only if every step passed."""
    passed = True
    for name, flow in FLOWS.items():
        if name not in target.endpoints.systems:
            continue
        try:
            flow(target, Steps(name, say))
        except Exception as e:  # a failed step ends its flow; the others still run
            say(f"  FAIL {name}: {e}")
            passed = False
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, required=True, help="the target's endpoints file")
    parser.add_argument("--seed", action="store_true", help="create the demo data first (as `make run` does)")
    args = parser.parse_args(argv)
    try:
        target = target_of(endpoints_file.load(args.endpoints))
        if args.seed:
            seed(target)
    except Exception as e:  # one line, whatever failed: a missing file, AWS, a seeding step
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("Smoke run:")
    passed = run(target)
    print("\nall steps passed" if passed else "\nsome steps FAILED")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
