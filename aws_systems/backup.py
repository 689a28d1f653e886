"""An AWS Backup plan for RDS instances and DynamoDB tables (CKV2_AWS_8): vault, daily rule, role and selection.

Point-in-time recovery and automated RDS snapshots live and die with the resource; a backup vault keeps recovery
points after a table or instance is deleted, and (hardened) under a vault lock that nobody can shorten.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection
from aws_systems.iam import account_of, assume_role_policy, source_condition
from aws_systems.kms import rotating_key
from aws_systems.schedule_expressions import expression_problems
from aws_systems.validation import check_int

BACKUP_PRINCIPAL = "backup.amazonaws.com"
MANAGED_POLICIES = {
    "role-backup": "service-role/AWSBackupServiceRolePolicyForBackup",
    "role-restore": "service-role/AWSBackupServiceRolePolicyForRestores",
}
# Six space-separated fields inside cron(...), as AWS Backup (and EventBridge) expect.
CRON_PATTERN = re.compile(r"^cron\(\s*\S+(\s+\S+){5}\s*\)$")
# Vault, plan and selection names allow 50 characters of [A-Za-z0-9_-]; an auto-name adds "-<role>-xxxxxxx".
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(kw_only=True)
class BackupPlanArgs:
    """Arguments of :class:`BackupPlanComponent`.

    Attributes:
        resource_arns: required; the ARNs of the RDS instances and DynamoDB tables to back up (non-empty).
        protection: ``"standard"`` (default) or ``"hardened"``; picks retention, key and vault lock.
        schedule: ``defaults.BACKUP_SCHEDULE`` (``"cron(0 5 * * ? *)"``, daily at 05:00 UTC); a six-field
            ``cron(...)`` expression.
        retention_days: ``None`` (default) keeps recovery points ``defaults.backup_retention_days(protection)``
            days (7 standard, 35 hardened); at least 1. A shorter retention logs a warning.
        cold_storage_after_days: ``None`` (default) never moves recovery points to cold storage; otherwise the
            days after which they move, leaving at least 90 days in cold storage before ``retention_days``.
            Only resource types that support cold storage move (DynamoDB with advanced features; not RDS).
        kms_key: ``None`` (default) encrypts the vault with a rotated customer-managed key when hardened and with
            the AWS managed backup key when standard. ``False`` when hardened logs a warning.
        notification_topic_arn: ``None`` (default) or an SNS topic ARN for backup and restore job results
            (``defaults.BACKUP_VAULT_EVENTS``). Failed backups arrive as ``BACKUP_JOB_COMPLETED`` with state
            ``FAILED``; filter the subscription on it. The topic's policy must allow ``backup.amazonaws.com``
            to ``SNS:Publish``, and its KMS key (if any) must allow the service to use it.
        vault_lock: ``None`` (default) locks the vault when hardened: a vault lock in governance mode (no
            ``changeable_for_days``, so it can still be removed by an administrator with
            ``backup:DeleteBackupVaultLockConfiguration``) whose minimum retention is ``retention_days``.
            ``False`` when hardened logs a warning.
        transforms: ``None`` (default) or per-child overrides by role: ``key``, ``vault``, ``vault-lock``,
            ``plan``, ``role``, ``role-backup``, ``role-restore``, ``selection``, ``notifications``.
    """

    resource_arns: Sequence[pulumi.Input[str]]
    protection: Protection = "standard"
    schedule: str = defaults.BACKUP_SCHEDULE
    retention_days: int | None = None
    cold_storage_after_days: int | None = None
    kms_key: bool | None = None
    notification_topic_arn: pulumi.Input[str] | None = None
    vault_lock: bool | None = None
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        self._check_resource_arns()
        if (
            not isinstance(self.schedule, str)
            or not CRON_PATTERN.match(self.schedule)
            or expression_problems(self.schedule)
        ):
            raise ValueError(
                f"schedule: must be a six-field cron(...) expression such as {defaults.BACKUP_SCHEDULE!r} "
                f"(got {self.schedule!r})"
            )
        for argument in ("retention_days", "cold_storage_after_days"):
            if (value := getattr(self, argument)) is not None:
                check_int(argument, value, 1)
        if self.cold_storage_after_days is not None:
            retention = self.retention_days or defaults.backup_retention_days(self.protection)
            if retention - self.cold_storage_after_days < defaults.BACKUP_MIN_COLD_STORAGE_DAYS:
                raise ValueError(
                    f"cold_storage_after_days: must leave at least {defaults.BACKUP_MIN_COLD_STORAGE_DAYS} days "
                    f"in cold storage before the retention of {retention} days "
                    f"(got {self.cold_storage_after_days})"
                )

    def _check_resource_arns(self) -> None:
        arns = self.resource_arns
        if isinstance(arns, str) or not isinstance(arns, Sequence) or not arns:
            raise ValueError(f"resource_arns: must be a non-empty list of resource ARNs (got {arns!r})")
        for arn in arns:
            if isinstance(arn, str) and not arn.startswith("arn:"):
                raise ValueError(f"resource_arns: each item must be an ARN starting with 'arn:' (got {arn!r})")


class BackupPlanComponent(Component):
    """A backup vault, a plan with one daily rule, a service role and a selection of resources.

    Attributes: ``key`` (or ``None``), ``vault``, ``vault_lock`` (or ``None``), ``plan``, ``role``,
    ``role_attachments`` (by role), ``selection``, ``notifications`` (or ``None``), and the outputs
    ``vault_name``, ``vault_arn`` and ``plan_id``.
    """

    def __init__(self, name: str, args: BackupPlanArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not NAME_PATTERN.match(name):
            raise ValueError(
                f"name: must be 1 to 32 letters, digits, '-' or '_' so the vault and selection names fit AWS "
                f"Backup's limits (got {name!r})"
            )
        super().__init__("awssystems:backup:BackupPlanComponent", name, args.transforms, opts)
        self._args = args
        self._resolve()
        self._create_key()
        self._create_vault()
        self._create_plan()
        self._create_role()
        self._create_selection()
        self._create_notifications()
        self.vault_name: pulumi.Output[str] = self.vault.name
        self.vault_arn: pulumi.Output[str] = self.vault.arn
        self.plan_id: pulumi.Output[str] = self.plan.id
        self._check_transforms_used()
        self.register_outputs({"vault_name": self.vault_name, "vault_arn": self.vault_arn, "plan_id": self.plan_id})

    def _resolve(self) -> None:
        """Merge the protection profile with the user's values; weakening one logs a warning."""
        a, p, component = self._args, self._args.protection, f"BackupPlanComponent {self._name}"
        self._retention = defaults.secure_at_least(
            component, "retention_days", defaults.backup_retention_days(p), a.retention_days
        )
        self._use_key = defaults.secure_at_least(component, "kms_key", defaults.backup_kms_key(p), a.kms_key)
        self._lock = defaults.secure_at_least(component, "vault_lock", defaults.backup_vault_lock(p), a.vault_lock)

    def _create_key(self) -> None:
        """A rotated customer-managed key for the vault, when asked for (the default in hardened)."""
        self.key: aws.kms.Key | None = None
        if not self._use_key:
            return
        self.key = rotating_key(self, "key", f"{self._name}: AWS Backup vault", self._args.protection)

    def _create_vault(self) -> None:
        """The vault, locked in governance mode when asked for (the default in hardened)."""
        self.vault = self._child(aws.backup.Vault, "vault", kms_key_arn=self.key.arn if self.key else None)
        self.vault_lock: aws.backup.VaultLockConfiguration | None = None
        if self._lock:
            # No changeable_for_days: governance mode, so a mistaken lock can still be lifted.
            self.vault_lock = self._child(
                aws.backup.VaultLockConfiguration,
                "vault-lock",
                backup_vault_name=self.vault.name,
                min_retention_days=self._retention,
            )

    def _create_plan(self) -> None:
        lifecycle = aws.backup.PlanRuleLifecycleArgs(
            delete_after=self._retention, cold_storage_after=self._args.cold_storage_after_days
        )
        self.plan = self._child(
            aws.backup.Plan,
            "plan",
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name=f"{self._name}-daily",
                    target_vault_name=self.vault.name,
                    schedule=self._args.schedule,
                    start_window=defaults.BACKUP_START_WINDOW_MINUTES,
                    completion_window=defaults.BACKUP_COMPLETION_WINDOW_MINUTES,
                    lifecycle=lifecycle,
                    recovery_point_tags={"backup-plan": self._name, "protection": self._args.protection},
                )
            ],
        )

    def _create_role(self) -> None:
        """The role AWS Backup assumes, with AWS's managed backup and restore policies (the documented way)."""
        self.role = self._child(
            aws.iam.Role,
            "role",
            description=f"{self._name}: AWS Backup service role",
            # AWS Backup acting for this account only (the vault's): no other account's plan can run as this role.
            assume_role_policy=assume_role_policy(BACKUP_PRINCIPAL, source_condition(account_of(self.vault.arn))),
        )
        # The partition (aws, aws-cn, aws-us-gov) comes from the vault's ARN rather than a hard-coded "aws".
        partition = self.vault.arn.apply(lambda arn: arn.split(":")[1])
        self.role_attachments: dict[str, aws.iam.RolePolicyAttachment] = {
            role: self._child(
                aws.iam.RolePolicyAttachment,
                role,
                role=self.role.name,
                policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy),
            )
            for role, policy in MANAGED_POLICIES.items()
        }

    def _create_selection(self) -> None:
        self.selection = self._child(
            aws.backup.Selection,
            "selection",
            plan_id=self.plan.id,
            iam_role_arn=self.role.arn,
            resources=list(self._args.resource_arns),
            depends_on=list(self.role_attachments.values()),
        )

    def _create_notifications(self) -> None:
        self.notifications: aws.backup.VaultNotifications | None = None
        if self._args.notification_topic_arn is None:
            return
        self.notifications = self._child(
            aws.backup.VaultNotifications,
            "notifications",
            backup_vault_name=self.vault.name,
            sns_topic_arn=self._args.notification_topic_arn,
            backup_vault_events=list(defaults.BACKUP_VAULT_EVENTS),
        )
