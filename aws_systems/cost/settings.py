"""The cost keys of a stack's config: ``budgetMonthlyUsd`` and ``costAssumptions``.

The program validates them with the rest of the stack config; the policy pack reads them from the stack config the
Pulumi CLI hands it (the same ``pulumi.Config`` a program reads), so the ``cost-budget`` rule and ``make plan`` price
a stack under the same assumptions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import config as pulumi_config
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from aws_systems.cost.assumptions import CostAssumptions

KEYS = ("budgetMonthlyUsd", "costAssumptions")


class CostSettings(BaseModel):
    """A stack's budget and usage assumptions (camelCase keys in the stack config)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    budget_monthly_usd: float | None = Field(default=None, gt=0)
    """The most the stack's monthly estimate may be; over it, the preflight's ``cost-budget`` rule fails the preview.
    Default: no budget."""
    cost_assumptions: CostAssumptions = CostAssumptions()
    """Usage per resource and month behind the usage-driven figures (see ``CostAssumptions``)."""


def from_config(raw: Mapping[str, Any], project: str | None = None) -> tuple[CostSettings, str | None]:
    """The cost settings and the stack's region from Pulumi's flat config (``{"project:key": value}``, objects as
    JSON strings). The keys of ``project``'s namespace, else of any namespace."""
    values = _cost_keys(raw, project) or _cost_keys(raw, None)
    region = raw.get("aws:region")
    return CostSettings.model_validate(values), region if isinstance(region, str) else None


def _cost_keys(raw: Mapping[str, Any], project: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for full_key, value in raw.items():
        namespace, _, key = full_key.partition(":")
        if key in KEYS and (project is None or namespace == project):
            values[key] = json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value
    return values


def preview_config() -> tuple[dict[str, Any], str]:
    """The flat config Pulumi gives this process (``{"project:key": value}``), and the project's name: where the
    policy pack's rules read the stack config of the preview."""
    raw: dict[str, Any] = {**(pulumi_config.get_config_env() or {}), **pulumi_config.CONFIG.get()}
    return raw, pulumi.get_project()


def from_pulumi() -> tuple[CostSettings, str | None]:
    """The cost settings of the stack being previewed, from the config Pulumi gives this process."""
    return from_config(*preview_config())
