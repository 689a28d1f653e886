"""The local console in Chromium against a running runtime: the architecture drawn by mermaid, the API explorer
(swagger-ui) calling the moving company's API as a demo user, and a registration told end to end by the other views
(event trail, queues with a DLQ redrive, messages sent, schedules, logs), under the console's CSP (any violation,
console error or page error fails the test, as the fixtures report them). Screenshots of every view go to
.artifacts/browser/console-<view>.png."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime, throwaway_runtime
from tests.browser.steps import Shot
from tests.stories import REGISTRATION_STORY

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


# --- a registration told end to end ---------------------------------------------------------------------------------
MOVE = {"origin": {"address": "Av. Arequipa 100", "city": "Lima"}, "destination": {"address": "Calle Sol 5",
        "city": "Cusco"}, "move_date": (date.today() + timedelta(days=20)).isoformat(), "volume_m3": 12}  # fmt: skip


def register_a_move_in_the_explorer(page: Page, runtime: LocalRuntime) -> tuple[str, str]:
    """POST /moves as the demo customer (the demo data has the trucks); its request id and move id."""
    api = runtime.systems["moving"].api_url
    page.goto(f"{runtime.console_url}/#/explorer/moving")
    page.get_by_test_id("explorer-user").select_option(CUSTOMER)
    expect(page.get_by_test_id("explorer-auth")).to_have_text(f"Requests to {api} carry {CUSTOMER}'s ID token.")
    operation = page.locator("#operations-moves-moves-post-moves")
    operation.locator(".opblock-summary").click()
    operation.locator("textarea.body-param__text").fill(json.dumps(MOVE))
    with page.expect_response(lambda r: r.url == f"{api}/moves" and r.request.method == "POST") as called:
        operation.get_by_role("button", name="Execute").click()
    assert called.value.status == 201, called.value.text()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("201")
    return called.value.headers["apigw-requestid"], called.value.json()["id"]


def see_its_story_in_the_trail(page: Page, request_id: str, move_id: str, screenshot: Shot) -> None:
    page.get_by_test_id("nav-trail").click()
    page.get_by_test_id("trail-entity").fill(move_id)
    page.get_by_test_id("trail-filters").get_by_role("button", name="Find").click()
    story = page.get_by_test_id("story")
    expect(story).to_have_count(1)
    expect(story.get_by_test_id("correlation-id")).to_have_text(request_id)
    summaries = story.get_by_test_id("step-summary")
    for _, start in REGISTRATION_STORY:  # the page refreshes itself as the events travel
        expect(summaries.filter(has_text=start)).to_have_count(1, timeout=30_000)
    steps = story.get_by_test_id("step")
    kinds = steps.evaluate_all("els => els.map(e => e.dataset.kind)")
    told = list(zip(kinds, summaries.all_inner_texts(), strict=True))
    places = [
        next(n for n, (k, s) in enumerate(told) if k == kind and s.startswith(start))
        for kind, start in REGISTRATION_STORY
    ]
    assert places == sorted(places) and places[0] == 0, told
    assert told[0][1].endswith(CUSTOMER), "the request as the demo customer made it"
    assert set(steps.evaluate_all("els => els.map(e => e.dataset.correlationId)")) == {request_id}
    fleet = steps.filter(has_text="MoveRegistered → fleet/bookings: done")
    fleet.locator("summary").click()
    expect(fleet.locator("pre")).to_contain_text('"consumer": "fleet/bookings"')
    screenshot(page, "console-trail")
    # the request's step links to its story, found by its correlation id
    story.locator('[data-kind="request"]').get_by_test_id("story-link").click()
    expect(page).to_have_url(re.compile(r"#/trail/moving\?correlation_id="))
    expect(page.get_by_test_id("trail-correlation_id")).to_have_value(request_id)
    expect(page.get_by_test_id("story").get_by_test_id("correlation-id")).to_have_text(request_id)


def redrive_a_malformed_message(page: Page, runtime: LocalRuntime, screenshot: Shot) -> None:
    dlq = runtime.systems["moving"].aws.queues[("fleet", "bookings")].dlq_url
    sent = runtime._session().client("sqs").send_message(QueueUrl=dlq, MessageBody='{"detail-type": "MoveRegistered",')
    page.get_by_test_id("nav-queues").click()
    row = page.locator('[data-testid="queue-row"][data-queue="fleet/bookings"]')
    expect(row.get_by_test_id("dlq-depth")).to_have_text("1 waiting · 0 in flight")
    row.get_by_test_id("open-dlq").click()
    letter = page.locator(f'[data-testid="dlq-message"][data-message-id="{sent["MessageId"]}"]')
    expect(letter.get_by_test_id("dlq-body")).to_have_text('{"detail-type": "MoveRegistered",')
    screenshot(page, "console-queues")
    letter.get_by_test_id("redrive-one").click()
    expect(page.get_by_test_id("queues-status")).to_contain_text("Moved 1 message back to moving-fleet-bookings")
    expect(row.get_by_test_id("dlq-depth")).to_have_text("0 waiting · 0 in flight")
    expect(page.get_by_test_id("dlq-empty")).to_be_visible()


def test_a_registration_is_told_from_the_request_to_the_customers_notification(
    page: Page, runtime: LocalRuntime, screenshot: Shot
):
    request_id, move_id = register_a_move_in_the_explorer(page, runtime)
    see_its_story_in_the_trail(page, request_id, move_id, screenshot)
    redrive_a_malformed_message(page, runtime, screenshot)

    page.get_by_test_id("nav-messages").click()
    told = page.get_by_test_id("message").filter(has_text=move_id)
    expect(told).to_have_count(2)  # registered, then a truck assigned: newest first
    expect(told.first.get_by_test_id("message-subject")).to_contain_text("A truck is assigned to your move")
    expect(told.first.get_by_test_id("message-attributes")).to_contain_text(CUSTOMER)
    expect(told.first.get_by_test_id("story-link")).to_have_attribute("href", re.compile(re.escape(request_id[:8])))
    screenshot(page, "console-messages")

    page.get_by_test_id("nav-schedules").click()
    relay = page.locator('[data-testid="schedule-row"][data-schedule="fleet/outbox-relay"]')
    expect(relay).to_contain_text("rate(1 minute)")
    relay.get_by_test_id("run-now").click()
    expect(page.get_by_test_id("schedules-status")).to_contain_text("fleet/outbox-relay ran in")
    expect(relay.get_by_test_id("schedule-last")).to_contain_text("done in")
    screenshot(page, "console-schedules")

    page.get_by_test_id("nav-logs").click()
    page.get_by_test_id("logs-correlation").fill(request_id)
    page.get_by_test_id("logs-function").select_option("moving-notifications-events")
    lines = page.get_by_test_id("log-line")
    expect(lines).to_have_count(2)
    expect(lines.get_by_test_id("log-function")).to_have_text(["moving-notifications-events"] * 2)
    expect(lines.first.get_by_test_id("log-message")).to_contain_text("TruckAssigned")
    screenshot(page, "console-logs")
