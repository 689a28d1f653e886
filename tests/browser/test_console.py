"""The local console in Chromium against a running runtime: the architecture drawn by mermaid, and the API explorer
(swagger-ui) calling the moving company's API as a demo user, under the console's CSP (any violation, console error or
page error fails the test, as the fixtures report them). Screenshots of both views go to .artifacts/browser/."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime, throwaway_runtime
from tests.browser.steps import Shot

CUSTOMER = "customer@moving.local"


@pytest.fixture(scope="module")
def runtime(chromium: str) -> Iterator[LocalRuntime]:
    """Two systems, so the picker has a choice; the moving company's demo data (three trucks), no moves yet."""
    with throwaway_runtime(("moving", "retail")) as rt:
        yield rt


@pytest.fixture(autouse=True)
def node_packages(runtime: LocalRuntime, page: Page) -> None:
    """The renderers come from node_modules, which CI's `npm ci` installs (as axe-core, tests/browser/axe.py)."""
    packages = page.request.get(f"{runtime.console_url}/api/console").json()["packages"]
    if not all(packages.values()):
        reason = f"the console's node packages are missing ({packages}): run npm ci"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_the_architecture_view_draws_the_systems_diagram(page: Page, runtime: LocalRuntime, screenshot: Shot):
    page.goto(f"{runtime.console_url}/#/architecture/moving")
    expect(page.get_by_role("heading", name="Moving company: architecture")).to_be_visible()
    diagram = page.get_by_test_id("diagram").locator("svg")
    expect(diagram).to_be_visible(timeout=20_000)
    for label in ("fleet λ", "moves λ", "SQS: bookings", "DLQ: bookings", "SNS topic: customer-notifications"):
        expect(diagram).to_contain_text(label)
    expect(page.get_by_test_id("diagram-summary")).to_contain_text("4 DLQs")
    expect(page.get_by_test_id("nav-architecture")).to_have_attribute("aria-current", "page")
    screenshot(page, "console-architecture")

    page.get_by_test_id("system").select_option("retail")
    expect(page).to_have_url(re.compile(r"#/architecture/retail$"))
    expect(page.get_by_role("heading", name=re.compile(r": architecture$"))).not_to_have_text(
        "Moving company: architecture"
    )
    expect(page.get_by_test_id("diagram").locator("svg")).to_contain_text("sales λ", timeout=20_000)


def test_the_api_explorer_calls_the_api_as_the_picked_demo_user(page: Page, runtime: LocalRuntime, screenshot: Shot):
    api = runtime.systems["moving"].api_url
    page.goto(f"{runtime.console_url}/#/architecture/moving")
    page.get_by_test_id("nav-explorer").click()
    expect(page.get_by_role("heading", name="Moving company: API explorer")).to_be_visible()
    page.get_by_test_id("explorer-user").select_option(CUSTOMER)
    expect(page.get_by_test_id("explorer-auth")).to_have_text(f"Requests to {api} carry {CUSTOMER}'s ID token.")

    operation = page.locator("#operations-moves-moves-get-moves")
    operation.locator(".opblock-summary").click()
    with page.expect_response(lambda r: r.url.startswith(f"{api}/moves") and r.request.method == "GET") as called:
        operation.get_by_role("button", name="Execute").click()
    assert called.value.request.headers["authorization"].startswith("Bearer ey")
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table tbody .response-col_description")).to_contain_text('"items"')
    screenshot(page, "console-explorer")

    # without a user the request carries no token, and the gateway refuses it
    page.get_by_test_id("explorer-user").select_option("")
    expect(page.get_by_test_id("explorer-auth")).to_contain_text("no token")
    with page.expect_response(lambda r: r.url.startswith(f"{api}/moves")) as called:
        operation.get_by_role("button", name="Execute").click()
    assert "authorization" not in called.value.request.headers
    expect(status).to_have_text("401")
