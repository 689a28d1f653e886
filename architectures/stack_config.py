"""The stack config (``Pulumi.<stack>.yaml``) as a model: what a stack deploys and how.

It lives with the declarations because the composition (``cloud.py``) reads it; ``program/config.py`` parses Pulumi's
config into it and turns every refusal into one line that names the key. Defaults follow the protection level:
``standard`` is cheap (no NAT, single-AZ database, small instances, short retention); ``hardened`` is for stage and
prod (Multi-AZ, deletion protection, WAF, final snapshots, long retention).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel

from aws_systems.validation import CLOUDWATCH_RETENTION_DAYS, cidr_problem, origin_problem
from handlers.retail.store_settings import StoreDefaults, store_config_json

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")

IMAGE_REFERENCE = re.compile(
    r"^[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$"
)
"""A pullable image: registry host, repository, then a tag or a digest."""
SystemName = Literal["moving", "shop", "retail"]
Protection = Literal["standard", "hardened"]


class Section(BaseModel):
    """Config sections use camelCase keys, as Pulumi config does, and reject unknown keys."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """``natGateways: true`` is a mistake, not 1: pydantic would read a bool as a number."""
        annotation = str(cls.model_fields[info.field_name or ""].annotation)
        if isinstance(value, bool) and ("int" in annotation or "float" in annotation) and "bool" not in annotation:
            raise ValueError(f"must be a number, not {str(value).lower()}")
        return value


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

    @field_validator("image_uri")
    @classmethod
    def _an_image_reference(cls, uri: str | None) -> str | None:
        if uri is not None and not IMAGE_REFERENCE.match(uri):
            raise ValueError("must be an image reference with a tag or digest, such as '<registry>/<repository>:<tag>'")
        return uri

    @field_validator("public_access_cidrs")
    @classmethod
    def _public_networks(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        """Compared as networks: canonical public IPv4 blocks that together open no more than a /8's worth of
        addresses, and never the whole internet (``aws_systems.validation.cidr_problem``)."""
        problem = cidr_problem(cidrs, public=True)
        if problem:
            raise ValueError(problem)
        return cidrs


class LambdaConfig(Section):
    """The stack's Lambda settings (``lambda:`` in the stack file).

    ``memoryMb`` is the memory of every function of the enabled systems whose service declares none: a service's own
    ``memory_mb`` (``architectures/<system>.py``) wins, because it is sized for that service's work in every stack,
    while the stack sets the default for the rest. The deploy-time helper functions (Kubernetes manifest apply) keep
    the library's default."""

    architecture: Literal["arm64", "x86_64"] = "arm64"
    """The functions' and the dependency layer's architecture."""
    memory_mb: int = Field(default=512, ge=128, le=10240)
    """Memory of every function whose service declares none (default 512 MB)."""
    account_concurrency: int = Field(default=1000, ge=10)
    """The account's concurrent executions quota in the stack's region (Service Quotas: "Concurrent executions";
    default 1000, new accounts may have less). The program does not use it; the preflight's ``lambda-concurrency``
    rule does: the reserved concurrency of the stack's functions must leave Lambda's 100 unreserved out of it."""


class SiteConfig(Section):
    domain: str | None = Field(default=None, pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}$")
    hosted_zone_id: str | None = Field(default=None, pattern=r"^Z[0-9A-Z]{1,31}$")
    waf: bool | None = None
    """Default: on when hardened."""

    @model_validator(mode="after")
    def _domain_needs_zone(self) -> SiteConfig:
        if self.domain and not self.hosted_zone_id:
            raise ValueError("hostedZoneId is required when domain is set")
        return self


class StoreConfig(StoreDefaults):
    """The retail store (``store:``): what it starts with until its admin saves the settings in the web app (name,
    currency, tax rate, language, time zone; each left out is a Peruvian store's: PEN, IGV 18%, Spanish,
    America/Lima), and who receives its reports by email."""

    report_recipients: tuple[str, ...] = ()
    """Email addresses subscribed to the reports topic (each confirms the subscription SNS mails it)."""

    @field_validator("report_recipients")
    @classmethod
    def _emails(cls, emails: tuple[str, ...]) -> tuple[str, ...]:
        bad = [e for e in emails if not EMAIL.fullmatch(e)]
        if bad:
            raise ValueError(f"not an email address: {', '.join(bad)}")
        return emails


class StackConfig(Section):
    """Everything a stack may configure, under the ``aws-systems:`` namespace."""

    environment: Literal["dev", "qa", "stage", "prod"]
    systems: tuple[SystemName, ...] = Field(min_length=1)
    protection: Protection = "standard"
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    alert_emails: tuple[str, ...] = ()
    log_retention_days: int | None = None
    """One of CloudWatch Logs' retention periods (``CLOUDWATCH_RETENTION_DAYS``); default 14, or 365 when hardened."""
    cors_origins: tuple[str, ...] = ()
    """Origins (``https://host[:port]``) of other browser apps; ``*`` only when standard."""
    network: NetworkConfig = NetworkConfig()
    database: DatabaseConfig = DatabaseConfig()
    kubernetes: KubernetesConfig = KubernetesConfig()
    lambda_: LambdaConfig = Field(default=LambdaConfig(), alias="lambda")
    site: SiteConfig = SiteConfig()
    store: StoreConfig = StoreConfig()

    @field_validator("log_retention_days")
    @classmethod
    def _a_cloudwatch_retention(cls, days: int | None) -> int | None:
        if days is not None and days not in CLOUDWATCH_RETENTION_DAYS:
            allowed = ", ".join(map(str, CLOUDWATCH_RETENTION_DAYS))
            raise ValueError(f"must be one of CloudWatch Logs' retention periods: {allowed}")
        return days

    @model_validator(mode="after")
    def _check(self) -> StackConfig:
        if len(set(self.systems)) != len(self.systems):
            raise ValueError("systems: each system may be listed once")
        bad = [e for e in self.alert_emails if not EMAIL.fullmatch(e)]
        if bad:
            raise ValueError(f"alertEmails: not an email address: {', '.join(bad)}")
        if self.environment in ("stage", "prod") and self.protection != "hardened":
            raise ValueError(f"protection: must be 'hardened' for the {self.environment} environment")
        problem = origin_problem(self.cors_origins, hardened=self.protection == "hardened")
        if problem:
            raise ValueError(f"corsOrigins: {problem}")
        if self.environment == "prod":
            self._prod_keeps_hardened_defaults()
        return self

    def emails(self, key: str | None) -> list[str]:
        """The addresses a topic declares as its recipients (``Topic.email_recipients``); none for None."""
        if key is None:
            return []
        if key != "store.reportRecipients":
            raise KeyError(f"no list of email addresses at {key!r}")
        return list(self.store.report_recipients)

    def section_json(self, section: str) -> str:
        """A section as the functions that need it get it (``Needs.config``): JSON, without the keys only the stack
        uses (the store's report recipients)."""
        if section != "store":
            raise KeyError(f"no config section {section!r} is given to functions")
        app_url = self.store.app_url or (f"https://{self.site.domain}" if self.site.domain else None)
        return store_config_json(self.store.model_copy(update={"app_url": app_url}))

    def _prod_keeps_hardened_defaults(self) -> None:
        """Stage may weaken a hardened default (the components warn in the preview); prod may not."""
        db, days = self.database, self.log_retention_days
        weakened = {
            "logRetentionDays": (days is not None and days < 365, f"at least 365 in prod (got {days})"),
            "database.multiAz": (db.multi_az is False, "must stay on in prod"),
            "database.deletionProtection": (db.deletion_protection is False, "must stay on in prod"),
            "database.backupRetentionDays": (
                (db.backup_retention_days or 35) < 35,
                f"must be 35 in prod (got {db.backup_retention_days})",
            ),
            "site.waf": (self.site.waf is False, "must stay on in prod"),
        }
        for key, (weaker, rule) in weakened.items():
            if weaker:
                raise ValueError(f"{key}: {rule}, where the hardened default may not be weakened")
