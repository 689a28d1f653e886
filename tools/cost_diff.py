"""Render the monthly cost estimates of a pull request's stacks, against its base branch, as a markdown comment.

    python -m tools.plan --json dev prod > head.json          # on the pull request's checkout
    python -m tools.plan --json dev prod > base.json          # on the base branch's checkout
    python -m tools.cost_diff base.json head.json > cost.md   # a missing or unreadable base counts as no estimate

For each stack: the base and new monthly totals and the change, the budget when there is one, the systems and
resources whose cost changed (largest first), usage assumptions that changed, and resources not priced.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aws_systems.cost import Estimate

MARKER = "<!-- aws-systems-cost -->"
"""Marks the comment, so the workflow updates it instead of adding one per push."""
SHOWN = 15


def money(usd: float | None) -> str:
    return "—" if usd is None else f"${usd:,.2f}"


def change(base: float | None, head: float | None) -> str:
    if base is None or head is None:
        return "new" if base is None and head is not None else "removed" if head is None and base else "—"
    delta = head - base
    if abs(delta) < 0.005:
        return "no change"
    sign = "+" if delta > 0 else "−"
    percent = f" ({sign}{abs(delta) / base:.1%})" if base else ""
    return f"{sign}${abs(delta):,.2f}{percent}"


def load(path: Path) -> dict[str, Any]:
    """The stacks of a ``tools.plan --json`` file; none when the file is missing or not such a file."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    stacks = data.get("stacks") if isinstance(data, dict) else None
    return stacks if isinstance(stacks, dict) else {}


def render(base: dict[str, Any], head: dict[str, Any]) -> str:
    """The comment: a summary table of every stack in ``head``, then what changed in each."""
    lines = [MARKER, "### Monthly cost estimate", ""]
    if not head:
        return "\n".join([*lines, "No stack was estimated."])
    lines += ["| stack | base | this branch | change | budget |", "|---|---:|---:|---:|---|"]
    for stack, entry in sorted(head.items()):
        new = Estimate.from_dict(entry["estimate"])
        old = Estimate.from_dict(base[stack]["estimate"]) if stack in base else None
        budget = entry.get("budgetMonthlyUsd")
        state = "" if budget is None else f"{money(budget)} ({'over' if new.usd > budget else 'within'})"
        lines.append(
            f"| {stack} | {money(old.usd if old else None)} | {money(new.usd)} | "
            f"{change(old.usd if old else None, new.usd)} | {state or '—'} |"
        )
    for stack, entry in sorted(head.items()):
        old = Estimate.from_dict(base[stack]["estimate"]) if stack in base else None
        lines += _details(stack, old, Estimate.from_dict(entry["estimate"]))
    first = Estimate.from_dict(next(iter(head.values()))["estimate"])
    lines += [
        "",
        f"{first.region} on-demand list prices taken {first.prices_taken} (aws_systems/cost/prices.json); usage-driven"
        " figures rest on each stack's `costAssumptions`. `make plan` itemizes every resource.",
    ]
    return "\n".join(lines)


def _details(stack: str, old: Estimate | None, new: Estimate) -> list[str]:
    lines = ["", f"<details><summary>{stack}: what changed</summary>", ""]
    if old is None:
        lines.append("No estimate on the base branch.")
    else:
        lines += _changes("system", old.group_usd(), new.group_usd())
        lines += _changes("resource", _per_resource(old), _per_resource(new))
        changed = {k: v for k, v in new.assumptions.items() if old.assumptions.get(k) != v}
        lines += ["", *(f"- `costAssumptions.{k}`: {old.assumptions.get(k)} → {v}" for k, v in changed.items())]
    lines += [f"- not priced: `{u.name}` ({u.type}): {u.reason}" for u in new.unpriced]
    return [*lines, "", "</details>"]


def _per_resource(estimate: Estimate) -> dict[str, float]:
    return {f"{r.group} / {r.name}": r.usd for r in estimate.resources}


def _changes(what: str, old: dict[str, float], new: dict[str, float]) -> list[str]:
    keys = [k for k in set(old) | set(new) if abs(new.get(k, 0.0) - old.get(k, 0.0)) >= 0.005]
    if not keys:
        return [f"No {what} changed cost.", ""] if what == "system" else []
    keys.sort(key=lambda k: (-abs(new.get(k, 0.0) - old.get(k, 0.0)), k))
    lines = [f"| {what} | base | this branch | change |", "|---|---:|---:|---:|"]
    for k in keys[:SHOWN]:
        lines.append(f"| {k} | {money(old.get(k))} | {money(new.get(k))} | {change(old.get(k), new.get(k))} |")
    if len(keys) > SHOWN:
        lines.append(f"| … and {len(keys) - SHOWN} more | | | |")
    return [*lines, ""]


def main(argv: list[str]) -> int:
    if len(argv) != 2 or {"-h", "--help"} & set(argv):
        print(__doc__.strip(), file=sys.stderr if len(argv) != 2 else sys.stdout)
        return 0 if {"-h", "--help"} & set(argv) else 2
    print(render(load(Path(argv[0])), load(Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
