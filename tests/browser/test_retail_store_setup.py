"""The store's first run, its details on the receipts (and on paper), and searching, in Chromium against a local
runtime of its own (this module's: the settings start unsaved, so the first-run notice shows).

The tests run in order: a seller is not asked to set the store up; an admin is, until the settings are saved with a
RUC and an address, which then head every receipt. The demo data is local/demo.py's (Arroz 1 kg, Aceite 1 L with 6 in
stock and a minimum of 5, Leche 1 L; the client Cliente Demo). Screenshots go to .artifacts/browser/.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime
from tests.browser.steps import ADMIN, SELLER, SOLD_SKU, Shot, add_to_cart, go, pay, signed_in

VALID_RUC = "20100070970"
BAD_RUC = "20100070971"  # the check digit of 2010007097 is 0
ADDRESS = "Av. Arequipa 1234, Lince, Lima"


def test_a_seller_is_not_asked_to_set_up_the_store(page: Page, runtime: LocalRuntime):
    signed_in(page, runtime, SELLER)
    expect(page.get_by_test_id("cart")).to_be_visible()  # a seller starts at the till
    expect(page.get_by_test_id("setup-notice")).to_be_hidden()


def test_an_admin_sets_up_the_store_and_its_details_head_the_printed_receipt(
    page: Page, runtime: LocalRuntime, screenshot: Shot
):
    signed_in(page, runtime, ADMIN)
    notice = page.get_by_test_id("setup-notice")
    expect(notice.get_by_role("heading", name="Set up your store")).to_be_visible()
    screenshot(page, "09-first-run-notice")

    # the notice leads to the settings, which show the Peruvian defaults
    notice.get_by_role("link", name="Open settings").click()
    form = page.locator("#settings-form")
    expect(form.get_by_label("Store name")).to_have_value("Mi tienda")
    expect(form.get_by_label("Store language")).to_have_value("es-PE")
    expect(form.get_by_label("Time zone")).to_have_value("America/Lima")
    expect(form.get_by_label("RUC")).to_have_value("")

    # a RUC whose check digit is wrong: the API's field error, next to the RUC field; nothing saved
    form.get_by_label("Store name").fill("Bodega Lince")
    form.get_by_label("RUC").fill(BAD_RUC)
    form.get_by_label("Address").fill(ADDRESS)
    form.get_by_role("button", name="Save settings").click()
    error = page.get_by_test_id("field-error-ruc")
    expect(error).to_contain_text("check digit")
    ruc = form.get_by_label("RUC")
    expect(ruc).to_have_attribute("aria-invalid", "true")
    expect(ruc).to_have_accessible_description(re.compile("check digit"))
    # next to the field: right after the RUC's label
    assert error.evaluate("(el) => el.previousElementSibling.contains(document.querySelector('[name=ruc]'))")
    expect(page.get_by_test_id("settings-message")).to_be_visible()
    expect(notice).to_be_visible()
    expect(page.get_by_test_id("store-name")).to_have_text("Mi tienda")
    screenshot(page, "10-settings-invalid-ruc")

    # the right RUC: saved, the field error and the first-run notice gone
    form.get_by_label("RUC").fill(VALID_RUC)
    form.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("settings-message")).to_have_text("Settings saved.")
    expect(error).to_have_count(0)
    expect(ruc).not_to_have_attribute("aria-invalid", "true")
    expect(notice).to_be_hidden()
    expect(page.get_by_test_id("store-name")).to_have_text("Bodega Lince")
    screenshot(page, "11-settings-saved")
    page.reload()
    expect(page.get_by_test_id("store-name")).to_have_text("Bodega Lince")
    expect(form.get_by_label("RUC")).to_have_value(VALID_RUC)
    expect(form.get_by_label("Address")).to_have_value(ADDRESS)
    expect(notice).to_be_hidden()

    # a sale's receipt is headed by the store's name, RUC and address, and can be printed
    go(page, "pos")
    add_to_cart(page, SOLD_SKU, 1)
    pay(page)
    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_test_id("receipt-store-name")).to_have_text("Bodega Lince")
    expect(receipt.get_by_test_id("receipt-ruc")).to_have_text(f"RUC {VALID_RUC}")
    expect(receipt.get_by_test_id("receipt-address")).to_have_text(ADDRESS)
    # 4.50 + 18% (0.81) = 5.31
    expect(receipt.get_by_test_id("receipt-total")).to_have_text("PEN 5.31")
    expect(receipt.get_by_role("button", name="Print")).to_be_visible()
    screenshot(page, "12-receipt-with-store")

    # on paper: the receipt alone (no header, navigation, screen title or buttons), ticket-wide
    page.emulate_media(media="print")
    expect(page.get_by_test_id("nav")).to_be_hidden()
    expect(page.get_by_test_id("store-name")).to_be_hidden()
    expect(page.get_by_role("heading", name="Point of sale")).to_be_hidden()
    expect(receipt).to_be_visible()
    expect(receipt.get_by_test_id("receipt-ruc")).to_be_visible()
    expect(receipt.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("button", name="New sale")).to_be_hidden()
    box = receipt.bounding_box()
    assert box is not None
    assert 250 <= box["width"] <= 310, f"the receipt is {box['width']}px wide, not about 72 mm (272px)"
    screenshot(page, "13-receipt-print")
    page.emulate_media(media="screen")
    expect(page.get_by_test_id("nav")).to_be_visible()

    # the same from the sales list, which also filters by status
    go(page, "sales")
    rows = page.locator("[data-testid^=sale-row-]")
    expect(rows).to_have_count(1)
    page.get_by_label("Status").select_option(label="Voided")
    expect(page.get_by_test_id("sales-table")).to_contain_text("No voided sales in these days.")
    expect(rows).to_have_count(0)
    page.get_by_label("Status").select_option(label="Completed")
    expect(rows).to_have_count(1)
    rows.get_by_role("button", name=re.compile("^Receipt of sale")).click()
    dialog = page.get_by_role("dialog", name="Receipt")
    expect(dialog.get_by_test_id("receipt-ruc")).to_have_text(f"RUC {VALID_RUC}")
    page.emulate_media(media="print")
    expect(dialog.get_by_test_id("receipt")).to_be_visible()
    expect(page.get_by_test_id("sales-table")).to_be_hidden()
    expect(dialog.get_by_role("button", name="Close")).to_be_hidden()
    page.emulate_media(media="screen")


def test_products_and_clients_are_searched_and_low_stock_shown_alone(
    page: Page, runtime: LocalRuntime, screenshot: Shot
):
    signed_in(page, runtime, ADMIN)
    go(page, "products")
    rows = page.locator("[data-testid^=product-row-]")
    expect(rows).to_have_count(3)

    # part of a name, in another case
    search = page.get_by_label("Search products")
    search.fill("ARRO")
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id(f"product-row-{SOLD_SKU}")).to_contain_text("Arroz 1 kg")
    search.fill("1 l")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("product-row-ACE-1L")).to_be_visible()
    expect(page.get_by_test_id("product-row-LEC-1L")).to_be_visible()
    screenshot(page, "14-products-search")

    # nothing matches: an empty state naming the search
    search.fill("quinua")
    expect(rows).to_have_count(0)
    expect(page.get_by_test_id("products-table")).to_contain_text("No products match “quinua”.")
    screenshot(page, "15-products-no-match")

    # low stock only: none, until Aceite goes below its minimum of 5
    search.fill("")
    expect(rows).to_have_count(3)
    low = page.get_by_label("Low stock only")
    low.check()
    expect(rows).to_have_count(0)
    expect(page.get_by_test_id("products-table")).to_contain_text("No product is low on stock.")
    low.uncheck()
    row = page.get_by_test_id("product-row-ACE-1L")
    row.get_by_role("button", name="Adjust stock of ACE-1L").click()
    adjust = page.get_by_role("dialog", name="Adjust stock")
    adjust.get_by_label("Change in units").fill("-2")
    adjust.get_by_label("Reason").fill("broken bottles")
    adjust.get_by_role("button", name="Record adjustment").click()
    expect(row.get_by_test_id("low-badge")).to_be_visible()
    low.check()
    expect(rows).to_have_count(1)
    expect(row.get_by_test_id("stock")).to_have_text("4")
    search.fill("leche")
    expect(page.get_by_test_id("products-table")).to_contain_text("No low-stock products match “leche”.")

    # clients: by part of a name; the empty state
    go(page, "clients")
    clients = page.locator("[data-testid^=client-row-]")
    expect(clients).to_have_count(1)
    client_search = page.get_by_label("Search clients")
    client_search.fill("demo")
    expect(clients).to_have_count(1)
    client_search.fill("nadie")
    expect(clients).to_have_count(0)
    expect(page.get_by_test_id("clients-table")).to_contain_text("No clients match “nadie”.")
