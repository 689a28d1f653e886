"""Each role's day at the store, in Spanish on a phone (375 px) and in English on a desktop, in Chromium against the
local runtime: sign-in, the role's home screen, a sale with its printed receipt, a stock adjustment, a report
generated and downloaded, and the settings, as far as the role may go.

Every screen passes axe (no serious or critical violation) and has no sideways scroll; any console error, page error
or CSP violation fails the test (conftest.py). Screenshots of every screen go to .artifacts/browser/journey-*.png.
The labels come from the app's catalogues (tests/browser/steps.py); a few Spanish words and formats are also written
out here, so that a wrong catalogue cannot pass unnoticed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PageFactory
from tests.browser.steps import (
    ADMIN,
    SELLER,
    SOLD_SKU,
    WAREHOUSE,
    Shot,
    add_to_cart,
    go,
    no_sideways_scroll,
    open_app,
    pay,
    say,
    sign_in,
    signed_in,
)

LOOKS = {"es-PE": ("es-PE", 375, 812), "en": ("en-US", 1280, 900)}  # language → browser locale and window
CURRENCY = {"es-PE": "S/", "en": "PEN"}  # how each language writes soles
LOW_SKU = "ACE-1L"  # 6 in stock, minimum 5


def checked(page: Page, screenshot: Shot, name: str) -> None:
    """The screen as it is now: accessible, no sideways scroll, and photographed."""
    expect(page.locator("tr.loading")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert_accessible(page, name)
    no_sideways_scroll(page, name)
    screenshot(page, f"journey-{name}")


def store_day(days_ago: int = 0) -> str:
    return (datetime.now(ZoneInfo("America/Lima")) - timedelta(days=days_ago)).date().isoformat()


def started(new_page: PageFactory, runtime: LocalRuntime, screenshot: Shot, language: str, user: str) -> Page:
    locale, width, height = LOOKS[language]
    page = new_page(locale, width, height)
    open_app(page, runtime)
    expect(page.locator("html")).to_have_attribute("lang", language)  # the browser's language, before sign-in
    checked(page, screenshot, f"{language}-signin")
    signed_in(page, runtime, user, language)
    return page


def sell_one_and_print(page: Page, screenshot: Shot, name: str, language: str) -> str:
    """Sells one ARZ-1KG (4.50 + 18% IGV = 5.31) and checks the receipt on screen and on paper; its number."""
    go(page, "pos")
    add_to_cart(page, SOLD_SKU, 1)
    expect(page.get_by_test_id("cart-status")).to_have_text(say(page, "pos.added", count=1, name="Arroz 1 kg"))
    pay(page)
    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_test_id("receipt-total")).to_have_text(f"{CURRENCY[language]} 5.31")
    checked(page, screenshot, f"{name}-receipt")
    page.emulate_media(media="print")
    expect(receipt).to_be_visible()
    expect(page.get_by_test_id("nav")).to_be_hidden()
    expect(receipt.get_by_role("button", name=say(page, "receipt.print"))).to_be_hidden()
    screenshot(page, f"journey-{name}-receipt-print")
    page.emulate_media(media="screen")
    return receipt.get_by_test_id("receipt-number").inner_text()


def adjust(page: Page, sku: str, delta: int, reason: str) -> int:
    """Records a stock adjustment from the products screen; the stock after it."""
    go(page, "products")
    row = page.get_by_test_id(f"product-row-{sku}")
    before = int(row.get_by_test_id("stock").inner_text())
    row.get_by_role("button", name=say(page, "adjust.of", sku=sku)).click()
    form = page.get_by_role("dialog", name=say(page, "adjust.title"))
    form.get_by_label(say(page, "adjust.delta")).fill(str(delta))
    form.get_by_label(say(page, "adjust.reason")).fill(reason)
    form.get_by_role("button", name=say(page, "adjust.save")).click()
    after = before + delta
    expect(page.get_by_test_id("products-message")).to_have_text(say(page, "adjust.done", sku=sku, count=after))
    expect(row.get_by_test_id("stock")).to_have_text(str(after))
    return after


@pytest.mark.parametrize("language", LOOKS)
def test_an_admin_runs_the_store(new_page: PageFactory, runtime: LocalRuntime, screenshot: Shot, language: str):
    page = started(new_page, runtime, screenshot, language, ADMIN)
    name = f"{language}-admin"

    # home: today against yesterday, the last days' chart
    expect(page.locator("#view-home")).to_be_visible()
    expect(page.get_by_test_id("home-chart").get_by_test_id("chart-bar")).to_have_count(7)
    checked(page, screenshot, f"{name}-home")

    # a price typed the way the language writes it; a stock adjustment
    go(page, "products")
    row = page.get_by_test_id(f"product-row-{LOW_SKU}")
    row.get_by_role("button", name=say(page, "action.editOf", what=LOW_SKU)).click()
    form = page.get_by_role("dialog", name=say(page, "action.editOf", what=LOW_SKU))
    form.get_by_label(say(page, "col.price"), exact=True).fill("9,95" if language == "es-PE" else "9.95")
    form.get_by_role("button", name=say(page, "products.save")).click()
    expect(page.get_by_test_id("products-message")).to_have_text(say(page, "products.saved", sku=LOW_SKU))
    expect(row).to_contain_text(f"{CURRENCY[language]} 9.95")
    adjust(page, SOLD_SKU, 5, "entrega" if language == "es-PE" else "delivery")
    checked(page, screenshot, f"{name}-products")

    number = sell_one_and_print(page, screenshot, name, language)
    go(page, "home")
    expect(page.get_by_test_id("home-recent")).to_contain_text(number)

    # yesterday's daily report, generated now and downloaded
    go(page, "reports")
    period = page.get_by_test_id(f"report-period-{store_day(1)}")
    period.get_by_test_id("report-generate").click()
    expect(period.get_by_test_id("report-state")).to_have_text(say(page, "files.ready"))
    csv = period.get_by_test_id("report-csv")
    expect(csv).to_be_visible()
    download = page.request.get(csv.get_attribute("href") or "")
    assert download.ok, f"the CSV link answered {download.status}"
    assert download.text().startswith("product_id,sku,name,sales,units,total"), download.text()[:80]
    checked(page, screenshot, f"{name}-reports")

    # settings: a RUC whose check digit is wrong is refused in the user's words, from the API's code; the tax rate
    # typed with a decimal comma in Spanish
    go(page, "settings")
    settings = page.locator("#settings-form")
    save = settings.get_by_role("button", name=say(page, "settings.save"))
    settings.get_by_label(say(page, "settings.storeName")).fill("Market Carmensita")
    settings.get_by_label(say(page, "settings.ruc")).fill("20100070971")
    save.click()
    expect(page.get_by_test_id("field-error-ruc")).to_have_text(say(page, "field.invalid_ruc"))
    expect(page.get_by_test_id("settings-message")).to_have_text(say(page, "error.invalid_request", fields="RUC"))
    settings.get_by_label(say(page, "settings.ruc")).fill("20100070970")
    settings.get_by_label(say(page, "settings.taxRate")).fill("0,18" if language == "es-PE" else "0.18")
    save.click()
    expect(page.get_by_test_id("settings-message")).to_have_text(say(page, "settings.saved"))
    expect(page.get_by_test_id("store-name")).to_have_text("Market Carmensita")
    checked(page, screenshot, f"{name}-settings")
    if language == "es-PE":  # written out once: the catalogue is Spanish indeed
        expect(page.get_by_test_id("settings-message")).to_have_text("Configuración guardada.")


@pytest.mark.parametrize("language", LOOKS)
def test_a_seller_starts_at_the_till(new_page: PageFactory, runtime: LocalRuntime, screenshot: Shot, language: str):
    page = started(new_page, runtime, screenshot, language, SELLER)
    name = f"{language}-seller"
    expect(page.locator("#view-pos")).to_be_visible()  # a seller's home
    checked(page, screenshot, f"{name}-home")
    if language == "es-PE":
        expect(page.get_by_role("button", name="Cobrar", exact=True)).to_be_visible()

    sell_one_and_print(page, screenshot, name, language)

    # more than the stock: the API's 409 in the user's words, built from its code and params
    page.get_by_test_id("pos-next").click()
    stock = int(page.get_by_test_id(f"pos-result-{SOLD_SKU}").locator("td").nth(3).inner_text())
    add_to_cart(page, SOLD_SKU, stock + 1)
    pay(page)
    refusal = say(page, "error.out_of_stock", sku=SOLD_SKU, name="Arroz 1 kg", requested=stock + 1, stock=stock)
    expect(page.get_by_test_id("pos-message")).to_have_text(refusal)
    if language == "es-PE":
        expect(page.get_by_test_id("pos-message")).to_contain_text("No hay stock suficiente de ARZ-1KG")
    page.get_by_role("button", name=say(page, "pos.removeOf", sku=SOLD_SKU)).click()

    # no stock adjustments, automatic report files or settings for a seller
    go(page, "products")
    expect(page.get_by_test_id("product-adjust")).to_have_count(0)
    checked(page, screenshot, f"{name}-products")
    go(page, "reports")
    expect(page.get_by_test_id("report-total")).to_be_visible()
    expect(page.get_by_test_id("files-table")).to_be_hidden()
    checked(page, screenshot, f"{name}-reports")
    expect(page.get_by_test_id("nav-settings")).to_be_hidden()


@pytest.mark.parametrize("language", LOOKS)
def test_the_warehouse_starts_at_the_stock_low_items_first(new_page: PageFactory, runtime: LocalRuntime,
                                                           screenshot: Shot, language: str):  # fmt: skip
    page = started(new_page, runtime, screenshot, language, WAREHOUSE)
    name = f"{language}-warehouse"
    expect(page.locator("#view-products")).to_be_visible()  # the warehouse's home
    checked(page, screenshot, f"{name}-home")

    # below its minimum, a product goes to the top of the list, marked low
    stock = adjust(page, LOW_SKU, -2, "rotura" if language == "es-PE" else "breakage")
    assert stock < 5
    first = page.locator("[data-testid^=product-row-]").first
    expect(first).to_have_attribute("data-testid", f"product-row-{LOW_SKU}")
    expect(first.get_by_test_id("low-badge")).to_have_text(say(page, "products.low"))
    checked(page, screenshot, f"{name}-products")
    for screen in ("pos", "sales", "reports", "settings"):
        expect(page.get_by_test_id(f"nav-{screen}")).to_have_count(1)
        expect(page.get_by_test_id(f"nav-{screen}")).to_be_hidden()

    # signing out keeps the language shown
    if page.get_by_test_id("menu-toggle").is_visible():
        page.get_by_test_id("menu-toggle").click()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signin-message")).to_have_text(say(page, "signin.signedOut"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    sign_in(page, WAREHOUSE)
    expect(page.locator("#view-products")).to_be_visible()
