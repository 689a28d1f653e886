"""What an estimate is made of: priced items per resource, resources per group (system), and what was not priced.

An estimate goes to JSON and back (:meth:`Estimate.to_dict`, :meth:`Estimate.from_dict`) so that a pull request can
compare the estimate of its branch with the base branch's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Item:
    """One billed quantity of a resource: what it is, its monthly dollars, and the usage assumption it rests on
    (empty for a fixed cost)."""

    what: str
    usd: float
    usage: str = ""

    @property
    def fixed(self) -> bool:
        return not self.usage


@dataclass
class Priced:
    """A resource with the items it is billed for."""

    name: str
    type: str
    group: str
    items: list[Item]

    @property
    def usd(self) -> float:
        return sum(i.usd for i in self.items)


@dataclass(frozen=True)
class Unpriced:
    """A resource the estimate could not price (a type or a size the price table does not know)."""

    name: str
    type: str
    group: str
    reason: str


@dataclass
class Estimate:
    """The monthly estimate of a stack."""

    region: str
    currency: str
    prices_taken: str
    assumptions: dict[str, Any]
    resources: list[Priced] = field(default_factory=list)
    unpriced: list[Unpriced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def usd(self) -> float:
        return sum(r.usd for r in self.resources)

    @property
    def fixed_usd(self) -> float:
        return sum(i.usd for r in self.resources for i in r.items if i.fixed)

    def groups(self) -> dict[str, list[Priced]]:
        """Billable resources per group, groups and resources in the order of their cost (highest first)."""
        by_group: dict[str, list[Priced]] = {}
        for r in self.resources:
            if r.usd > 0:
                by_group.setdefault(r.group, []).append(r)
        ordered = sorted(by_group.items(), key=lambda kv: (-sum(r.usd for r in kv[1]), kv[0]))
        return {g: sorted(rs, key=lambda r: (-r.usd, r.name)) for g, rs in ordered}

    def group_usd(self) -> dict[str, float]:
        return {g: sum(r.usd for r in rs) for g, rs in self.groups().items()}

    def biggest(self, count: int = 3) -> list[Priced]:
        return sorted((r for r in self.resources if r.usd > 0), key=lambda r: (-r.usd, r.name))[:count]

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "currency": self.currency,
            "pricesTaken": self.prices_taken,
            "totalUsd": round(self.usd, 2),
            "fixedUsd": round(self.fixed_usd, 2),
            "assumptions": self.assumptions,
            "groups": [
                {
                    "name": group,
                    "totalUsd": round(sum(r.usd for r in resources), 2),
                    "resources": [_resource_dict(r) for r in resources],
                }
                for group, resources in self.groups().items()
            ],
            "unpriced": [{"name": u.name, "type": u.type, "group": u.group, "reason": u.reason} for u in self.unpriced],
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Estimate:
        resources = [
            Priced(r["name"], r["type"], g["name"], [Item(i["what"], i["usd"], i.get("usage", "")) for i in r["items"]])
            for g in data.get("groups", [])
            for r in g["resources"]
        ]
        unpriced = [Unpriced(u["name"], u["type"], u.get("group", ""), u["reason"]) for u in data.get("unpriced", [])]
        return cls(
            data["region"],
            data["currency"],
            data["pricesTaken"],
            dict(data.get("assumptions", {})),
            resources,
            unpriced,
            list(data.get("notes", [])),
        )


def _resource_dict(r: Priced) -> dict[str, Any]:
    return {
        "name": r.name,
        "type": r.type,
        "totalUsd": round(r.usd, 4),
        "items": [{"what": i.what, "usd": round(i.usd, 4), **({"usage": i.usage} if i.usage else {})} for i in r.items],
    }
