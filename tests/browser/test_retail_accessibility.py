"""Every screen of the retail web app, for each role, at a phone's width (375 px), a tablet's (768 px) and a
desktop's, checked with axe-core (tests/browser/axe.py): no serious or critical violation, and no sideways scroll."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime
from tests.browser.axe import assert_accessible
from tests.browser.test_retail_web import Shot, open_app, signed_in

WIDTHS = {"phone": (375, 812), "tablet": (768, 1024), "desktop": (1280, 900)}
SCREENS = {  # role → the screens its menu offers
    "admin@retail.local": ("products", "clients", "pos", "sales", "reports", "settings"),
    "seller@retail.local": ("products", "clients", "pos", "sales", "reports"),
    "warehouse@retail.local": ("products", "clients"),
}


def no_sideways_scroll(page: Page, screen: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{screen}: the page scrolls sideways by {overflow} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sign_in_screen_is_accessible(page: Page, runtime: LocalRuntime, screenshot: Shot, width: str) -> None:
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    open_app(page, runtime)
    assert_accessible(page, f"sign-in at {width} width")
    no_sideways_scroll(page, "sign-in")
    screenshot(page, f"a11y-{width}-signin")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("user", SCREENS)
def test_every_screen_of_each_role_is_accessible(page: Page, runtime: LocalRuntime, screenshot: Shot, user: str,
                                                 width: str) -> None:  # fmt: skip
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    signed_in(page, runtime, user)
    for screen in SCREENS[user]:
        page.goto(f"{runtime.systems['retail'].site_url}#/{screen}")
        expect(page.locator(f"#view-{screen}")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_accessible(page, f"{screen} for {user} at {width} width")
        no_sideways_scroll(page, screen)
        screenshot(page, f"a11y-{width}-{user.split('@')[0]}-{screen}")
