"""What a stack costs a month, estimated from its resources before anything is deployed.

Fixed costs come from the price table beside this module (``prices.json``: list prices with their region, date and
source page); usage-driven costs from :class:`CostAssumptions`, which a stack's config may change. The offline plan
(``make plan``) prints the estimate, and the preflight's ``cost-budget`` rule refuses a preview whose estimate is over
the stack's ``budgetMonthlyUsd``.
"""

from __future__ import annotations

from aws_systems.cost.assumptions import CostAssumptions
from aws_systems.cost.estimate import PRICERS, estimate, priced_types
from aws_systems.cost.free import FREE, PRICED_WITH_CHILDREN, free_reason
from aws_systems.cost.model import Estimate, Item, Priced, Unpriced
from aws_systems.cost.prices import Price, PriceTable, load
from aws_systems.cost.settings import CostSettings

__all__ = [
    "FREE",
    "PRICED_WITH_CHILDREN",
    "PRICERS",
    "CostAssumptions",
    "CostSettings",
    "Estimate",
    "Item",
    "Price",
    "PriceTable",
    "Priced",
    "Unpriced",
    "estimate",
    "free_reason",
    "load",
    "priced_types",
]
