"""Steps the browser tests share: open the app, sign in, choose a language, fill a cart and pay.

Labels are looked up in the app's own catalogues (site/locales), so a step works in either language and a screen that
shows another language's words fails to match.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from local.cognito import DEMO_PASSWORD
from local.runtime import LocalRuntime

LOCALES = Path(__file__).resolve().parents[2] / "site" / "locales"
SELLER, ADMIN, WAREHOUSE = "seller@retail.local", "admin@retail.local", "warehouse@retail.local"
SOLD_SKU = "ARZ-1KG"  # 40 in stock, 4.50 each

Shot = Callable[[Page, str], Any]


@functools.cache
def words(language: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((LOCALES / f"{language}.json").read_text("utf-8"))
    return loaded


def say(page: Page, key: str, **params: Any) -> str:
    """The text of `key` in the language the page shows now, with its {placeholders} filled."""
    entry = words(page.evaluate("document.documentElement.lang"))[key]
    if isinstance(entry, dict):
        entry = entry["one" if params.get("count") == 1 else "other"]
    return str(entry).format(**params)


def open_app(page: Page, runtime: LocalRuntime) -> None:
    page.goto(runtime.systems["retail"].site_url)
    expect(page.get_by_test_id("signin-submit")).to_be_visible()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    form = page.get_by_role("region", name=say(page, "signin.title"))
    form.get_by_label(say(page, "signin.email")).fill(email)
    form.get_by_label(say(page, "signin.password")).fill(password)
    form.get_by_role("button", name=say(page, "signin.submit")).click()


def choose_language(page: Page, language: str) -> None:
    """Switches with the header's language switch (in the folded menu on a phone); the API keeps the choice."""
    if page.evaluate("document.documentElement.lang") == language:
        return
    toggle = page.get_by_test_id("menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    page.get_by_test_id("language").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)


def signed_in(page: Page, runtime: LocalRuntime, email: str, language: str = "en") -> None:
    """Signed in as `email`, with the app in `language` (chosen by the user when the store's is another)."""
    open_app(page, runtime)
    sign_in(page, email)
    expect(page.get_by_test_id("user-name")).to_contain_text(email)  # folded away on a phone, still there
    expect(page.locator("main > .view:not([hidden]):not(#view-signin)")).to_have_count(1)
    choose_language(page, language)


def go(page: Page, screen: str) -> None:
    """Opens a screen from the menu (unfolding it first on a phone)."""
    toggle = page.get_by_test_id("menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    page.get_by_test_id(f"nav-{screen}").click()
    expect(page.locator(f"#view-{screen}")).to_be_visible()


# Boxes on show that are wider than their frame: the page's, a screen's, a panel's (the chart scrolls on purpose)
SIDEWAYS = """() => [document.documentElement, ...document.querySelectorAll("main .view, main .panel")]
  .filter((el) => el.offsetParent !== null || el === document.documentElement)
  .filter((el) => el.scrollWidth - el.clientWidth > 1)
  .map((el) => `${el.id || el.className || el.tagName} by ${el.scrollWidth - el.clientWidth} px`)"""


def no_sideways_scroll(page: Page, screen: str) -> None:
    """Neither the page nor any screen or panel on show scrolls sideways."""
    wide = page.evaluate(SIDEWAYS)
    assert not wide, f"{screen}: scrolls sideways: {', '.join(wide)}"


def stock_cell(page: Page, sku: str) -> Any:
    go(page, "products")
    return page.get_by_test_id(f"product-row-{sku}").get_by_test_id("stock")


def add_to_cart(page: Page, sku: str, quantity: int) -> None:
    page.get_by_label(say(page, "pos.search")).fill(sku)
    result = page.get_by_test_id(f"pos-result-{sku}")
    result.get_by_label(say(page, "pos.quantityOf", sku=sku), exact=True).fill(str(quantity))
    result.get_by_role("button", name=say(page, "pos.addOf", sku=sku)).click()
    expect(page.get_by_test_id(f"cart-row-{sku}")).to_be_visible()


def pay(page: Page) -> None:
    page.get_by_role("button", name=say(page, "pos.pay"), exact=True).click()
