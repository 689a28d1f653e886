"""Benchmark: the retail web app's first screen on the local runtime, in Debian's Chromium: page weight and load time.

    PYTHONPATH=. .venv/bin/python -m bench.web_first_screen [--runs 5]   # prints the table, rewrites BENCHMARKS.md

Each run opens a fresh browser context (empty cache) at a phone's size in Spanish or a desktop's in English, loads the
sign-in screen, then signs in as the demo admin and waits for the first screen after it: the menu shown (folded
behind its button on a phone) and the network idle. Weight is the bytes Chromium received over the wire for every
request of the step (headers and bodies, its ``encodedDataLength``); the local server sends everything uncompressed.
Times come from the page's own clock: navigation timing for DOMContentLoaded and load, and a requestAnimationFrame
watch for the sign-in heading's first visible frame, the submit and the menu shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from playwright.sync_api import Browser, CDPSession, Page, sync_playwright

from bench import sections
from local.cognito import DEMO_PASSWORD
from local.runtime import throwaway_runtime

COMMAND = "PYTHONPATH=. .venv/bin/python -m bench.web_first_screen"
CHROMIUM_ARGS = [  # as tests/browser/conftest.py launches it
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"),
]
LOOKS = {"phone 375×812, es-PE": ("es-PE", 375, 812), "desktop 1280×900, en-US": ("en-US", 1280, 900)}
ADMIN = "admin@retail.local"
# Marks, in ms on the page's clock: the sign-in heading's first frame visible with its text, the submit, the menu shown.
WATCH = """(() => {
  const marks = (window.__bench = {});
  const tick = () => {
    const heading = document.getElementById("signin-title"), nav = document.querySelector("[data-testid=nav]");
    const shown = heading?.checkVisibility() && heading.textContent.trim();
    if (marks.heading === undefined && shown) marks.heading = performance.now();
    if (marks.submit !== undefined && nav && !nav.hidden) marks.nav = performance.now();
    if (marks.nav === undefined) requestAnimationFrame(tick);
  };
  document.addEventListener("submit", () => { marks.submit ??= performance.now(); }, true);
  requestAnimationFrame(tick);
})();"""
TIMES = """(since) => {
  const nav = performance.getEntriesByType("navigation")[0];
  const ends = performance.getEntriesByType("resource").filter((e) => e.startTime >= since).map((e) => e.responseEnd);
  return {...window.__bench, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, last: Math.max(since, ...ends)};
}"""
MEASURES: list[tuple[str, str, str]] = [  # key, label, unit
    ("requests", "sign-in screen: requests", ""),
    ("kib", "sign-in screen: weight", " KiB"),
    ("dcl", "sign-in screen: DOMContentLoaded", " ms"),
    ("load", "sign-in screen: load", " ms"),
    ("heading", "sign-in screen: heading visible", " ms"),
    ("after_requests", "after Sign in: requests", ""),
    ("after_kib", "after Sign in: weight", " KiB"),
    ("nav", "after Sign in: submit → menu shown", " ms"),
    ("settled", "after Sign in: submit → last response in", " ms"),
]


class Wire:
    """Requests finished (or failed) and bytes received, from Chromium's DevTools network events."""

    def __init__(self, cdp: CDPSession) -> None:
        self.requests, self.bytes, self.pending, self.last = 0, 0, set[str](), time.monotonic()
        cdp.on("Network.requestWillBeSent", lambda event: self._seen(event["requestId"]))
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._finished)
        cdp.send("Network.enable")

    def _seen(self, request: str) -> None:
        self.pending.add(request)
        self.last = time.monotonic()

    def _finished(self, event: dict[str, Any]) -> None:
        self.pending.discard(event["requestId"])
        self.last = time.monotonic()
        self.requests += 1
        self.bytes += int(event.get("encodedDataLength", 0))

    def settle(self, page: Page, quiet: float = 0.5) -> None:
        """Until nothing has been in flight for ``quiet`` s (Playwright's networkidle is reached once per page)."""
        deadline = time.monotonic() + 30
        while (self.pending or time.monotonic() - self.last < quiet) and time.monotonic() < deadline:
            page.wait_for_timeout(50)

    def take(self) -> tuple[int, float]:
        taken = (self.requests, self.bytes / 1024)
        self.requests, self.bytes = 0, 0
        return taken


def one_run(browser: Browser, url: str, locale: str, width: int, height: int) -> dict[str, float]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, timezone_id="UTC")
    try:
        context.add_init_script(WATCH)
        page = context.new_page()
        wire = Wire(context.new_cdp_session(page))
        page.goto(url)
        page.get_by_test_id("signin-submit").wait_for()
        page.wait_for_function("window.__bench.heading !== undefined")
        wire.settle(page)
        run: dict[str, float] = dict(zip(("requests", "kib"), wire.take(), strict=True))
        run |= {key: page.evaluate(TIMES, 0)[key] for key in ("dcl", "load", "heading")}
        run |= sign_in(page, wire)
        return run
    finally:
        context.close()


def sign_in(page: Page, wire: Wire) -> dict[str, float]:
    page.get_by_test_id("signin-email").fill(ADMIN)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.locator("[data-testid=nav]:not([hidden])").wait_for(state="attached")
    page.wait_for_function("window.__bench.nav !== undefined")
    wire.settle(page)
    requests, kib = wire.take()
    submit = page.evaluate("window.__bench.submit")
    times = page.evaluate(TIMES, submit)
    after = {"nav": times["nav"] - submit, "settled": times["last"] - submit}
    return {"after_requests": requests, "after_kib": kib, **after}


def measure(runs: int, chromium: str) -> tuple[dict[str, list[dict[str, float]]], str]:
    results: dict[str, list[dict[str, float]]] = {}
    print("starting the retail system offline…", flush=True)
    with throwaway_runtime(("retail",)) as runtime, sync_playwright() as playwright:
        url = runtime.systems["retail"].site_url
        assert url, "the retail system serves no web app"
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        version = browser.version
        for look, (locale, width, height) in LOOKS.items():
            results[look] = []
            for n in range(runs):
                print(f"{look}: run {n + 1} of {runs}", flush=True)
                results[look].append(one_run(browser, url, locale, width, height))
        browser.close()
    return results, version


def cell(values: list[float], unit: str) -> str:
    digits = 1 if unit == " KiB" else 0
    return f"{statistics.median(values):.{digits}f}{unit} / {max(values):.{digits}f}{unit}"


def table(results: dict[str, list[dict[str, float]]], runs: int, version: str) -> str:
    looks = list(results)
    rows = [
        f"| {label} | " + " | ".join(cell([run[key] for run in results[look]], unit) for look in looks) + " |"
        for key, label, unit in MEASURES
    ]
    return "\n".join(
        [
            f"Reproduce: `{COMMAND}` (`--runs N`). Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs "
            f"(load average {os.getloadavg()[0]:.1f}), Chromium {version} headless, retail alone on the local runtime "
            f"with the demo data; median / worst of {runs} runs, each in a fresh browser context (empty cache).",
            "",
            "Weight: bytes over the wire (headers and bodies, as Chromium counts them), from the local runtime, which "
            "does not compress; times are from navigation start (sign-in screen) or from the submit (after Sign in).",
            "",
            "| measure (median / worst) | " + " | ".join(looks) + " |",
            "|---|" + "---:|" * len(looks),
            *rows,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per look (default 5)")
    args = parser.parse_args(argv)
    results, version = measure(args.runs, os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    text = table(results, args.runs, version)
    print(text)
    sections.rewrite(
        "web-first-screen",
        text,
        heading="The store's web app: first screens",
        intro=f"`{COMMAND}`: the retail web app's sign-in screen and the admin's first screen after it, in Chromium.",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
