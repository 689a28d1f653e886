"""The pull request's cost comment: every stack's estimate against the base branch's, with what changed."""

from __future__ import annotations

import json
from typing import Any

from tools.cost_diff import MARKER, load, main, render


def stack(resources: dict[str, float], budget: float | None = None, api_requests: int = 1_000_000) -> dict[str, Any]:
    """A ``tools.plan --json`` entry: ``resources`` as "system/name" → monthly dollars, one item each."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for key, usd in resources.items():
        system, name = key.split("/")
        item = {"what": "thing", "usd": usd}
        groups.setdefault(system, []).append({"name": name, "type": "aws:x/y:Y", "totalUsd": usd, "items": [item]})
    estimate = {
        "region": "us-east-1",
        "currency": "USD",
        "pricesTaken": "2026-12-03",
        "assumptions": {"apiRequestsMonthly": api_requests},
        "groups": [{"name": g, "resources": rs} for g, rs in groups.items()],
        "unpriced": [],
    }
    return {"resources": len(resources), "preflight": [], "budgetMonthlyUsd": budget, "estimate": estimate}


BASE = {"dev": stack({"shop/cluster": 105.37, "shop/db": 15.13, "network/sqs": 7.31})}


def test_the_summary_gives_each_stack_its_base_new_total_change_and_budget():
    head = {
        "dev": stack({"shop/cluster": 135.74, "shop/db": 15.13, "network/sqs": 7.31}, budget=150),
        "prod": stack({"shop/cluster": 289.24}, budget=200),
    }
    text = render(BASE, head)
    assert text.startswith(MARKER)
    # dev: 105.37 + 15.13 + 7.31 = 127.81 before, 135.74 + 15.13 + 7.31 = 158.18 after: +30.37, +23.8%.
    assert "| dev | $127.81 | $158.18 | +$30.37 (+23.8%) | $150.00 (over) |" in text
    assert "| prod | — | $289.24 | new | $200.00 (over) |" in text
    assert "| shop | $120.50 | $150.87 | +$30.37 (+25.2%) |" in text
    assert "| shop / cluster | $105.37 | $135.74 | +$30.37 (+28.8%) |" in text
    assert "shop / db" not in text  # unchanged resources are left out
    assert "No estimate on the base branch." in text


def test_removed_resources_cheaper_stacks_and_changed_assumptions_are_shown():
    head = {"dev": stack({"shop/cluster": 105.37, "shop/db": 15.13}, api_requests=5_000_000)}
    text = render(BASE, head)
    assert "| dev | $127.81 | $120.50 | −$7.31 (−5.7%) | — |" in text
    assert "| network / sqs | $7.31 | — | removed |" in text
    assert "- `costAssumptions.apiRequestsMonthly`: 1000000 → 5000000" in text


def test_an_unchanged_stack_says_so():
    assert "| dev | $127.81 | $127.81 | no change | — |" in render(BASE, BASE)
    assert "No system changed cost." in render(BASE, BASE)


def test_a_missing_or_broken_base_file_counts_as_no_estimate(tmp_path, capsys):
    (tmp_path / "head.json").write_text(json.dumps({"stacks": BASE}))
    (tmp_path / "base.json").write_text("not json")
    assert load(tmp_path / "absent.json") == {} and load(tmp_path / "base.json") == {}
    assert main([str(tmp_path / "base.json"), str(tmp_path / "head.json")]) == 0
    assert "| dev | — | $127.81 | new | — |" in capsys.readouterr().out
    assert main([]) == 2
