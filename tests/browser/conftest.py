"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against the local runtime.

Without Chromium the tests skip, saying why, unless ``REQUIRE_BROWSER=1`` (as in CI), which turns the skip into a
failure. Playwright's own browser downloads are never used: the machines that run these tests have no internet.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from local.runtime import LocalRuntime, throwaway_runtime

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Reported to the console by the page itself, whatever the browser's own wording of a CSP violation.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`));
"""


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable: ``$CHROMIUM`` or Debian's."""
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        reason = f"Chromium not found at {path} (install Debian's chromium or set CHROMIUM)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, but REQUIRE_BROWSER=1")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def runtime(chromium: str) -> Iterator[LocalRuntime]:
    """The retail system offline, with the demo data (started only when a browser is there to use it)."""
    with throwaway_runtime(("retail",)) as rt:
        yield rt


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


PageFactory = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, runtime: LocalRuntime) -> Iterator[PageFactory]:
    """Opens fresh pages (each with its own storage) in a browser of the given locale and window size; the test fails
    on any console error, page error or CSP violation in any of them."""
    # The pages show the APIs' and Cognito's refusals as messages; Chromium also logs each non-2xx response.
    handled = (*(running.api_url for running in runtime.systems.values()), runtime.aws_endpoint)
    problems: list[str] = []
    contexts: list[BrowserContext] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource: the server responded with a status of 4") and (
            url.startswith(handled)
        ):
            return
        problems.append(f"console error: {message.text} ({url})")

    def open_page(locale: str = "en-US", width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, timezone_id="UTC")
        contexts.append(context)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.set_default_timeout(10_000)
        tab = context.new_page()
        tab.on("console", on_console)
        tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        return tab

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "the page reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A fresh page in an English (en-US) desktop browser."""
    return new_page()


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], Any]:
    """Saves a full-page screenshot to .artifacts/browser/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Any:
        return page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take
