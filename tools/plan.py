"""Print the offline resource plan of each stack: what `pulumi up` would create, per system and resource type, what
the preflight policy pack (policy/) finds in it, and what it would cost a month.

Runs the real program under the strict mocks, so it needs no AWS account and no Pulumi CLI:
    python -m tools.plan              # every stack
    python -m tools.plan dev prod     # some stacks
    python -m tools.plan --json dev   # the same figures as JSON on stdout (progress on stderr)

The estimate lists each billable resource with its monthly dollars, per system and for the stack. Fixed costs come
from aws_systems/cost/prices.json (list prices with their region, date and source page); figures marked * rest on the
usage assumptions printed below them, which a stack changes with `costAssumptions` in its config. It exits 1 when the
preflight finds anything, including an estimate over the stack's `budgetMonthlyUsd`, and 2 when a stack does not
synthesize: its config is invalid (one line naming the key, as `pulumi` prints it) or a component refuses an argument.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

import pulumi

from aws_systems.cost import CostSettings, Estimate, estimate
from aws_systems.cost.settings import from_config
from aws_systems.preflight import Violation
from aws_systems.preflight.model import Resource
from tools.offline import PROJECT, Synthesis, stack_config, stack_names, synthesize


def system_of(name: str, systems: list[str]) -> str:
    for system in systems:
        if name == system or name.startswith(f"{system}-"):
            return system
    return "shared"


def describe(result: Synthesis, violations: list[Violation]) -> str:
    systems = [r.name for r in result.mocks.of_type("awssystems:system:SystemComponent")]
    per_system = Counter(system_of(r.name, systems) for r in result.resources)
    per_type = Counter(r.type for r in result.resources)
    lines = [f"== {result.stack}: {len(result.resources)} resources, synthesized in {result.seconds:.1f} s"]
    lines += [f"   {system:<8} {count:>4}" for system, count in sorted(per_system.items())]
    lines.append("   most common types:")
    lines += [f"     {count:>4}  {typ}" for typ, count in per_type.most_common(8)]
    lines.append(f"   preflight: {len(violations)} violation{'' if len(violations) == 1 else 's'}")
    lines += [f"     {v}" for v in violations]
    return "\n".join(lines)


def settings_of(result: Synthesis) -> tuple[CostSettings, str | None]:
    """The budget, usage assumptions and region of the config the stack was synthesized with."""
    return from_config(result.config if result.config is not None else stack_config(result.stack), PROJECT)


def cost_of(result: Synthesis) -> Estimate:
    """The estimate of a synthesized stack, on the resources as the preflight's stack rules see them."""
    settings, region = settings_of(result)
    resources = [
        Resource(r.type, r.name, r.urn, {"id": r.id, **r.outputs}, r.parent, r.dependencies) for r in result.resources
    ]
    return estimate(resources, settings.cost_assumptions, region=region)


def describe_cost(cost: Estimate, budget: float | None) -> str:
    lines = [
        f"   cost: ${cost.usd:,.2f} a month (${cost.fixed_usd:,.2f} fixed), {cost.region} list prices taken"
        f" {cost.prices_taken}" + (f"; budget ${budget:,.2f}" if budget else "")
    ]
    for group, resources in cost.groups().items():
        lines.append(f"     {group:<40} ${sum(r.usd for r in resources):>10,.2f}")
        for r in resources:
            parts = "; ".join(f"{i.what.split(': ')[0]} ${i.usd:,.2f}{'' if i.fixed else '*'}" for i in r.items)
            lines.append(f"       ${r.usd:>9,.2f}  {r.name} ({r.type.rsplit(':', 1)[-1]}): {parts}")
    lines += [f"     not priced: {u.name} ({u.type}): {u.reason}" for u in cost.unpriced]
    lines += [f"     note: {note}" for note in cost.notes]
    lines.append(
        "     * usage assumptions (costAssumptions): " + ", ".join(f"{k} {v:,}" for k, v in cost.assumptions.items())
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__.strip())
        return 0
    as_json = "--json" in argv
    stacks = [a for a in argv if a != "--json"] or stack_names()
    unknown = sorted(set(stacks) - set(stack_names()))
    if unknown:
        print(f"unknown stack {unknown[0]!r}; stacks: {', '.join(stack_names())}", file=sys.stderr)
        return 2
    clean, failed, report = True, False, {}
    progress = sys.stderr if as_json else sys.stdout
    for stack in stacks:
        print(f"synthesizing {stack} offline…", file=progress, flush=True)
        try:
            result = synthesize(stack)
        except (pulumi.RunError, ValueError) as exc:  # a bad stack config, or an argument a component refuses
            print(f"{stack}: {' '.join(str(exc).split())}", file=sys.stderr, flush=True)
            failed = True
            continue
        violations = result.preflight()
        cost = cost_of(result)
        if as_json:
            report[stack] = _stack_json(result, violations, cost)
        else:
            budget = settings_of(result)[0].budget_monthly_usd
            print(describe(result, violations) + "\n" + describe_cost(cost, budget), flush=True)
        clean = clean and not violations
    if as_json:
        print(json.dumps({"stacks": report}, indent=2))
    return 2 if failed else 0 if clean else 1


def _stack_json(result: Synthesis, violations: list[Violation], cost: Estimate) -> dict[str, Any]:
    budget = settings_of(result)[0].budget_monthly_usd
    return {
        "resources": len(result.resources),
        "preflight": [str(v) for v in violations],
        "budgetMonthlyUsd": budget,
        "estimate": cost.to_dict(),
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
