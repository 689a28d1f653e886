"""A private S3 bucket for data, reports or backups, with every S3 line of the security checklist by default.

All public access is blocked (CKV_AWS_53-56), ACLs are disabled, objects are encrypted at rest, non-TLS requests
are denied (CKV_AWS_379), versions are kept and old ones expire, and backups move to Glacier (CKV2_AWS_61).

The building blocks (:func:`block_public_access`, :func:`encrypt`, :func:`attach_policy` ...) are module functions
so that a component owning a bucket with needs of its own (a static site's CloudFront-only policy, which exists only
after its distribution) applies the same settings the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection
from aws_systems.iam import deny_insecure_transport
from aws_systems.validation import check_int, check_one_of

T = TypeVar("T", bound=pulumi.Resource)

Purpose = Literal["data", "reports", "backups", "access-logs"]
ObjectOwnership = Literal["BucketOwnerEnforced", "BucketOwnerPreferred"]

S3_LOGGING_PRINCIPAL = "logging.s3.amazonaws.com"
"""The service principal S3 server access logging writes with."""


# --- building blocks: each makes one child of ``component``, named and overridable by ``role`` -----------------


def _child(
    component: Component, resource: type[T], role: str, depends_on: Sequence[pulumi.Resource] = (), **props: Any
) -> T:
    """``resource`` as the child ``role`` of ``component`` (:meth:`Component._child`)."""
    return component._child(resource, role, depends_on=depends_on, **props)


def new_bucket(component: Component, role: str, *, force_destroy: bool) -> aws.s3.Bucket:
    """The bucket itself; every setting is a separate child."""
    return _child(component, aws.s3.Bucket, role, force_destroy=force_destroy)


def block_public_access(component: Component, role: str, bucket: aws.s3.Bucket) -> aws.s3.BucketPublicAccessBlock:
    """Every public-access switch on (CKV_AWS_53-56)."""
    return _child(
        component,
        aws.s3.BucketPublicAccessBlock,
        role,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )


def set_ownership(
    component: Component, role: str, bucket: aws.s3.Bucket, ownership: ObjectOwnership = "BucketOwnerEnforced"
) -> aws.s3.BucketOwnershipControls:
    """``BucketOwnerEnforced`` (ACLs off, access decided by policies alone) unless a writer needs ACLs."""
    return _child(
        component, aws.s3.BucketOwnershipControls, role, bucket=bucket.id, rule={"object_ownership": ownership}
    )


def encrypt(
    component: Component, role: str, bucket: aws.s3.Bucket, kms_key_arn: pulumi.Input[str] | None = None
) -> aws.s3.BucketServerSideEncryptionConfiguration:
    """SSE-S3 (AES256), or SSE-KMS with an S3 bucket key (fewer KMS calls) when a key is given."""
    rule: dict[str, Any] = (
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn},
            "bucket_key_enabled": True,
        }
        if kms_key_arn is not None
        else {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    )
    return _child(component, aws.s3.BucketServerSideEncryptionConfiguration, role, bucket=bucket.id, rules=[rule])


def set_versioning(component: Component, role: str, bucket: aws.s3.Bucket, enabled: bool) -> aws.s3.BucketVersioning:
    """``Suspended`` rather than absent when off, so switching it off on an existing bucket takes effect."""
    status = "Enabled" if enabled else "Suspended"
    return _child(
        component, aws.s3.BucketVersioning, role, bucket=bucket.id, versioning_configuration={"status": status}
    )


def lifecycle_rule(rule_id: str, **settings: Any) -> dict[str, Any]:
    """A rule for every object that also cleans up stale multipart uploads; ``settings`` add expirations."""
    return {
        "id": rule_id,
        "status": "Enabled",
        "filter": {"prefix": ""},
        "abort_incomplete_multipart_upload": {"days_after_initiation": defaults.S3_ABORT_INCOMPLETE_MULTIPART_DAYS},
        **settings,
    }


def set_lifecycle(
    component: Component,
    role: str,
    bucket: aws.s3.Bucket,
    rules: list[dict[str, Any]],
    versioning: aws.s3.BucketVersioning | None = None,
) -> aws.s3.BucketLifecycleConfiguration:
    """The lifecycle rules, applied after ``versioning`` when given (its noncurrent-version rules rely on it)."""
    after = [versioning] if versioning is not None else []
    return _child(component, aws.s3.BucketLifecycleConfiguration, role, after, bucket=bucket.id, rules=rules)


def tls_only_statement(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Deny every request to the bucket and its objects not made over TLS (CKV_AWS_379)."""
    return deny_insecure_transport("s3:*", [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")])


def attach_policy(
    component: Component,
    role: str,
    bucket: aws.s3.Bucket,
    statements: Sequence[Mapping[str, Any]],
    public_access_block: aws.s3.BucketPublicAccessBlock,
) -> aws.s3.BucketPolicy:
    """The TLS-only deny, then ``statements``; put after the public access block, or the policy could be judged
    public and rejected."""
    document = {"Version": "2012-10-17", "Statement": [tls_only_statement(bucket.arn), *(dict(s) for s in statements)]}
    return _child(
        component,
        aws.s3.BucketPolicy,
        role,
        [public_access_block],
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(document),
    )


def log_access(
    component: Component,
    role: str,
    bucket: aws.s3.Bucket,
    target_bucket: pulumi.Input[str],
    target_prefix: str,
    depends_on: Sequence[pulumi.Resource] = (),
) -> aws.s3.BucketLogging:
    """Server access logs of ``bucket`` into ``target_bucket`` under ``target_prefix``; that bucket's policy must
    let ``S3_LOGGING_PRINCIPAL`` write there (pass the policy in ``depends_on`` when it is built alongside)."""
    return _child(
        component,
        aws.s3.BucketLogging,
        role,
        depends_on,
        bucket=bucket.id,
        target_bucket=target_bucket,
        target_prefix=target_prefix,
    )


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
        defaults.check_protection(self.protection)
        check_one_of("purpose", self.purpose, defaults.S3_DATA_PURPOSES)
        if self.versioned is False and self.purpose == "backups":
            raise ValueError("versioned: backups buckets must stay versioned (got False)")
        for argument in ("noncurrent_version_expiry_days", "glacier_after_days", "expire_after_days"):
            if (days := getattr(self, argument)) is not None:
                check_int(argument, days, 1)
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
        self.bucket = new_bucket(self, "bucket", force_destroy=self._args.force_destroy)

    def _create_public_access_block(self) -> None:
        self.public_access_block = block_public_access(self, "public-access-block", self.bucket)

    def _create_ownership(self) -> None:
        self.ownership = set_ownership(self, "ownership", self.bucket)

    def _create_encryption(self) -> None:
        self.encryption = encrypt(self, "encryption", self.bucket, self._args.kms_key_arn)

    def _create_versioning(self) -> None:
        self.versioning = set_versioning(self, "versioning", self.bucket, self._versioned)

    def _lifecycle_rules(self) -> list[dict[str, Any]]:
        """Old versions expire and stale uploads are cleaned up; backups go to Glacier; objects may expire."""
        rule = lifecycle_rule("retention", noncurrent_version_expiration={"noncurrent_days": self._noncurrent_days})
        if self._args.purpose == "backups":
            rule["transitions"] = [{"days": self._glacier_days, "storage_class": "GLACIER"}]
        if self._args.expire_after_days is not None:
            rule["expiration"] = {"days": self._args.expire_after_days}
        return [rule]

    def _create_lifecycle(self) -> None:
        self.lifecycle = set_lifecycle(self, "lifecycle", self.bucket, self._lifecycle_rules(), self.versioning)

    def _create_policy(self) -> None:
        """The TLS-only deny (CKV_AWS_379), log delivery for an access-logs bucket, then the caller's statements."""
        statements = [self._log_delivery_statement()] if self._args.purpose == "access-logs" else []
        self.policy = attach_policy(
            self, "policy", self.bucket, [*statements, *self._args.policy_statements], self.public_access_block
        )

    def _log_delivery_statement(self) -> dict[str, Any]:
        """S3 server access logging writes with this service principal; only this account's buckets may log here."""
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        return {
            "Sid": "AllowServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": S3_LOGGING_PRINCIPAL},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(self.bucket.arn, "/*"),
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }

    def _create_logging(self) -> None:
        self.logging: aws.s3.BucketLogging | None = None
        if self._args.access_logs_bucket is not None:
            self.logging = log_access(self, "logging", self.bucket, self._args.access_logs_bucket, f"{self._name}/")
