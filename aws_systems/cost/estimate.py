"""The monthly estimate of a stack from its resources: each resource priced by its type's pricer, free by a listed
reason, covered by a component priced as a whole, or reported as not priced.

A component (a resource other resources name as parent) costs what its children cost; its own row would count them
twice. Resources are grouped by their top-level ancestor: each system, and the shared network.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_systems.cost.assumptions import CostAssumptions
from aws_systems.cost.context import Context, CostResource, NotPriced, Pricer
from aws_systems.cost.free import PRICED_WITH_CHILDREN, free_reason
from aws_systems.cost.model import Estimate, Priced, Unpriced
from aws_systems.cost.pricers_infra import PRICERS as INFRA
from aws_systems.cost.pricers_services import PRICERS as SERVICES
from aws_systems.cost.prices import PriceTable, load

PRICERS: dict[str, Pricer] = {**INFRA, **SERVICES}


def estimate(
    resources: Sequence[CostResource],
    assumptions: CostAssumptions | None = None,
    *,
    prices: PriceTable | None = None,
    region: str | None = None,
) -> Estimate:
    """Price ``resources`` (as a policy pack or the offline plan sees them) at ``prices`` (the repository's table)
    under ``assumptions`` (the defaults); ``region`` is the stack's, to warn when the table is for another."""
    table = prices or load()
    assume = assumptions or CostAssumptions()
    ctx = Context(table, assume, resources)
    result = Estimate(
        region=region or ", ".join(sorted(table.regions)),
        currency=table.currency,
        prices_taken=table.taken,
        assumptions=assume.as_config(),
    )
    parents = {r.parent_urn for r in resources}
    for r in resources:
        group = _group(r, ctx)
        if _covered(r, ctx, parents):
            continue
        pricer = PRICERS.get(r.type)
        if pricer is None:
            result.unpriced.append(Unpriced(r.name, r.type, group, "no pricer for this type"))
            continue
        try:
            result.resources.append(Priced(r.name, r.type, group, pricer(r, ctx)))
        except NotPriced as exc:
            result.unpriced.append(Unpriced(r.name, r.type, group, str(exc)))
    if region and region not in table.regions:
        result.notes.append(f"the prices are for {', '.join(sorted(table.regions))}, the stack is in {region}")
    return result


def _covered(r: CostResource, ctx: Context, parents: set[str]) -> bool:
    """Free, a component whose children carry the cost, or inside a component priced as a whole."""
    if r.type in PRICERS:
        return any(a.type in PRICED_WITH_CHILDREN for a in ctx.ancestors(r))
    if free_reason(r.type) is not None or r.urn in parents:
        return True
    return any(a.type in PRICED_WITH_CHILDREN for a in ctx.ancestors(r))


def _group(r: CostResource, ctx: Context) -> str:
    """The resource's top-level ancestor (a system, the network), or itself at the top."""
    chain = [a for a in ctx.ancestors(r) if a.type != "pulumi:pulumi:Stack"]
    return chain[-1].name if chain else r.name


def priced_types() -> set[str]:
    return set(PRICERS)
