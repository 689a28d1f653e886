"""A private S3 bucket for data, reports or backups, with every S3 line of the security checklist by default.

All public access is blocked (CKV_AWS_53-56), ACLs are disabled, objects are encrypted at rest, non-TLS requests
are denied (CKV_AWS_379), versions are kept and old ones expire, and backups move to Glacier (CKV2_AWS_61).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components import defaults
from components._base import Component, Transforms
from components.defaults import Protection

Purpose = Literal["data", "reports", "backups", "access-logs"]


def _check_days(argument: str, value: int | None) -> None:
    """``None`` or a positive whole number of days."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{argument}: must be a positive whole number of days (got {value!r})")


@dataclass(kw_only=True)
class SecureBucketArgs:
    """Arguments of :class:`SecureBucketComponent`.

    Attributes:
        protection: ``"standard"`` (default) or ``"hardened"``. Hardened warns when access logs are missing and
            when ``force_destroy`` is on.
        purpose: ``"data"`` (default), ``"reports"``, ``"backups"`` or ``"access-logs"``. Backups must stay
            versioned and move to Glacier after ``glacier_after_days``. An ``access-logs`` bucket receives other
            buckets' server access logs: S3's logging service may write to it, from this account only.
        versioned: ``None`` (default) means on. Turning it off is an error for backups and logs a warning
            otherwise; the versioning status then becomes ``Suspended``.
        kms_key_arn: ``None`` (default) encrypts with SSE-S3 (AES256); a KMS key ARN encrypts with SSE-KMS and
            an S3 bucket key (fewer KMS calls, lower cost).
        access_logs_bucket: ``None`` (default) or the name of a bucket receiving server access logs under the
            prefix ``"<name>/"``. That bucket's policy must allow ``logging.s3.amazonaws.com`` to write there.
        noncurrent_version_expiry_days: ``None`` (default) keeps old versions
            ``defaults.S3_NONCURRENT_VERSION_EXPIRY_DAYS`` (90) days; a shorter period logs a warning.
        glacier_after_days: backups only. ``None`` (default) moves current objects to GLACIER after
            ``defaults.S3_BACKUP_GLACIER_AFTER_DAYS`` (30) days.
        expire_after_days: ``None`` (default) keeps current objects forever; otherwise they expire after this
            many days (for example reports). For backups it must exceed the Glacier transition.
        force_destroy: ``False`` (default); ``True`` lets the bucket be deleted while it still holds objects.
        policy_statements: ``()`` (default); extra bucket policy statements appended after the TLS-only deny
            (for example letting a service write here). Each is a mapping with at least ``Effect``.
        transforms: ``None`` (default) or per-child overrides by role: ``bucket``, ``public-access-block``,
            ``ownership``, ``encryption``, ``versioning``, ``lifecycle``, ``policy``, ``logging``.
    """

    protection: Protection = "standard"
    purpose: Purpose = "data"
    versioned: bool | None = None
    kms_key_arn: pulumi.Input[str] | None = None
    access_logs_bucket: pulumi.Input[str] | None = None
    noncurrent_version_expiry_days: int | None = None
    glacier_after_days: int | None = None
    expire_after_days: int | None = None
    force_destroy: bool = False
    policy_statements: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        defaults.by_protection(self.protection, standard=None, hardened=None)  # validates protection
        if self.purpose not in defaults.S3_DATA_PURPOSES:
            raise ValueError(f"purpose: must be one of {', '.join(defaults.S3_DATA_PURPOSES)} (got {self.purpose!r})")
        if self.versioned is False and self.purpose == "backups":
            raise ValueError("versioned: backups buckets must stay versioned (got False)")
        for argument in ("noncurrent_version_expiry_days", "glacier_after_days", "expire_after_days"):
            _check_days(argument, getattr(self, argument))
        if self.glacier_after_days is not None and self.purpose != "backups":
            raise ValueError(f"glacier_after_days: only allowed for purpose 'backups' (got {self.purpose!r})")
        glacier = self.glacier_after_days or defaults.S3_BACKUP_GLACIER_AFTER_DAYS
        if self.purpose == "backups" and self.expire_after_days is not None and self.expire_after_days <= glacier:
            raise ValueError(
                f"expire_after_days: must be greater than glacier_after_days ({glacier}) for backups "
                f"(got {self.expire_after_days})"
            )
        for statement in self.policy_statements:
            if not isinstance(statement, Mapping) or statement.get("Effect") not in ("Allow", "Deny"):
                raise ValueError(
                    f"policy_statements: each must be a mapping with Effect 'Allow' or 'Deny' (got {statement!r})"
                )


class SecureBucketComponent(Component):
    """A private, encrypted, TLS-only, versioned S3 bucket with lifecycle rules.

    Attributes:
        bucket: the ``aws.s3.Bucket``.
        bucket_name: the bucket's name (its ``bucket`` output).
        arn: the bucket's ARN.
        public_access_block, ownership, encryption, versioning, lifecycle, policy: the configuration children.
        logging: the ``aws.s3.BucketLogging``, or ``None`` without ``access_logs_bucket``.
    """

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:storage:SecureBucketComponent", name, args.transforms, opts)
        self._args = args
        self._normalize()
        self._create_bucket()
        self._create_public_access_block()
        self._create_ownership()
        self._create_encryption()
        self._create_versioning()
        self._create_lifecycle()
        self._create_policy()
        self._create_logging()
        self.bucket_name: pulumi.Output[str] = self.bucket.bucket
        self.arn: pulumi.Output[str] = self.bucket.arn
        self._check_transforms_used()
        self.register_outputs({"bucket_name": self.bucket_name, "arn": self.arn})

    # --- settings -------------------------------------------------------------------------------------------

    def _normalize(self) -> None:
        a = self._args
        component = f"SecureBucketComponent {self._name}"
        self._versioned = defaults.secure_at_least(component, "versioned", True, a.versioned)
        self._noncurrent_days = defaults.secure_at_least(
            component,
            "noncurrent_version_expiry_days",
            defaults.S3_NONCURRENT_VERSION_EXPIRY_DAYS,
            a.noncurrent_version_expiry_days,
        )
        self._glacier_days = a.glacier_after_days or defaults.S3_BACKUP_GLACIER_AFTER_DAYS
        hardened = a.protection == "hardened"
        if hardened:
            defaults.secure(component, "force_destroy", False, a.force_destroy)
            if a.access_logs_bucket is None and a.purpose != "access-logs":
                pulumi.log.warn(f"{component}: access_logs_bucket not set; server access logging is off")

    # --- children -------------------------------------------------------------------------------------------

    def _create_bucket(self) -> None:
        self.bucket = aws.s3.Bucket(
            self._child_name("bucket"),
            **self._props("bucket", force_destroy=self._args.force_destroy),
            opts=self._opts(),
        )

    def _create_public_access_block(self) -> None:
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            self._child_name("public-access-block"),
            **self._props(
                "public-access-block",
                bucket=self.bucket.id,
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
            ),
            opts=self._opts(),
        )

    def _create_ownership(self) -> None:
        """ACLs off: the bucket owner owns every object, so access is decided by policies alone."""
        self.ownership = aws.s3.BucketOwnershipControls(
            self._child_name("ownership"),
            **self._props("ownership", bucket=self.bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}),
            opts=self._opts(),
        )

    def _create_encryption(self) -> None:
        key_arn = self._args.kms_key_arn
        rule: dict[str, Any] = (
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key_arn},
                "bucket_key_enabled": True,
            }
            if key_arn is not None
            else {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            self._child_name("encryption"),
            **self._props("encryption", bucket=self.bucket.id, rules=[rule]),
            opts=self._opts(),
        )

    def _create_versioning(self) -> None:
        """``Suspended`` rather than absent when off, so switching it off on an existing bucket takes effect."""
        status = "Enabled" if self._versioned else "Suspended"
        self.versioning = aws.s3.BucketVersioning(
            self._child_name("versioning"),
            **self._props("versioning", bucket=self.bucket.id, versioning_configuration={"status": status}),
            opts=self._opts(),
        )

    def _lifecycle_rules(self) -> list[dict[str, Any]]:
        """Old versions expire and stale uploads are cleaned up; backups go to Glacier; objects may expire."""
        rule: dict[str, Any] = {
            "id": "retention",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "abort_incomplete_multipart_upload": {"days_after_initiation": defaults.S3_ABORT_INCOMPLETE_MULTIPART_DAYS},
            "noncurrent_version_expiration": {"noncurrent_days": self._noncurrent_days},
        }
        if self._args.purpose == "backups":
            rule["transitions"] = [{"days": self._glacier_days, "storage_class": "GLACIER"}]
        if self._args.expire_after_days is not None:
            rule["expiration"] = {"days": self._args.expire_after_days}
        return [rule]

    def _create_lifecycle(self) -> None:
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            self._child_name("lifecycle"),
            **self._props("lifecycle", bucket=self.bucket.id, rules=self._lifecycle_rules()),
            opts=self._opts(depends_on=[self.versioning]),
        )

    def _create_policy(self) -> None:
        """Deny every request not made over TLS (CKV_AWS_379), then the caller's statements."""
        deny_insecure = {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [self.bucket.arn, pulumi.Output.concat(self.bucket.arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        statements = [deny_insecure]
        if self._args.purpose == "access-logs":
            statements.append(self._log_delivery_statement())
        document = {
            "Version": "2012-10-17",
            "Statement": [*statements, *(dict(s) for s in self._args.policy_statements)],
        }
        self.policy = aws.s3.BucketPolicy(
            self._child_name("policy"),
            **self._props("policy", bucket=self.bucket.id, policy=pulumi.Output.json_dumps(document)),
            # A policy put before the public access block could be judged public and rejected.
            opts=self._opts(depends_on=[self.public_access_block]),
        )

    def _log_delivery_statement(self) -> dict[str, Any]:
        """S3 server access logging writes with this service principal; only this account's buckets may log here."""
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        return {
            "Sid": "AllowServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(self.bucket.arn, "/*"),
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }

    def _create_logging(self) -> None:
        self.logging: aws.s3.BucketLogging | None = None
        if self._args.access_logs_bucket is None:
            return
        self.logging = aws.s3.BucketLogging(
            self._child_name("logging"),
            **self._props(
                "logging",
                bucket=self.bucket.id,
                target_bucket=self._args.access_logs_bucket,
                target_prefix=f"{self._name}/",
            ),
            opts=self._opts(),
        )
