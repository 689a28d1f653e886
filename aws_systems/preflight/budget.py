"""The stack's monthly estimate stays within its budget (``budgetMonthlyUsd`` in the stack config).

The rule prices the resources of the preview with :mod:`aws_systems.cost` under the stack's ``costAssumptions``, as
``make plan`` does, and refuses the preview when the estimate is over the budget, naming the biggest items. A stack
without a budget is not checked. The budget and assumptions come from the stack config Pulumi hands the pack.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_systems.cost import CostSettings, estimate
from aws_systems.cost.settings import from_pulumi
from aws_systems.preflight.model import Stack

Settings = Callable[[], tuple[CostSettings, str | None]]


def check(stack: Stack, settings: Settings | None = None) -> list[tuple[str, str]]:
    """Refuse an estimate over the budget; ``settings`` default to the stack config of the preview."""
    cost, region = (settings or from_pulumi)()
    if cost.budget_monthly_usd is None:
        return []
    found = estimate(stack.resources, cost.cost_assumptions, region=region)
    if found.usd <= cost.budget_monthly_usd:
        return []
    biggest = found.biggest(3)
    named = ", ".join(f"{r.name} ${r.usd:,.2f}" for r in biggest)
    message = (
        f"the monthly estimate ${found.usd:,.2f} is over budgetMonthlyUsd ${cost.budget_monthly_usd:,.2f}"
        f" (biggest: {named}); `make plan` itemizes it"
    )
    if found.unpriced:
        message += f"; {len(found.unpriced)} resource(s) not priced, so it may be higher"
    by_name = {r.name: r for r in stack.resources}
    return [(by_name[biggest[0].name].urn if biggest and biggest[0].name in by_name else "", message)]
