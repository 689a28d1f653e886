"""An RDS MySQL/MariaDB instance that meets the RDS secure defaults, with an optional RDS Proxy in front.

The master password is generated and rotated by RDS in Secrets Manager (``manage_master_user_password``):
it never passes through stack config or state. Clients get the secret's ARN and read it at run time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection, check_protection
from aws_systems.iam import account_of, assume_role_policy, policy_document, source_condition
from aws_systems.kms import rotating_key
from aws_systems.validation import check_int, check_one_of

Engine = Literal["mysql", "mariadb"]
ENGINES: tuple[Engine, ...] = ("mysql", "mariadb")
# Under RDS standard support until July 2029 (MySQL 8.4 LTS) and February 2028 (MariaDB 10.11).
DEFAULT_ENGINE_VERSIONS: dict[str, str] = {"mysql": "8.4", "mariadb": "10.11"}
# require_secure_transport exists from these versions on; older ones cannot enforce TLS.
MIN_ENGINE_VERSIONS: dict[str, tuple[int, int]] = {"mysql": (8, 0), "mariadb": (10, 5)}
# MySQL writes an audit log only through the MARIADB_AUDIT_PLUGIN option group, so it is not exported.
LOG_TYPES: dict[str, frozenset[str]] = {
    "mysql": frozenset({"error", "general", "slowquery"}),
    "mariadb": frozenset({"audit", "error", "general", "slowquery"}),
}
PORT = 3306
STORAGE_RANGE_GB = (20, 65536)
BACKUP_RETENTION_RANGE = (defaults.RDS_MIN_BACKUP_RETENTION_DAYS, 35)
RDS_PRINCIPAL = "rds.amazonaws.com"
COMPONENT = "DatabaseComponent"
_VERSION = re.compile(r"^(\d+)\.(\d+)(\.\d+)?$")
_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9-]+\.[a-z0-9]+$")
# Performance Insights is not offered on these classes for MySQL/MariaDB.
_NO_PERFORMANCE_INSIGHTS = re.compile(r"^db\.t(2|3|4g)\.(micro|small)$")


def performance_insights_supported(instance_class: str) -> bool:
    """Whether RDS offers Performance Insights for MySQL/MariaDB on ``instance_class`` (not on t2/t3/t4g micro
    and small)."""
    return not _NO_PERFORMANCE_INSIGHTS.match(instance_class)


def parameter_group_family(engine: str, engine_version: str) -> str:
    """``mysql`` + ``8.0.39`` -> ``mysql8.0``; ``mariadb`` + ``10.11`` -> ``mariadb10.11``."""
    major, minor = _parse_version(engine_version)
    return f"{engine}{major}.{minor}"


def _parse_version(version: str) -> tuple[int, int]:
    match = _VERSION.match(version)
    if not match:
        raise ValueError(f"engine_version: must look like 8.0 or 10.11.9 (got {version!r})")
    return int(match.group(1)), int(match.group(2))


def _snapshot_identifier(name: str) -> str:
    """A stable final snapshot id: RDS allows letters, digits and single hyphens, starting with a letter."""
    cleaned = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", name.lower())).strip("-")
    if not cleaned[:1].isalpha():
        cleaned = f"db-{cleaned}"
    return f"{cleaned}-final"


@dataclass(kw_only=True)
class DatabaseArgs:
    """How to build a :class:`DatabaseComponent`. Only the network placement is required."""

    vpc_id: pulumi.Input[str]
    """The VPC the database lives in. Required."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets in at least two AZs (an RDS subnet group needs two). Required."""
    protection: Protection = "standard"
    """``standard`` (dev/qa, cheap) or ``hardened`` (stage/prod). Default ``standard``."""
    engine: Engine = "mysql"
    """``mysql`` or ``mariadb``. Default ``mysql``."""
    engine_version: str | None = None
    """Major.minor, or a full version. Default ``8.4`` for mysql, ``10.11`` for mariadb (minor upgrades are
    automatic), both under RDS standard support (until July 2029 and February 2028). Oldest allowed: MySQL 8.0,
    MariaDB 10.5 (the first with ``require_secure_transport``); versions past standard support pay RDS extended
    support, which the preflight's ``standard-support`` rule refuses."""
    instance_class: str = "db.t4g.micro"
    """The instance class. Default ``db.t4g.micro``."""
    allocated_storage_gb: int = 20
    """Initial gp3 storage, 20..65536 GiB. Default 20."""
    max_allocated_storage_gb: int | None = None
    """Storage autoscaling ceiling, at least ``allocated_storage_gb``. Default None (no autoscaling)."""
    multi_az: bool | None = None
    """A standby in a second AZ. Default False (standard) / True (hardened; turning it off warns)."""
    deletion_protection: bool | None = None
    """Refuse deletion. Default False (standard) / True (hardened; turning it off warns)."""
    skip_final_snapshot: bool | None = None
    """Delete without a final snapshot. Default True (standard) / False (hardened; skipping warns). The final
    snapshot is named ``f"{name}-final"``: stable, never a timestamp."""
    backup_retention_days: int | None = None
    """Automated backup retention, 7..35 days. Default ``defaults.rds_backup_retention_days`` (7 / 35); less
    than 35 in hardened warns."""
    client_security_group_ids: Sequence[pulumi.Input[str]] = ()
    """Security groups allowed to reach the database (and proxy) port. Default none."""
    proxy: bool = False
    """An RDS Proxy (TLS required) in front; it reads the master secret with its own role. Default False."""
    proxy_user_secret_arns: Sequence[pulumi.Input[str]] = ()
    """Secrets (``username``, ``password``) of the other database users that connect through the proxy: a proxy
    refuses any user it holds no secret for. Only with ``proxy=True``. Default none."""
    performance_insights: bool | None = None
    """Performance Insights (7 days, free tier). Default True where the class supports it. RDS does not
    offer it for MySQL/MariaDB on t2/t3/t4g micro and small classes (so it is off for the default
    ``db.t4g.micro``), and asking for it there is an error. Turning it off where supported warns."""
    kms_key: bool | None = None
    """Encrypt storage, the master secret and Performance Insights with a customer-managed KMS key (rotated).
    Default False (standard: the AWS-managed key) / True (hardened; turning it off warns)."""
    transforms: Transforms | None = None
    """Per-child overrides by role (``instance``, ``params``, ``sg``, ``proxy``...). Default none."""

    def __post_init__(self) -> None:
        check_protection(self.protection)
        if self.proxy_user_secret_arns and not self.proxy:
            raise ValueError("proxy_user_secret_arns: only allowed with proxy=True")
        check_one_of("engine", self.engine, ENGINES)
        major_minor = _parse_version(self.resolved_engine_version)
        oldest = MIN_ENGINE_VERSIONS[self.engine]
        if major_minor < oldest:
            raise ValueError(
                f"engine_version: {self.engine} must be {oldest[0]}.{oldest[1]} or newer, the first to "
                f"support require_secure_transport (got {self.engine_version!r})"
            )
        if not isinstance(self.instance_class, str) or not _INSTANCE_CLASS.match(self.instance_class):
            raise ValueError(f"instance_class: must look like db.t4g.micro (got {self.instance_class!r})")
        check_int("allocated_storage_gb", self.allocated_storage_gb, *STORAGE_RANGE_GB)
        if self.max_allocated_storage_gb is not None:
            check_int(
                "max_allocated_storage_gb",
                self.max_allocated_storage_gb,
                self.allocated_storage_gb,
                STORAGE_RANGE_GB[1],
            )
        if self.backup_retention_days is not None:
            check_int("backup_retention_days", self.backup_retention_days, *BACKUP_RETENTION_RANGE)
        if isinstance(self.subnet_ids, list | tuple) and len(self.subnet_ids) < 2:
            raise ValueError(f"subnet_ids: RDS needs subnets in at least two AZs (got {list(self.subnet_ids)!r})")
        if isinstance(self.client_security_group_ids, str):
            raise ValueError("client_security_group_ids: must be a sequence of security group ids, not a string")
        if self.performance_insights and not performance_insights_supported(self.instance_class):
            raise ValueError(
                f"performance_insights: not available on {self.instance_class} for MySQL/MariaDB; "
                f"use a larger class or leave it unset"
            )

    @property
    def resolved_engine_version(self) -> str:
        """The engine version after defaults."""
        return self.engine_version or DEFAULT_ENGINE_VERSIONS[self.engine]

    @property
    def log_exports(self) -> list[str]:
        """The library's log exports that this engine can produce, in a stable order."""
        return [t for t in defaults.RDS_LOG_EXPORTS if t in LOG_TYPES[self.engine]]


class DatabaseComponent(Component):
    """An encrypted, private, TLS-only RDS instance with a managed master secret and optional RDS Proxy.

    Attributes: ``instance``, ``security_group``, ``endpoint`` (host name), ``port``, ``master_secret_arn``,
    ``master_secret_kms_key_arn`` (the key a reader of the master secret must be able to use; None with the AWS
    managed key), ``proxy_endpoint`` (None without a proxy), ``ready`` (what a client that connects during the
    deploy must depend on: the proxy's registered target), ``engine``; also ``subnet_group``, ``parameter_group``,
    ``kms_key``, ``proxy`` and ``proxy_target`` (None when not built).
    """

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:database:DatabaseComponent", name, args.transforms, opts)
        self._args = args
        self.engine: str = args.engine
        self._normalize()
        self._create_kms_key()
        self._create_subnet_group()
        self._create_security_group()
        self._create_parameter_group()
        self._create_instance()
        self._create_proxy()
        self._check_transforms_used()
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "port": self.port,
                "master_secret_arn": self.master_secret_arn,
                "proxy_endpoint": self.proxy_endpoint,
                "security_group_id": self.security_group.id,
            }
        )

    def _normalize(self) -> None:
        """Merge library, protection and user values; warn where the user weakens a secure default."""
        a = self._args
        hardened = a.protection == "hardened"
        at_least = functools.partial(defaults.secure_at_least, COMPONENT)
        self._multi_az = at_least("multi_az", hardened, a.multi_az)
        self._deletion_protection = at_least("deletion_protection", hardened, a.deletion_protection)
        self._skip_final_snapshot = defaults.weaker_than_secure(
            COMPONENT,
            "skip_final_snapshot",
            not hardened,
            a.skip_final_snapshot,
            weaker=hardened and a.skip_final_snapshot is True,
        )
        default_retention = defaults.rds_backup_retention_days(a.protection)
        self._backup_retention = at_least("backup_retention_days", default_retention, a.backup_retention_days)
        supported = defaults.RDS_PERFORMANCE_INSIGHTS and performance_insights_supported(a.instance_class)
        self._performance_insights = at_least("performance_insights", supported, a.performance_insights)
        self._use_kms_key = at_least("kms_key", hardened, a.kms_key)

    def _create_kms_key(self) -> None:
        """A rotated customer-managed key, when asked for (the default in hardened)."""
        self.kms_key: aws.kms.Key | None = None
        if not self._use_kms_key:
            return
        description = f"{self._name}: RDS storage, master secret and Performance Insights"
        self.kms_key = rotating_key(self, "kms-key", description, self._args.protection)

    def _create_subnet_group(self) -> None:
        self.subnet_group = self._child(
            aws.rds.SubnetGroup,
            "subnets",
            subnet_ids=self._args.subnet_ids,
            description=f"{self._name}: private subnets",
        )

    def _create_security_group(self) -> None:
        """The database port from the client groups only. A proxy shares this group and reaches the database
        through a self rule, so no second group (and no cycle between two groups) is needed."""
        ingress = []
        if self._args.client_security_group_ids:
            ingress.append(
                {
                    "protocol": "tcp",
                    "from_port": PORT,
                    "to_port": PORT,
                    "security_groups": list(self._args.client_security_group_ids),
                    "description": "Database clients",
                }
            )
        egress = []
        if self._args.proxy:
            proxy_rule = {"protocol": "tcp", "from_port": PORT, "to_port": PORT, "self": True}
            ingress.append({**proxy_rule, "description": "RDS Proxy to the database"})
            egress.append({**proxy_rule, "description": "RDS Proxy to the database"})
        self.security_group = self._child(
            aws.ec2.SecurityGroup,
            "sg",
            vpc_id=self._args.vpc_id,
            description=f"{self._name}: database port from its clients only",
            ingress=ingress,
            egress=egress,
            tags={"Name": self._child_name("sg")},
        )

    def _create_parameter_group(self) -> None:
        """TLS required (CKV2_AWS_69), and the slow query log written to files so it can be exported.

        Instance parameter groups take ``1`` for ``require_secure_transport`` (``ON`` is the cluster form);
        AWS reports ``1`` back, so ``1`` also keeps previews free of a perpetual diff.
        """
        family = parameter_group_family(self._args.engine, self._args.resolved_engine_version)
        self.parameter_group = self._child(
            aws.rds.ParameterGroup,
            "params",
            family=family,
            description=f"{self._name}: TLS required, slow query log",
            parameters=[
                {"name": "require_secure_transport", "value": "1"},
                {"name": "slow_query_log", "value": "1"},
                {"name": "log_output", "value": "FILE"},
            ],
        )

    def _create_instance(self) -> None:
        a = self._args
        key_arn = self.kms_key.arn if self.kms_key else None
        snapshot: dict[str, Any] = (
            {} if self._skip_final_snapshot else {"final_snapshot_identifier": _snapshot_identifier(self._name)}
        )
        insights: dict[str, Any] = (
            {
                "performance_insights_retention_period": defaults.RDS_PERFORMANCE_INSIGHTS_RETENTION_DAYS,
                "performance_insights_kms_key_id": key_arn,
            }
            if self._performance_insights
            else {}
        )
        self.instance = self._child(
            aws.rds.Instance,
            "instance",
            engine=a.engine,
            engine_version=a.resolved_engine_version,
            instance_class=a.instance_class,
            allocated_storage=a.allocated_storage_gb,
            max_allocated_storage=a.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=defaults.RDS_STORAGE_ENCRYPTED,
            kms_key_id=key_arn,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            parameter_group_name=self.parameter_group.name,
            port=PORT,
            publicly_accessible=False,
            username=defaults.RDS_MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=key_arn,
            iam_database_authentication_enabled=defaults.RDS_IAM_DATABASE_AUTHENTICATION,
            multi_az=self._multi_az,
            deletion_protection=self._deletion_protection,
            backup_retention_period=self._backup_retention,
            skip_final_snapshot=self._skip_final_snapshot,
            copy_tags_to_snapshot=True,
            enabled_cloudwatch_logs_exports=a.log_exports,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            ca_cert_identifier=defaults.RDS_CA_CERT_IDENTIFIER,
            performance_insights_enabled=self._performance_insights,
            **insights,
            **snapshot,
        )
        self.endpoint: pulumi.Output[str] = self.instance.address
        self.port: pulumi.Output[int] = self.instance.port
        # The secret exists once RDS manages the master password, which this component always asks for.
        self.master_secret_arn: pulumi.Output[str] = self.instance.master_user_secrets.apply(
            lambda secrets: secrets[0].secret_arn or "" if secrets else ""
        )
        self.master_secret_kms_key_arn: pulumi.Output[str] | None = self.kms_key.arn if self.kms_key else None

    def _create_proxy(self) -> None:
        """RDS Proxy with TLS required, reading the users' secrets through a role that reads nothing else."""
        self.proxy: aws.rds.Proxy | None = None
        self.proxy_target: aws.rds.ProxyTarget | None = None
        self.proxy_endpoint: pulumi.Output[str] | None = None
        self.ready: list[pulumi.Resource] = [self.instance]
        if not self._args.proxy:
            return
        role, policy = self._create_proxy_role()
        self.proxy = self._child(
            aws.rds.Proxy,
            "proxy",
            engine_family="MYSQL",
            role_arn=role.arn,
            vpc_subnet_ids=self._args.subnet_ids,
            vpc_security_group_ids=[self.security_group.id],
            require_tls=True,
            debug_logging=False,
            auths=[
                {
                    "auth_scheme": "SECRETS",
                    "secret_arn": self.master_secret_arn,
                    "iam_auth": "DISABLED",
                    "description": "master user, password from the RDS-managed secret",
                },
                *(
                    {"auth_scheme": "SECRETS", "secret_arn": arn, "iam_auth": "DISABLED", "description": "user"}
                    for arn in self._args.proxy_user_secret_arns
                ),
            ],
            depends_on=[policy],
        )
        target_group = self._child(aws.rds.ProxyDefaultTargetGroup, "proxy-target-group", db_proxy_name=self.proxy.name)
        self.proxy_target = self._child(
            aws.rds.ProxyTarget,
            "proxy-target",
            db_proxy_name=self.proxy.name,
            target_group_name=target_group.name,
            db_instance_identifier=self.instance.identifier,
        )
        self.proxy_endpoint = self.proxy.endpoint
        self.ready = [self.proxy_target]

    def _create_proxy_role(self) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        """The proxy's role: it reads the master and the users' secrets (and decrypts them with the component's key,
        when there is one), nothing else."""
        # RDS acting for this account only; the proxy's own ARN is not known before the role exists, so no SourceArn.
        trust = assume_role_policy(RDS_PRINCIPAL, source_condition(account_of(self.instance.arn)))
        role = self._child(aws.iam.Role, "proxy-role", assume_role_policy=trust)
        secrets = [self.master_secret_arn, *self._args.proxy_user_secret_arns]
        statements: list[dict[str, object]] = [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secrets}
        ]
        if self.kms_key:
            statements.append({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": self.kms_key.arn})
        policy = self._child(aws.iam.RolePolicy, "proxy-policy", role=role.id, policy=policy_document(statements))
        return role, policy
