"""Reading the stack config (``Pulumi.<stack>.yaml``) into its model (``architectures/stack_config.py``).

Every key of this project's namespace is checked when the program starts. A bad value stops the program with one line
that names the key and what is allowed. Defaults follow the protection level: ``standard`` is cheap (no NAT, single-AZ
database, small instances, short retention); ``hardened`` is for stage and prod (Multi-AZ, deletion protection, WAF,
final snapshots, long retention). Secrets are never read from plain config: a key that looks like a secret must have
been set with ``pulumi config set --secret``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from architectures import SYSTEMS
from architectures.stack_config import StackConfig
from aws_systems.cost import CostSettings

PROJECT = "aws-systems"
SECRET_LOOKING = re.compile(r"(password|secret|token|private.?key|api.?key)", re.IGNORECASE)


class ProgramConfig(StackConfig, CostSettings):
    """The stack config with the keys only the program and its tools read: ``budgetMonthlyUsd`` (the preflight's
    ``cost-budget`` rule fails a preview whose monthly estimate is over it) and ``costAssumptions`` (the usage behind
    the estimate's usage-driven figures; ``make plan`` prints them next to the figures)."""


class ConfigError(ValueError):
    """A stack config problem, worded as one line for the person running ``pulumi`` (whitespace, newlines included,
    is folded so that the message stays one line whatever value it quotes)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


def _error_line(error: Mapping[str, Any], namespace: str) -> str:
    """Turn one pydantic error into ``aws-systems:database.allocatedStorageGb: <what is allowed> (got -5)``."""
    loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
    message = error["msg"].removeprefix("Value error, ")
    if not loc:  # a rule across keys: its message starts with the key it is about
        return f"{namespace}:{message}"
    key = f"{namespace}:{'.'.join(loc)}"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    if error["type"] == "missing":
        return f"{key}: required key is missing"
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    return f"{key}: {message}{shown}"


def parse(
    raw: Mapping[str, Any], secret_keys: set[str] | frozenset[str] = frozenset(), project: str = PROJECT
) -> ProgramConfig:
    """Validate the flat ``{"project:key": value}`` config Pulumi gives a program. Raises :class:`ConfigError`."""
    prefix = f"{project}:"
    values: dict[str, Any] = {}
    for full_key, value in raw.items():
        if full_key == "aws:region":
            values.setdefault("region", value)
        if not full_key.startswith(prefix):
            continue
        key = full_key.removeprefix(prefix)
        if SECRET_LOOKING.search(key) and full_key not in secret_keys:
            raise ConfigError(f"{full_key}: looks like a secret; set it with `pulumi config set --secret {key}`")
        values[key] = _decode(value)
    try:
        config = ProgramConfig.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_error_line(exc.errors()[0], project)) from None
    unknown = [s for s in config.systems if s not in SYSTEMS]
    if unknown:
        raise ConfigError(f"{project}:systems: unknown system {unknown[0]!r}; allowed: {', '.join(SYSTEMS)}")
    return config


def _decode(value: Any) -> Any:
    """Pulumi hands structured config values to programs as JSON strings."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
