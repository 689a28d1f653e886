"""The retail web app as the store's staff use it, in Chromium against the local runtime (real Cognito tokens from
moto, the real gateway, handlers and SQLite), under the same CSP as in the cloud.

The demo data (local/demo.py) has ARZ-1KG (40 in stock), ACE-1L, LEC-1L and the client Cliente Demo; the store keeps
its Peruvian defaults (Mi tienda, PEN, 18% IGV on top of the prices) until an admin changes them. The browser's locale
is en-US and each user picks English (the store's language is Spanish), so amounts read "PEN 9.00". Screenshots of
the key steps go to .artifacts/browser/.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from local.demo import Api, runtime_target
from local.runtime import LocalRuntime
from tests.browser.conftest import PageFactory
from tests.browser.steps import (
    ADMIN,
    SELLER,
    SOLD_SKU,
    WAREHOUSE,
    Shot,
    add_to_cart,
    go,
    open_app,
    pay,
    say,
    sign_in,
    signed_in,
    stock_cell,
)

NEW_SKU = "WEB-TEA-250"


def test_a_wrong_password_is_refused_with_a_readable_message(page: Page, runtime: LocalRuntime, screenshot: Shot):
    open_app(page, runtime)
    sign_in(page, SELLER, "Not-The-Passw0rd!")
    message = page.get_by_test_id("signin-message")
    expect(message).to_have_text("Incorrect email or password.")
    expect(page.get_by_test_id("nav")).to_be_hidden()
    screenshot(page, "01-wrong-password")


def test_a_browser_in_spanish_gets_the_sign_in_in_spanish_and_a_user_keeps_the_language_chosen(
    new_page: PageFactory, runtime: LocalRuntime
):
    spanish = new_page(locale="es-PE")
    open_app(spanish, runtime)
    expect(spanish.locator("html")).to_have_attribute("lang", "es-PE")
    expect(spanish.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    sign_in(spanish, WAREHOUSE, "Not-The-Passw0rd!")
    expect(spanish.get_by_test_id("signin-message")).to_have_text("Correo o contraseña incorrectos.")

    # the warehouse user chooses English: kept by the API, so another browser in Spanish follows it after sign-in
    sign_in(spanish, WAREHOUSE)
    expect(spanish.get_by_role("heading", name="Productos y stock")).to_be_visible()  # the store's language
    spanish.get_by_test_id("language").select_option("en")
    expect(spanish.locator("html")).to_have_attribute("lang", "en")
    expect(spanish.get_by_test_id("nav-products")).to_have_text("Products & stock")
    expect(spanish.get_by_role("heading", name="Products & stock")).to_be_visible()
    other = new_page(locale="es-PE")
    open_app(other, runtime)
    expect(other.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    sign_in(other, WAREHOUSE)
    expect(other.locator("html")).to_have_attribute("lang", "en")
    expect(other.get_by_test_id("nav-products")).to_have_text("Products & stock")

    # a language picked on the sign-in screen becomes the user's own when they sign in
    third = new_page(locale="es-PE")
    open_app(third, runtime)
    third.get_by_test_id("language").select_option("en")
    expect(third.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(third, SELLER)
    expect(third.get_by_role("heading", name="Point of sale")).to_be_visible()
    with Api(runtime_target(runtime), "retail").as_("sellers") as seller:  # the demo seller, through the API
        assert seller.get("/preferences").json() == {"language": "en"}


def test_a_seller_sells_sees_the_stock_drop_and_no_admin_actions(page: Page, runtime: LocalRuntime, screenshot: Shot):
    signed_in(page, runtime, SELLER)
    cell = stock_cell(page, SOLD_SKU)
    expect(cell).to_have_text(re.compile(r"^\d+$"))
    before = int(cell.inner_text())
    screenshot(page, "02-seller-products")

    # no admin actions: product editing, stock adjustments, settings
    expect(page.get_by_test_id("product-new")).to_be_hidden()
    for action in ("product-edit", "product-delete", "product-adjust"):
        expect(page.get_by_test_id(action)).to_have_count(0)
    expect(page.get_by_test_id("nav-settings")).to_be_hidden()

    # sell 2 units, to a client, by card
    go(page, "pos")
    add_to_cart(page, SOLD_SKU, 2)
    page.get_by_label("Client (optional)").select_option(label="Cliente Demo (45871236)")
    page.get_by_label("Payment method").select_option("card")
    pay(page)
    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_test_id("receipt-number")).to_have_text(re.compile(r"^S-\d{6}$"))
    expect(receipt.get_by_test_id(f"receipt-item-{SOLD_SKU}")).to_contain_text("2")
    # 2 × 4.50 = 9.00; IGV 18% of 9.00 = 1.62; 9.00 + 1.62 = 10.62
    expect(receipt.get_by_test_id("receipt-subtotal")).to_have_text("PEN 9.00")
    expect(receipt.get_by_test_id("receipt-tax")).to_have_text("PEN 1.62")
    expect(receipt.get_by_test_id("receipt-total")).to_have_text("PEN 10.62")
    expect(receipt).to_contain_text("Cliente Demo")
    screenshot(page, "03-seller-receipt")

    # the products screen shows the stock 2 lower
    expect(stock_cell(page, SOLD_SKU)).to_have_text(str(before - 2))

    # more than the stock: the API's 409, naming the product, as a sentence
    go(page, "pos")
    page.get_by_role("button", name="New sale").click()
    add_to_cart(page, SOLD_SKU, before - 2 + 1)
    pay(page)
    message = page.get_by_test_id("pos-message")
    expect(message).to_contain_text(f"Not enough stock of {SOLD_SKU} (Arroz 1 kg)")
    expect(message).to_contain_text(f"{before - 1} requested, {before - 2} in stock")
    expect(message).not_to_contain_text("{")
    expect(page.get_by_test_id("receipt")).to_be_hidden()
    screenshot(page, "04-seller-insufficient-stock")

    # the sale is listed without a void action; clients can be edited, not deleted
    go(page, "sales")
    expect(page.locator("[data-testid^=sale-row-]")).to_have_count(1)
    expect(page.get_by_test_id("sale-void")).to_have_count(0)
    go(page, "clients")
    expect(page.get_by_test_id("client-row-45871236").get_by_test_id("client-edit")).to_be_visible()
    expect(page.get_by_test_id("client-delete")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("signin-message")).to_have_text("You have signed out.")
    expect(page.get_by_test_id("nav")).to_be_hidden()


def test_an_admin_adds_a_product_stocks_it_sells_it_and_sees_it_in_the_report(
    page: Page, runtime: LocalRuntime, screenshot: Shot
):
    signed_in(page, runtime, ADMIN)
    expect(page.get_by_test_id("nav-settings")).to_be_visible()
    go(page, "products")

    # a new product starts with no stock: below its minimum, so "low"
    page.get_by_role("button", name="New product").click()
    form = page.get_by_role("dialog", name="New product")
    form.get_by_label("SKU").fill(NEW_SKU)
    form.get_by_label("Name").fill("Green tea 250 g")
    form.get_by_label("Category").fill("drinks")
    form.get_by_label("Price").fill("12.50")
    form.get_by_label("Minimum stock").fill("3")
    form.get_by_role("button", name="Save product").click()
    row = page.get_by_test_id(f"product-row-{NEW_SKU}")
    expect(row.get_by_test_id("stock")).to_have_text("0")
    expect(row.get_by_test_id("low-badge")).to_be_visible()

    # an admin may adjust the stock; the movement shows in the product's history
    row.get_by_role("button", name=f"Adjust stock of {NEW_SKU}").click()
    form = page.get_by_role("dialog", name="Adjust stock")
    form.get_by_label("Change in units").fill("10")
    form.get_by_label("Reason").fill("first delivery")
    form.get_by_role("button", name="Record adjustment").click()
    expect(page.get_by_test_id("products-message")).to_have_text(f"Stock of {NEW_SKU} is now 10 units.")
    expect(row.get_by_test_id("stock")).to_have_text("10")
    expect(row.get_by_test_id("low-badge")).to_have_count(0)
    screenshot(page, "05-admin-products")
    row.get_by_role("button", name=f"Stock movements of {NEW_SKU}").click()
    expect(page.get_by_test_id("movement-row")).to_have_count(1)
    expect(page.get_by_test_id("movement-row")).to_contain_text("+10")
    expect(page.get_by_test_id("movement-row")).to_contain_text("first delivery")
    page.get_by_role("dialog", name=f"Stock movements of {NEW_SKU}").get_by_role("button", name="Close").click()

    # sell one
    go(page, "pos")
    add_to_cart(page, NEW_SKU, 1)
    pay(page)
    # 12.50 + 18% (2.25) = 14.75
    expect(page.get_by_test_id("receipt").get_by_test_id("receipt-total")).to_have_text("PEN 14.75")

    # the report has it among the top products, and today's bar in the chart
    go(page, "reports")
    top = page.get_by_test_id(f"top-product-{NEW_SKU}")
    expect(top).to_contain_text("Green tea 250 g")
    expect(top).to_contain_text("PEN 12.50")  # before tax
    bars = page.get_by_test_id("report-chart").get_by_test_id("chart-bar")
    expect(bars).to_have_count(7)
    today = datetime.now(ZoneInfo("America/Lima")).date().isoformat()  # the store's day, which reports count
    assert float(bars.and_(page.locator(f"[data-key='{today}']")).get_attribute("height") or 0) > 0
    screenshot(page, "06-admin-report")

    # settings: the store's name shows in the header
    go(page, "settings")
    name = page.get_by_label("Store name")
    expect(name).to_have_value("Mi tienda")
    name.fill("Corner Store")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("settings-message")).to_have_text("Settings saved.")
    expect(page.get_by_test_id("store-name")).to_have_text("Corner Store")
    screenshot(page, "07-admin-settings")


def test_warehouse_adjusts_stock_without_a_till_and_an_expired_session_asks_to_sign_in(
    page: Page, runtime: LocalRuntime, screenshot: Shot
):
    signed_in(page, runtime, WAREHOUSE)
    # warehouse staff start at the stock
    expect(page.get_by_role("heading", name="Products & stock")).to_be_visible()
    expect(page.get_by_test_id("nav-pos")).to_be_hidden()
    expect(page.get_by_test_id("nav-reports")).to_be_hidden()
    expect(page.get_by_test_id("product-adjust").first).to_be_visible()
    expect(page.get_by_test_id("product-edit")).to_have_count(0)
    screenshot(page, "08-warehouse-products")

    # a token the API no longer accepts: back to sign-in with a message
    page.evaluate(
        """() => {
          const session = JSON.parse(sessionStorage.getItem("retail.session"));
          session.idToken = session.idToken.slice(0, -4) + "AAAA";
          sessionStorage.setItem("retail.session", JSON.stringify(session));
        }"""
    )
    page.reload()
    expect(page.get_by_test_id("signin-message")).to_have_text("Your session has expired. Please sign in again.")
    expect(page.get_by_test_id("nav")).to_be_hidden()


def test_a_quantity_typed_at_the_till_survives_the_results_being_drawn_again(page: Page, runtime: LocalRuntime):
    signed_in(page, runtime, SELLER)
    go(page, "pos")
    search = page.get_by_label(say(page, "pos.search"))

    def quantity() -> Locator:
        row = page.get_by_test_id(f"pos-result-{SOLD_SKU}")
        return row.get_by_label(say(page, "pos.quantityOf", sku=SOLD_SKU), exact=True)

    search.fill(SOLD_SKU[:3])
    quantity().fill("3")
    search.fill(SOLD_SKU)  # the rows are drawn again, as when the till's data arrives after the typing
    expect(quantity()).to_have_value("3")
    add = say(page, "pos.addOf", sku=SOLD_SKU)
    page.get_by_test_id(f"pos-result-{SOLD_SKU}").get_by_role("button", name=add).click()
    expect(page.get_by_test_id(f"cart-row-{SOLD_SKU}").get_by_test_id("cart-qty")).to_have_value("3")
    expect(quantity()).to_have_value("1")  # ready for the next product
