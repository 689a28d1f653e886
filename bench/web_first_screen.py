"""Benchmark: the retail web app's first screens on the local runtime, in Chromium: page weight and load time.

    python -m bench.web_first_screen [--runs 5]   # prints the table and rewrites its section of BENCHMARKS.md

Each run opens a fresh browser context (empty cache) at a phone's size in Spanish and at a desktop's in English, loads
the sign-in screen, then signs in as the demo admin and waits for their home screen with its data. Weight is the bytes
of every response body the page received (the local server sends them uncompressed; CloudFront compresses text), and
the number of requests, the sign-in calls and the API calls included. Times are wall clock from the navigation (or the
click on Sign in) until the screen is usable: its form, or the home screen with no row still loading.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, Response, sync_playwright

from bench import sections
from local.cognito import DEMO_PASSWORD
from local.demo import runtime_target, seed
from local.runtime import LocalRuntime, Options, free_base_port

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
LOOKS = {"phone, Spanish": ("es-PE", 375, 812), "desktop, English": ("en-US", 1280, 900)}
ADMIN = "admin@retail.local"


@dataclass
class Traffic:
    """What the page received since the last reset."""

    requests: int = 0
    sizes: list[int] = field(default_factory=list)

    def record(self, response: Response) -> None:
        self.requests += 1
        try:
            self.sizes.append(len(response.body()))
        except Exception:  # a redirect or an aborted response has no body
            self.sizes.append(0)

    def take(self) -> tuple[int, int]:
        taken = (self.requests, sum(self.sizes))
        self.requests, self.sizes = 0, []
        return taken


@dataclass
class Step:
    requests: list[int] = field(default_factory=list)
    kilobytes: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, traffic: Traffic, elapsed: float) -> None:
        requests, size = traffic.take()
        self.requests.append(requests)
        self.kilobytes.append(size / 1024)
        self.seconds.append(elapsed)


def timed(page: Page, traffic: Traffic, step: Step, action: Callable[[], None], ready: Callable[[], None]) -> None:
    traffic.take()
    started = time.perf_counter()
    action()
    ready()
    elapsed = time.perf_counter() - started
    page.wait_for_load_state("networkidle")  # nothing is still on its way (the bytes are all counted)
    step.add(traffic, elapsed)


def one_run(browser: Browser, url: str, look: tuple[str, int, int], signin: Step, home: Step) -> None:
    locale, width, height = look
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    traffic = Traffic()
    page.on("response", traffic.record)
    timed(page, traffic, signin, lambda: page.goto(url), lambda: page.get_by_test_id("signin-submit").wait_for())
    page.get_by_test_id("signin-email").fill(ADMIN)
    page.get_by_test_id("signin-password").fill(DEMO_PASSWORD)

    def home_ready() -> None:
        page.locator("#view-home:not([hidden])").wait_for()
        page.locator("#home-recent-body tr:not(.loading)").first.wait_for()

    timed(page, traffic, home, lambda: page.get_by_test_id("signin-submit").click(), home_ready)
    context.close()


def row(screen: str, look: str, step: Step) -> str:
    seconds = f"{statistics.median(step.seconds) * 1000:.0f} ms / {max(step.seconds) * 1000:.0f} ms"
    weight = f"{statistics.median(step.kilobytes):.1f} KiB"
    return f"| {screen} | {look} | {statistics.median(step.requests):.0f} | {weight} | {seconds} |"


def measure(runs: int, chromium: str) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory() as state:
        options = Options(systems=("retail",), state_dir=Path(state), base_port=free_base_port(("retail",)))
        runtime = LocalRuntime(options, say=lambda line: None)
        try:
            runtime.start()
            seed(runtime_target(runtime))
            url = runtime.systems["retail"].site_url
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for look, settings in LOOKS.items():
                    signin, home = Step(), Step()
                    for run in range(runs):
                        print(f"{look}: run {run + 1} of {runs}", flush=True)
                        one_run(browser, url, settings, signin, home)
                    rows += [row("sign-in", look, signin), row("admin's home, after Sign in", look, home)]
                browser.close()
        finally:
            runtime.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per look (default 5)")
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    rows = measure(args.runs, chromium)
    table = "\n".join(
        [
            f"Median of {args.runs} runs, each in a fresh browser context (empty cache); time is median / worst.",
            "",
            "| screen | look | requests | weight | time to usable |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    sections.rewrite(
        "web-first-screen",
        table,
        heading="The store's web app: first screens",
        intro="`python -m bench.web_first_screen` (retail on the local runtime, Debian's Chromium, 2 cores). Weight is "
        "every response body the page received, uncompressed (the local server does not compress; CloudFront does), "
        "the sign-in and API calls included; there is no build step, so the app is its source files.",
    )


if __name__ == "__main__":
    main()
