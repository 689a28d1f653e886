"""Every screen of the retail web app, for each role, in Spanish and in English at a phone's width (375 px) and a
desktop's, and in Spanish at a tablet's (768 px), checked with axe-core (tests/browser/axe.py): no serious or
critical violation, and no sideways scroll."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PageFactory
from tests.browser.steps import Shot, no_sideways_scroll, open_app, signed_in

WIDTHS = {"phone": (375, 812), "tablet": (768, 1024), "desktop": (1280, 900)}
LOOKS = [("es-PE", "phone"), ("en", "phone"), ("es-PE", "tablet"), ("es-PE", "desktop"), ("en", "desktop")]
SCREENS = {  # role → the screens its menu offers
    "admin@retail.local": ("home", "pos", "products", "clients", "sales", "reports", "settings"),
    "seller@retail.local": ("pos", "products", "clients", "sales", "reports"),
    "warehouse@retail.local": ("products", "clients"),
}


def sized_page(new_page: PageFactory, language: str, width: str) -> Page:
    return new_page("es-PE" if language == "es-PE" else "en-US", *WIDTHS[width])


@pytest.mark.parametrize(("language", "width"), LOOKS)
def test_the_sign_in_screen_is_accessible(new_page: PageFactory, runtime: LocalRuntime, screenshot: Shot,
                                          language: str, width: str) -> None:  # fmt: skip
    page = sized_page(new_page, language, width)
    open_app(page, runtime)
    expect(page.locator("html")).to_have_attribute("lang", language)  # the browser's language
    assert_accessible(page, f"sign-in in {language} at {width} width")
    no_sideways_scroll(page, "sign-in")
    screenshot(page, f"a11y-{language}-{width}-signin")


@pytest.mark.parametrize(("language", "width"), LOOKS)
@pytest.mark.parametrize("user", SCREENS)
def test_every_screen_of_each_role_is_accessible(new_page: PageFactory, runtime: LocalRuntime, screenshot: Shot,
                                                 user: str, language: str, width: str) -> None:  # fmt: skip
    page = sized_page(new_page, language, width)
    signed_in(page, runtime, user, language)
    for screen in SCREENS[user]:
        page.goto(f"{runtime.systems['retail'].site_url}#/{screen}")
        expect(page.locator(f"#view-{screen}")).to_be_visible()
        expect(page.locator(f"#view-{screen} tr.loading")).to_have_count(0)
        page.wait_for_load_state("networkidle")
        assert_accessible(page, f"{screen} for {user} in {language} at {width} width")
        no_sideways_scroll(page, screen)
        screenshot(page, f"a11y-{language}-{width}-{user.split('@')[0]}-{screen}")
    if WIDTHS[width][0] < 640:  # the unfolded menu too
        page.get_by_test_id("menu-toggle").click()
        expect(page.get_by_test_id("nav")).to_be_visible()
        assert_accessible(page, f"the menu for {user} in {language} at {width} width")
        no_sideways_scroll(page, "menu")
