"""Accessibility checks with axe-core (npm, ``package.json``) run inside the page, as the browser tests use them.

axe's script is evaluated through the DevTools protocol (``page.evaluate``), which the page's CSP does not govern, so
the app's own policy stays as strict as in the cloud. A check fails on any violation of impact "serious" or
"critical", naming the rule, its help text and the first offending elements.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    if not AXE.exists():
        reason = f"axe-core is not installed at {AXE} (run `npm ci`)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text()


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => r.violations)"
    )
    return [v for v in found if v.get("impact") in BLOCKING]


def assert_accessible(page: Page, screen: str) -> None:
    """Fail when the screen has serious or critical violations."""
    blocking = violations(page)
    lines = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in blocking]
    assert not blocking, f"axe on {screen}:\n" + "\n".join(lines)
