"""The stack config (``Pulumi.<stack>.yaml``) as a validated model.

Every key of this project's namespace is checked when the program starts. A bad value stops the program with one line
that names the key and what is allowed. Defaults follow the protection level: ``standard`` is cheap (no NAT, single-AZ
database, small instances, short retention); ``hardened`` is for stage and prod (Multi-AZ, deletion protection, WAF,
final snapshots, long retention). Secrets are never read from plain config: a key that looks like a secret must have
been set with ``pulumi config set --secret``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from architectures import SYSTEMS

PROJECT = "aws-systems"
SystemName = Literal["moving", "shop", "retail"]
Protection = Literal["standard", "hardened"]
SECRET_LOOKING = re.compile(r"(password|secret|token|private.?key|api.?key)", re.IGNORECASE)


class ConfigError(ValueError):
    """A stack config problem, worded as one line for the person running ``pulumi``."""


class Section(BaseModel):
    """Config sections use camelCase keys, as Pulumi config does, and reject unknown keys."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class NetworkConfig(Section):
    az_count: int = Field(default=2, ge=2, le=3)
    """Availability zones for private subnets (RDS needs two)."""
    nat_gateways: int = Field(default=0, ge=0, le=3)
    """0 means no NAT: Lambdas reach AWS through VPC endpoints."""


class DatabaseConfig(Section):
    instance_class: str = Field(default="db.t4g.micro", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    allocated_storage_gb: int = Field(default=20, ge=20, le=65536)
    multi_az: bool | None = None
    """Default: off when standard, on when hardened."""
    deletion_protection: bool | None = None
    backup_retention_days: int | None = Field(default=None, ge=7, le=35)
    proxy: bool = False


class KubernetesConfig(Section):
    version: str = Field(default="1.36", pattern=r"^1\.\d{2}$")
    """EKS version; 1.36 is under standard support until mid 2027 (14 months from its EKS release)."""
    node_instance_type: str = Field(default="t3.medium", pattern=r"^[a-z0-9]+\.[a-z0-9]+$")
    desired_nodes: int | None = Field(default=None, ge=1, le=50)
    image_uri: str | None = None
    """An image CI already pushed for the users service; when unset, the program builds and pushes it."""
    public_access_cidrs: tuple[str, ...] = ()
    """Networks allowed to reach the cluster's API over a public endpoint (default: private endpoint only). Needed
    when `pulumi up` runs outside the VPC, e.g. on a hosted CI runner; the component warns when it is used."""

    @model_validator(mode="after")
    def _cidrs_are_networks(self) -> KubernetesConfig:
        for cidr in self.public_access_cidrs:
            try:
                ipaddress.ip_network(cidr)
            except ValueError:
                raise ValueError(f"publicAccessCidrs: {cidr!r} is not a CIDR block") from None
        if "0.0.0.0/0" in self.public_access_cidrs:
            raise ValueError("publicAccessCidrs: 0.0.0.0/0 would open the cluster API to the internet")
        return self


class LambdaConfig(Section):
    architecture: Literal["arm64", "x86_64"] = "arm64"
    memory_mb: int = Field(default=512, ge=128, le=10240)


class SiteConfig(Section):
    domain: str | None = Field(default=None, pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}$")
    hosted_zone_id: str | None = None
    waf: bool | None = None
    """Default: on when hardened."""

    @model_validator(mode="after")
    def _domain_needs_zone(self) -> SiteConfig:
        if self.domain and not self.hosted_zone_id:
            raise ValueError("hostedZoneId is required when domain is set")
        return self


class StackConfig(Section):
    """Everything a stack may configure, under the ``aws-systems:`` namespace."""

    environment: Literal["dev", "qa", "stage", "prod"]
    systems: tuple[SystemName, ...] = Field(min_length=1)
    protection: Protection = "standard"
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    alert_emails: tuple[str, ...] = ()
    log_retention_days: int | None = Field(default=None, ge=1, le=3653)
    cors_origins: tuple[str, ...] = ()
    network: NetworkConfig = NetworkConfig()
    database: DatabaseConfig = DatabaseConfig()
    kubernetes: KubernetesConfig = KubernetesConfig()
    lambda_: LambdaConfig = Field(default=LambdaConfig(), alias="lambda")
    site: SiteConfig = SiteConfig()

    @model_validator(mode="after")
    def _check(self) -> StackConfig:
        if len(set(self.systems)) != len(self.systems):
            raise ValueError("systems: each system may be listed once")
        bad = [e for e in self.alert_emails if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", e)]
        if bad:
            raise ValueError(f"alertEmails: not an email address: {', '.join(bad)}")
        if self.environment in ("stage", "prod") and self.protection != "hardened":
            raise ValueError(f"protection: must be 'hardened' for the {self.environment} environment")
        return self


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
) -> StackConfig:
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
        config = StackConfig.model_validate(values)
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
