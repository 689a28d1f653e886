"""What a pricer gets: the price table, the usage assumptions and the stack's resources, with helpers that turn a
quantity and a price into an explained :class:`~components.cost.model.Item`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aws_systems.cost.assumptions import CostAssumptions
from aws_systems.cost.model import Item
from aws_systems.cost.prices import Price, PriceTable


class CostResource(Protocol):
    """A resource as the estimator reads it: the preflight's ``Resource`` and the offline plan's records both fit."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def props(self) -> dict[str, Any]: ...
    @property
    def parent_urn(self) -> str: ...


class NotPriced(Exception):
    """The resource is billable but the table has no price for it (an instance class, an engine, a protocol)."""


def num(value: Any, default: float = 0.0) -> float:
    """A number property; ``default`` when it is absent or not known yet."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def get(resource: CostResource, *path: str) -> Any:
    value: Any = resource.props
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def count(value: Any) -> int:
    return len(value) if isinstance(value, Sequence) and not isinstance(value, str) else 0


def _money(usd: float) -> str:
    return f"${usd:,.4f}".rstrip("0").rstrip(".") if usd < 1 else f"${usd:,.2f}"


@dataclass
class Context:
    prices: PriceTable
    assume: CostAssumptions
    resources: Sequence[CostResource]
    by_urn: dict[str, CostResource] = field(init=False)
    children: dict[str, list[CostResource]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.resources}
        self.children = {}
        for r in self.resources:
            self.children.setdefault(r.parent_urn, []).append(r)

    @property
    def hours(self) -> float:
        return float(self.assume.hours_per_month)

    def price(self, key: str) -> Price:
        found = self.prices.find(key)
        if found is None:
            raise NotPriced(f"the price table has no {key!r}")
        return found

    def fixed(self, what: str, key: str, quantity: float) -> Item:
        """``quantity`` units of price ``key``, a cost that follows from the declaration alone."""
        p = self.price(key)
        return Item(f"{what}: {quantity:,.6g} × {_money(p.usd)} per {p.per}", quantity * p.usd)

    def usage(self, what: str, key: str, quantity: float, *fields: str, per_million: bool = False) -> Item:
        """A cost that rests on the assumptions ``fields``; ``per_million`` when the price is per million units."""
        p = self.price(key)
        units = quantity / 1_000_000 if per_million else quantity
        shown = f"{quantity:,.6g}" + (" (per million)" if per_million else "")
        labels = "; ".join(self.assume.label(f) for f in fields)
        return Item(f"{what}: {shown} × {_money(p.usd)} per {p.per}", units * p.usd, labels)

    def siblings(self, resource: CostResource, type_: str) -> list[CostResource]:
        return [r for r in self.children.get(resource.parent_urn, []) if r.type == type_ and r is not resource]

    def ancestors(self, resource: CostResource) -> list[CostResource]:
        found, seen = [], {resource.urn}
        parent = self.by_urn.get(resource.parent_urn)
        while parent is not None and parent.urn not in seen:
            found.append(parent)
            seen.add(parent.urn)
            parent = self.by_urn.get(parent.parent_urn)
        return found


Pricer = Callable[[CostResource, Context], list[Item]]
