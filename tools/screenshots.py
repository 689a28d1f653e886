"""The README's two pictures of the store's web app, taken offline: a seller's point of sale on a phone in Spanish and
an admin's home screen on a desktop in English.

    python -m tools.screenshots            # writes docs/images/retail-phone-es.jpg and retail-desktop-en.jpg

It starts the retail system on the local runtime with the demo data, names the store, records a few sales so that the
screens have something to show, and photographs the window (not the whole page) as JPEG, to keep the images small.
Needs Chromium (Debian's, or $CHROMIUM).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from local.cognito import DEMO_PASSWORD
from local.runtime import LocalRuntime, throwaway_runtime

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
QUALITY = 70
STORE = "Market Carmensita"


def signed_in(page: Page, url: str, email: str, language: str) -> None:
    page.goto(url)
    page.get_by_test_id("signin-email").fill(email)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.locator("main > .view:not([hidden]):not(#view-signin)").wait_for()  # signed in, in the store's language
    if page.evaluate("document.documentElement.lang") != language:
        if page.get_by_test_id("menu-toggle").is_visible():
            page.get_by_test_id("menu-toggle").click()
        page.get_by_test_id("language").select_option(language)
        page.locator(f"html[lang={language}]").wait_for(state="attached")
    page.wait_for_load_state("networkidle")


def sell(page: Page, sku: str, quantity: int) -> None:
    """One sale at the point of sale, then back to an empty till."""
    page.get_by_test_id("pos-search").fill(sku)
    row = page.get_by_test_id(f"pos-result-{sku}")
    row.get_by_test_id("pos-qty").fill(str(quantity))
    row.get_by_test_id("pos-add").click()
    page.get_by_test_id("pos-pay").click()
    page.get_by_test_id("pos-next").click()


def admin_home(page: Page, url: str) -> None:
    """An admin names the store (so the first-run notice goes), then opens their home screen."""
    signed_in(page, f"{url}#/settings", "admin@retail.local", "en")
    page.get_by_test_id("settings-store-name").fill(STORE)
    page.get_by_test_id("settings-save").click()
    page.get_by_test_id("setup-notice").wait_for(state="hidden")
    page.goto(f"{url}#/home")
    page.get_by_test_id("home-chart").locator("svg").wait_for()
    page.wait_for_load_state("networkidle")


def take(runtime: LocalRuntime, chromium: str) -> list[Path]:
    url = runtime.systems["retail"].site_url
    if url is None:
        raise RuntimeError("the retail system started without its web app")
    phone_image, desktop_image = IMAGES / "retail-phone-es.jpg", IMAGES / "retail-desktop-en.jpg"
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        phone = browser.new_context(viewport={"width": 375, "height": 740}, locale="es-PE").new_page()
        signed_in(phone, f"{url}#/pos", "seller@retail.local", "es-PE")
        phone.get_by_test_id("pos-add").first.wait_for()
        for sku, quantity in (("ARZ-1KG", 2), ("LEC-1L", 3), ("ACE-1L", 1)):
            sell(phone, sku, quantity)
        desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US").new_page()
        admin_home(desktop, url)
        desktop.screenshot(path=desktop_image, type="jpeg", quality=QUALITY)
        phone.reload()  # the store's new name
        phone.get_by_test_id("pos-search").fill("1")
        phone.get_by_test_id("pos-result-ARZ-1KG").get_by_test_id("pos-add").click()
        phone.screenshot(path=phone_image, type="jpeg", quality=QUALITY)
        browser.close()
    return [phone_image, desktop_image]


def main() -> int:
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        print(f"Chromium not found at {chromium}: install Debian's chromium or set CHROMIUM", file=sys.stderr)
        return 1
    print("starting the retail system offline…", flush=True)
    with throwaway_runtime(("retail",)) as runtime:
        for image in take(runtime, chromium):
            print(f"wrote {image.relative_to(IMAGES.parent.parent)} ({image.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
