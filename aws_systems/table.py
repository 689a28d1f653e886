"""A DynamoDB table with string keys: on-demand, point-in-time recovery, encrypted, protected in prod.

Encryption uses the AWS-owned key in dev (free) and a rotated customer-managed KMS key in prod (CKV_AWS_119).
Point-in-time recovery is always on (CKV_AWS_28). TTL is declared by naming the attribute that holds the expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection
from aws_systems.kms import rotating_key
from aws_systems.validation import check_int, check_one_of

BillingMode = Literal["PAY_PER_REQUEST", "PROVISIONED"]
BILLING_MODES: tuple[BillingMode, ...] = ("PAY_PER_REQUEST", "PROVISIONED")
MAX_ATTRIBUTE_NAME_LENGTH = 255  # DynamoDB's limit for key attribute names


def _check_attribute_name(argument: str, value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value or len(value) > MAX_ATTRIBUTE_NAME_LENGTH:
        raise ValueError(
            f"{argument}: must be a non-empty attribute name of at most {MAX_ATTRIBUTE_NAME_LENGTH} characters "
            f"(got {value!r})"
        )


@dataclass(kw_only=True)
class TableArgs:
    """Arguments of :class:`TableComponent`.

    Attributes:
        partition_key: required; the name of the partition (hash) key, a string attribute.
        sort_key: ``None`` (default) or the name of the sort (range) key, a string attribute.
        ttl_attribute: ``None`` (default) or the name of the numeric attribute holding each item's expiry (epoch
            seconds); it must not be a key.
        protection: ``"standard"`` (default) or ``"hardened"``; picks the defaults of ``kms_key`` and
            ``deletion_protection``.
        billing_mode: ``"PAY_PER_REQUEST"`` (default, on-demand) or ``"PROVISIONED"``.
        read_capacity, write_capacity: ``None`` (default); only with ``PROVISIONED``, where they default to
            ``defaults.DYNAMODB_PROVISIONED_CAPACITY`` (5) units.
        point_in_time_recovery: ``True`` (default); turning it off logs a warning.
        kms_key: ``None`` (default) means a customer-managed key when hardened and the AWS-owned key when
            standard. Turning it off when hardened logs a warning.
        deletion_protection: ``None`` (default) means off when standard, on when hardened. Turning it off when
            hardened logs a warning.
        transforms: ``None`` (default) or per-child overrides by role: ``table``, ``key``.
    """

    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None
    protection: Protection = "standard"
    billing_mode: BillingMode = defaults.DYNAMODB_BILLING_MODE
    read_capacity: int | None = None
    write_capacity: int | None = None
    point_in_time_recovery: bool = True
    kms_key: bool | None = None
    deletion_protection: bool | None = None
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        for argument in ("partition_key", "sort_key", "ttl_attribute"):
            _check_attribute_name(argument, getattr(self, argument))
        if self.sort_key == self.partition_key:
            raise ValueError(f"sort_key: must differ from partition_key (both {self.sort_key!r})")
        if self.ttl_attribute is not None and self.ttl_attribute in (self.partition_key, self.sort_key):
            raise ValueError(
                f"ttl_attribute: must not be a key attribute, keys are strings and TTL needs a number "
                f"(got {self.ttl_attribute!r})"
            )
        check_one_of("billing_mode", self.billing_mode, BILLING_MODES)
        for argument in ("read_capacity", "write_capacity"):
            value = getattr(self, argument)
            if value is not None:
                check_int(argument, value, 1)
            if value is not None and self.billing_mode != "PROVISIONED":
                raise ValueError(f"{argument}: only allowed with billing_mode 'PROVISIONED' (got {value!r})")


class TableComponent(Component):
    """A DynamoDB table (and its KMS key when customer-managed encryption is on).

    Attributes:
        table: the ``aws.dynamodb.Table``.
        table_name: the table's name.
        arn: the table's ARN.
        key: the ``aws.kms.Key``, or ``None`` with the AWS-owned key.
        kms_key_arn: the key's ARN, or ``None``.
    """

    def __init__(self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:storage:TableComponent", name, args.transforms, opts)
        self._args = args
        self._normalize()
        self._create_key()
        self._create_table()
        self.table_name: pulumi.Output[str] = self.table.name
        self.arn: pulumi.Output[str] = self.table.arn
        self._check_transforms_used()
        self.register_outputs({"table_name": self.table_name, "arn": self.arn, "kms_key_arn": self.kms_key_arn})

    def _normalize(self) -> None:
        a = self._args
        component = f"TableComponent {self._name}"
        self._pitr = defaults.secure_at_least(
            component, "point_in_time_recovery", defaults.DYNAMODB_POINT_IN_TIME_RECOVERY, a.point_in_time_recovery
        )
        hardened = a.protection == "hardened"
        self._use_key = defaults.secure_at_least(component, "kms_key", hardened, a.kms_key)
        self._deletion_protection = defaults.secure_at_least(
            component, "deletion_protection", hardened, a.deletion_protection
        )

    def _create_key(self) -> None:
        """A rotated customer-managed key; its default policy lets the account's IAM policies grant its use."""
        self.key: aws.kms.Key | None = None
        self.kms_key_arn: pulumi.Output[str] | None = None
        if not self._use_key:
            return
        self.key = rotating_key(self, "key", f"{self._name}: DynamoDB table encryption", self._args.protection)
        self.kms_key_arn = self.key.arn

    def _create_table(self) -> None:
        a = self._args
        keys = [k for k in (a.partition_key, a.sort_key) if k is not None]
        props: dict[str, Any] = {
            "billing_mode": a.billing_mode,
            "hash_key": a.partition_key,
            "attributes": [{"name": k, "type": "S"} for k in keys],
            # enabled=False is the AWS-owned key (still encrypted at rest); enabled=True with an ARN is our key.
            "server_side_encryption": (
                {"enabled": True, "kms_key_arn": self.kms_key_arn} if self.key else {"enabled": False}
            ),
            "point_in_time_recovery": {"enabled": self._pitr},
            "deletion_protection_enabled": self._deletion_protection,
        }
        if a.sort_key is not None:
            props["range_key"] = a.sort_key
        if a.ttl_attribute is not None:
            props["ttl"] = {"attribute_name": a.ttl_attribute, "enabled": True}
        if a.billing_mode == "PROVISIONED":
            props["read_capacity"] = a.read_capacity or defaults.DYNAMODB_PROVISIONED_CAPACITY
            props["write_capacity"] = a.write_capacity or defaults.DYNAMODB_PROVISIONED_CAPACITY
        self.table = self._child(aws.dynamodb.Table, "table", **props)
