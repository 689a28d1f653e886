"""Secure defaults for every component, in one place.

Values are merged in this order: the library default below, then the component's default for the protection level,
then the user's value. A user may weaken a secure default, but :func:`secure` logs a warning through
``pulumi.log.warn`` when they do, so the choice is visible in every preview.

The checkov rule ids next to each value let a policy pack name the same rule.
"""

from __future__ import annotations

from typing import Literal, TypeVar

import pulumi

from aws_systems.site_content import (  # noqa: F401
    SITE_CSP_DIRECTIVES,
    SITE_FRAME_OPTION,
    SITE_PERMISSIONS_POLICY,
    SITE_REFERRER_POLICY,
)
from aws_systems.validation import check_one_of

T = TypeVar("T")

Protection = Literal["standard", "hardened"]
"""``standard`` is the cheap profile (dev, qa); ``hardened`` is for stage and prod."""

PROTECTIONS: tuple[Protection, ...] = ("standard", "hardened")


def check_protection(protection: object) -> None:
    """``protection`` must be one of :data:`PROTECTIONS`; every component's args check theirs with this."""
    check_one_of("protection", protection, PROTECTIONS)


def by_protection(protection: Protection, standard: T, hardened: T) -> T:
    """Pick the value for a protection level."""
    check_protection(protection)
    return hardened if protection == "hardened" else standard


def weaker_than_secure(component: str, setting: str, default: T, value: T | None, *, weaker: bool) -> T:
    """The one rule for secure defaults: ``value`` when given, else the secure ``default``; a value that is
    ``weaker`` than the default is allowed, with a warning that names the component, the setting and both values."""
    if value is None:
        return default
    if weaker:
        pulumi.log.warn(f"{component}: {setting} overridden to {value!r} (secure default is {default!r})")
    return value


def secure(component: str, setting: str, default: T, override: T | None) -> T:
    """The user's ``override`` if given, else the secure ``default``; any other value warns."""
    return weaker_than_secure(component, setting, default, override, weaker=override != default)


# --- Lambda (CKV_AWS_50 X-Ray, CKV_AWS_66 log retention, CKV_AWS_363 supported runtime) ---------------------------
LAMBDA_RUNTIME = "python3.12"
SUPPORTED_LAMBDA_RUNTIMES = ("python3.12", "python3.13")
LAMBDA_ARCHITECTURE = "arm64"
LAMBDA_TRACING_MODE = "Active"
LAMBDA_MEMORY_MB = 512
LAMBDA_TIMEOUT_SECONDS = 10


def log_retention_days(protection: Protection) -> int:
    """CloudWatch log retention: short in dev, a year in prod (CKV_AWS_66, CKV_AWS_338)."""
    return by_protection(protection, standard=14, hardened=365)


# --- SQS / EventBridge (every target has a DLQ and retries; queues encrypted) -------------------------------------
SQS_MANAGED_SSE = True
SQS_MAX_RECEIVE_COUNT = 5
SQS_DLQ_RETENTION_SECONDS = 14 * 24 * 3600
SQS_VISIBILITY_TIMEOUT_FACTOR = 6  # visibility timeout >= 6x the consumer's timeout (AWS guidance)
EVENT_TARGET_MAX_RETRY_ATTEMPTS = 8
EVENT_TARGET_MAX_EVENT_AGE_SECONDS = 24 * 3600
EVENT_SOURCE_BATCH_SIZE = 10


def event_archive_retention_days(protection: Protection) -> int:
    """How long a bus archive keeps events for replay."""
    return by_protection(protection, standard=7, hardened=90)


# --- Cognito ------------------------------------------------------------------------------------------------------
PASSWORD_MIN_LENGTH = 12
ACCESS_TOKEN_VALIDITY_MINUTES = 60
ID_TOKEN_VALIDITY_MINUTES = 60
REFRESH_TOKEN_VALIDITY_DAYS = 30


# --- API Gateway (HTTP API) -------------------------------------------------------------------------------------
API_THROTTLE_RATE = 100.0
API_THROTTLE_BURST = 200
API_CORS_MAX_AGE_SECONDS = 600
# A Lambda authorizer's answer is cached per token and route (its group rules depend on the route), so a client's
# requests after the first skip the authorizer; a token stays accepted at most this long after it expires.
LAMBDA_AUTHORIZER_CACHE_TTL_SECONDS = 300
LAMBDA_AUTHORIZER_IDENTITY_SOURCES = ("$request.header.Authorization", "$context.routeKey")


# --- S3 / CloudFront / WAF --------------------------------------------------------------------------------------
S3_NONCURRENT_VERSION_EXPIRY_DAYS = 90
S3_BACKUP_GLACIER_AFTER_DAYS = 30
CLOUDFRONT_MIN_TLS = "TLSv1.2_2021"
HSTS_MAX_AGE_SECONDS = 63072000  # two years, with includeSubDomains and preload
WAF_RATE_LIMIT_PER_5_MIN = 2000
WAF_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
)


# --- RDS -----------------------------------------------------------------------------------------------------------
def rds_backup_retention_days(protection: Protection) -> int:
    """At least 7 days, 35 in prod (CKV_AWS_133)."""
    return by_protection(protection, standard=7, hardened=35)


RDS_MIN_BACKUP_RETENTION_DAYS = 7
RDS_STORAGE_ENCRYPTED = True
RDS_PERFORMANCE_INSIGHTS = True
RDS_LOG_EXPORTS = ("error", "slowquery", "audit")


# --- DynamoDB ------------------------------------------------------------------------------------------------------
DYNAMODB_POINT_IN_TIME_RECOVERY = True


# --- EKS -----------------------------------------------------------------------------------------------------------
EKS_CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")


# --- Static site (CloudFront: CKV2_AWS_32 headers, CKV_AWS_68 WAF in prod) ----------------------------------
# The AWS managed cache policy "CachingOptimized".
CLOUDFRONT_CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# The site's security headers live with the other site rules, in the Pulumi-free ``site_content`` module.


def site_waf_enabled(protection: Protection) -> bool:
    """A WAF in front of the site in prod (CKV_AWS_68); optional in dev, where it costs more than it saves."""
    return by_protection(protection, standard=False, hardened=True)


def site_force_destroy(protection: Protection) -> bool:
    """Let dev stacks delete non-empty site and log buckets; never in prod."""
    return by_protection(protection, standard=True, hardened=False)


# --- VPC and RDS details (CKV2_AWS_11 flow logs, CKV2_AWS_12 default SG, CKV2_AWS_69 TLS, CKV_AWS_161) ---
VPC_FLOW_LOG_TRAFFIC_TYPE = "ALL"
VPC_INTERFACE_ENDPOINTS = (
    "secretsmanager",
    "events",
    "sns",
    "sqs",
    "sts",
    "logs",
    "monitoring",
    "cognito-idp",
    "ecr.api",
    "ecr.dkr",
)
VPC_GATEWAY_ENDPOINTS = ("s3", "dynamodb")
# EKS nodes in private subnets without NAT also call EC2 (the VPC CNI assigns pod addresses); the rest of what they
# need (ECR, S3, STS, CloudWatch Logs) is in the defaults above.
EKS_NODE_INTERFACE_ENDPOINTS = ("ec2",)
RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
RDS_IAM_DATABASE_AUTHENTICATION = True
RDS_MASTER_USERNAME = "admin"
RDS_PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7  # the free tier; 731 or a multiple of 31 cost extra
KMS_KEY_DELETION_WINDOW_DAYS = 30


# --- EventBridge Scheduler -------------------------------------------------------------------------------------------
SCHEDULE_MAX_RETRY_ATTEMPTS = 5


# --- EKS services (CKV_AWS_38/39 private endpoint, ECR immutable tags + scanning, restricted pods) -------------
EKS_ENDPOINT_PUBLIC_ACCESS = False
ECR_IMAGE_TAG_MUTABILITY = "IMMUTABLE"  # CKV_AWS_51
ECR_SCAN_ON_PUSH = True  # CKV_AWS_163
ECR_KEEP_LAST_IMAGES = 30
POD_RUN_AS_USER = 10001
POD_SECURITY_STANDARD = "restricted"  # Kubernetes Pod Security Standard enforced on service namespaces


# --- Data stores: S3 data buckets, DynamoDB tables, SNS topics -------------------------------------------------
S3_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
S3_DATA_PURPOSES = ("data", "reports", "backups", "access-logs")
# On-demand: no idle cost in dev and no throttling surprises.
DYNAMODB_BILLING_MODE: Literal["PAY_PER_REQUEST"] = "PAY_PER_REQUEST"
DYNAMODB_PROVISIONED_CAPACITY = 5  # read and write units when a table is PROVISIONED and none are given
SNS_AWS_MANAGED_KEY = "alias/aws/sns"  # SNS topics are encrypted with KMS; AWS services cannot use this key


def kms_key_deletion_window_days(protection: Protection) -> int:
    """Days a deleted customer-managed key can still be recovered: short in dev, the maximum in prod."""
    return by_protection(protection, standard=7, hardened=KMS_KEY_DELETION_WINDOW_DAYS)


def secure_at_least(component: str, setting: str, default: T, override: T | None) -> T:
    """Like :func:`secure` for settings where more is safer (a flag that is on, a longer retention).

    Only an override *below* the default warns: turning on a protection the profile leaves off is not weakening.
    """
    weaker = override is not None and override < default  # type: ignore[operator]
    return weaker_than_secure(component, setting, default, override, weaker=weaker)


# --- AWS Backup (CKV2_AWS_8: RDS and DynamoDB in a backup plan) ---------------------------------------------------
BACKUP_SCHEDULE = "cron(0 5 * * ? *)"  # daily, 05:00 UTC
BACKUP_START_WINDOW_MINUTES = 60
BACKUP_COMPLETION_WINDOW_MINUTES = 180
BACKUP_MIN_COLD_STORAGE_DAYS = 90  # AWS Backup keeps a recovery point in cold storage for at least 90 days
# BACKUP_JOB_FAILED is deprecated and never fires: failures arrive as BACKUP_JOB_COMPLETED with a FAILED state.
BACKUP_VAULT_EVENTS = ("BACKUP_JOB_COMPLETED", "RESTORE_JOB_COMPLETED", "COPY_JOB_FAILED")


def backup_retention_days(protection: Protection) -> int:
    """Days a recovery point is kept: a week in dev, 35 days in prod (matching the RDS retention)."""
    return by_protection(protection, standard=7, hardened=35)


def backup_kms_key(protection: Protection) -> bool:
    """A customer-managed key for the backup vault in prod; the AWS managed backup key in dev."""
    return by_protection(protection, standard=False, hardened=True)


def backup_vault_lock(protection: Protection) -> bool:
    """A vault lock (governance mode) in prod, so recovery points cannot be deleted before their retention."""
    return by_protection(protection, standard=False, hardened=True)
