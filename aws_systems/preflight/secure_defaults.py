"""Rule: every resource keeps the secure defaults this library promises (``SECURITY-CHECKLIST``), by checkov id.

The components set these by default and warn when a caller weakens one; this rule refuses the weakened resource in
the preview, whoever built it (a component, a transform, or a user's own program). Only what one resource shows
is judged here; defaults that depend on the environment (Multi-AZ, deletion protection) are left to the
components' protection levels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_systems.preflight.model import UNKNOWN, Resource, as_list, json_value

# A variable named like a secret (``DB_PASSWORD``, ``API_KEY``; not ``TOKEN_ISSUER`` or ``DB_SECRET_ARN``).
SECRET_NAME = re.compile(r"(password|passwd|secret|token|private_?key|api_?key)$", re.IGNORECASE)
HTTPS_POLICIES = ("redirect-to-https", "https-only")


@dataclass(frozen=True)
class Default:
    type: str
    checkov: str
    what: str
    holds: Callable[[Resource], bool]


def _true(*path: str) -> Callable[[Resource], bool]:
    return lambda r: r.get(*path) is True


def _behaviors(r: Resource) -> list[Mapping[str, Any]]:
    default = r.get("defaultCacheBehavior")
    ordered = [b for b in as_list(r.get("orderedCacheBehaviors")) if isinstance(b, Mapping)]
    return [b for b in [default, *ordered] if isinstance(b, Mapping)]


def _trust_names_principals(r: Resource) -> bool:
    document = json_value(r.get("assumeRolePolicy")) or {}
    for st in as_list(document.get("Statement")):
        principal = st.get("Principal") if isinstance(st, Mapping) else None
        if principal == "*" or (isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS"))):
            return False
    return True


def _no_plain_secrets(r: Resource) -> bool:
    variables = r.get("environment", "variables") or {}
    return not any(
        SECRET_NAME.search(key) and isinstance(value, str) and not value.startswith(("arn:", "https://"))
        for key, value in variables.items()
    )


def _encrypted_queue(r: Resource) -> bool:
    return r.get("sqsManagedSseEnabled") is True or bool(r.get("kmsMasterKeyId"))


def _tls_floor(r: Resource) -> bool:
    certificate = r.get("viewerCertificate") or {}
    return certificate.get("cloudfrontDefaultCertificate") is True or certificate.get("minimumProtocolVersion") in (
        "TLSv1.2_2021",
        "TLSv1.2_2025",
        "TLSv1.3_2025",
    )


def _private_endpoint(r: Resource) -> bool:
    cidrs = as_list(r.get("publicAccessCidrs"))
    return r.get("endpointPublicAccess") is not True or (bool(cidrs) and "0.0.0.0/0" not in cidrs)


DEFAULTS: tuple[Default, ...] = (
    *(
        Default("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", ckv, f"S3 {setting}", _true(setting))
        for ckv, setting in (
            ("CKV_AWS_53", "blockPublicAcls"),
            ("CKV_AWS_54", "blockPublicPolicy"),
            ("CKV_AWS_55", "ignorePublicAcls"),
            ("CKV_AWS_56", "restrictPublicBuckets"),
        )
    ),
    Default(
        "aws:cloudfront/distribution:Distribution",
        "CKV_AWS_34",
        "CloudFront serves HTTPS only",
        lambda r: all(b.get("viewerProtocolPolicy") in HTTPS_POLICIES for b in _behaviors(r)),
    ),
    Default(
        "aws:cloudfront/distribution:Distribution",
        "CKV_AWS_86",
        "CloudFront access logs",
        lambda r: bool(r.get("loggingConfig")),
    ),
    Default(
        "aws:cloudfront/distribution:Distribution",
        "CKV_AWS_305",
        "a default root object",
        lambda r: bool(r.get("defaultRootObject")),
    ),
    Default("aws:cloudfront/distribution:Distribution", "CKV_AWS_174", "TLS 1.2_2021 or newer", _tls_floor),
    Default(
        "aws:cloudfront/distribution:Distribution",
        "CKV2_AWS_32",
        "a response headers policy on every behavior",
        lambda r: all(b.get("responseHeadersPolicyId") for b in _behaviors(r)),
    ),
    Default(
        "aws:apigatewayv2/stage:Stage", "CKV_AWS_76", "API access logs", lambda r: bool(r.get("accessLogSettings"))
    ),
    Default(
        "aws:lambda/function:Function",
        "CKV_AWS_50",
        "X-Ray tracing Active",
        lambda r: r.get("tracingConfig", "mode") == "Active",
    ),
    Default("aws:lambda/function:Function", "CKV_AWS_45", "no secrets in environment variables", _no_plain_secrets),
    Default(
        "aws:lambda/permission:Permission",
        "CKV_AWS_301",
        "never publicly invokable",
        lambda r: r.get("principal") != "*",
    ),
    Default("aws:rds/instance:Instance", "CKV_AWS_16", "RDS storage encrypted", _true("storageEncrypted")),
    Default(
        "aws:rds/instance:Instance",
        "CKV_AWS_17",
        "RDS not publicly accessible",
        lambda r: r.get("publiclyAccessible") is not True,
    ),
    Default(
        "aws:rds/instance:Instance",
        "CKV_AWS_133",
        "RDS backups kept 7 days or more",
        lambda r: isinstance(r.get("backupRetentionPeriod"), int | float) and r.get("backupRetentionPeriod") >= 7,
    ),
    Default(
        "aws:rds/instance:Instance",
        "CKV_AWS_161",
        "RDS IAM authentication or a managed master password",
        lambda r: r.get("iamDatabaseAuthenticationEnabled") is True or r.get("manageMasterUserPassword") is True,
    ),
    Default(
        "aws:rds/instance:Instance",
        "CKV_AWS_129",
        "RDS logs exported",
        lambda r: bool(r.get("enabledCloudwatchLogsExports")),
    ),
    Default(
        "aws:dynamodb/table:Table",
        "CKV_AWS_28",
        "DynamoDB point-in-time recovery",
        _true("pointInTimeRecovery", "enabled"),
    ),
    Default("aws:sqs/queue:Queue", "CKV_AWS_27", "SQS encrypted", _encrypted_queue),
    Default("aws:sns/topic:Topic", "CKV_AWS_26", "SNS encrypted with KMS", lambda r: bool(r.get("kmsMasterKeyId"))),
    Default("aws:kms/key:Key", "CKV_AWS_7", "KMS key rotation", _true("enableKeyRotation")),
    Default(
        "aws:cloudwatch/logGroup:LogGroup", "CKV_AWS_66", "log retention set", lambda r: bool(r.get("retentionInDays"))
    ),
    Default(
        "aws:cognito/identityPool:IdentityPool",
        "CKV_AWS_366",
        "no unauthenticated identities",
        lambda r: r.get("allowUnauthenticatedIdentities") is not True,
    ),
    Default("aws:iam/role:Role", "CKV_AWS_60", "a trust policy naming its principals", _trust_names_principals),
    Default(
        "aws:ecr/repository:Repository",
        "CKV_AWS_51",
        "immutable image tags",
        lambda r: r.get("imageTagMutability") == "IMMUTABLE",
    ),
    Default(
        "aws:ecr/repository:Repository",
        "CKV_AWS_163",
        "image scan on push",
        _true("imageScanningConfiguration", "scanOnPush"),
    ),
    Default(
        "eks:index:Cluster",
        "CKV_AWS_39",
        "a private Kubernetes API (or one open only to named networks)",
        _private_endpoint,
    ),
    Default(
        "eks:index:Cluster",
        "CKV_AWS_58",
        "Kubernetes secrets encrypted with KMS",
        lambda r: bool(r.get("encryptionConfigKeyArn")),
    ),
    Default("eks:index:Cluster", "CKV_AWS_37", "control-plane logs", lambda r: bool(r.get("enabledClusterLogTypes"))),
    Default(
        "aws:cloudwatch/eventTarget:EventTarget",
        "",
        "a dead-letter queue and a retry policy",
        lambda r: bool(r.get("deadLetterConfig")) and bool(r.get("retryPolicy")),
    ),
    Default(
        "aws:scheduler/schedule:Schedule",
        "",
        "a dead-letter queue and a retry policy",
        lambda r: bool(r.get("target", "deadLetterConfig")) and bool(r.get("target", "retryPolicy")),
    ),
)


class _NotKnown(Exception):
    """A value a check reads is not known yet (a first preview): that check is not judged."""


class _Known(Resource):
    def get(self, *path: str | int, default: Any = None) -> Any:
        value = super().get(*path, default=default)
        if value is UNKNOWN:
            raise _NotKnown
        return value


def check(resource: Resource) -> list[str]:
    known = _Known(resource.type, resource.name, resource.urn, resource.props, resource.parent_urn)
    out = []
    for default in DEFAULTS:
        if default.type != resource.type:
            continue
        try:
            holds = default.holds(known)
        except _NotKnown:
            continue
        if not holds:
            out.append(f"{default.checkov + ': ' if default.checkov else ''}{default.what} is off")
    return out
