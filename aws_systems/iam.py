"""Least-privilege IAM statements, built from what a workload declares it needs and nothing more."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

Statement = dict[str, Any]

TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
TABLE_WRITE = [
    *TABLE_READ,
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
]
BUCKET_READ = ["s3:GetObject"]
BUCKET_WRITE = [*BUCKET_READ, "s3:PutObject"]
XRAY = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# What Lambda needs to attach a function to private subnets; these actions only accept Resource "*".
VPC_ACCESS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


def _is_wildcard(action: object) -> bool:
    """``*`` or ``service:*``: a grant of every action, which no statement here may make."""
    return isinstance(action, str) and (action == "*" or action.endswith(":*"))


def check_statements(argument: str, statements: Sequence[Mapping[str, Any]]) -> None:
    """Validate policy statements a caller supplies: each a mapping with Effect, Action and Resource, and no
    wildcard action. Values may be Outputs (an Output ``Action`` cannot be checked here). Errors start with
    ``argument``."""
    for given in statements:
        if not isinstance(given, Mapping) or not {"Effect", "Action", "Resource"} <= set(given):
            raise ValueError(
                f"{argument}: each statement must be a dict with Effect, Action and Resource (got {given!r})"
            )
        actions = given["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if isinstance(actions, list | tuple) and any(_is_wildcard(a) for a in actions):
            raise ValueError(f"{argument}: wildcard actions ('*', 'service:*') are not allowed (got {list(actions)!r})")


def statement(actions: Sequence[str], resources: Sequence[pulumi.Input[str]], sid: str | None = None) -> Statement:
    """One Allow statement. Wildcard actions are refused: every grant names its actions."""
    if any(_is_wildcard(a) for a in actions):
        raise ValueError(f"actions: wildcards are not allowed (got {list(actions)})")
    if not resources:
        raise ValueError("resources: at least one resource is required")
    out: Statement = {"Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
    if sid:
        out["Sid"] = sid
    return out


def deny_insecure_transport(action: str, resources: Any) -> Statement:
    """Deny ``action`` on ``resources`` (one ARN or a list) to every request not made over TLS (CKV_AWS_379 for
    S3; the same rule for SQS and SNS resource policies)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


# --- confused deputy -----------------------------------------------------------------------------------------------
# A service principal acts for every AWS account. A role it may assume, or a key it may use, must say for which one:
# aws:SourceAccount (and aws:SourceArn where the calling resource's ARN is known), which the service sets to the
# account and resource it acts for. The services below do not set them in the one place named, so a condition there
# would only break the service; each is listed with its reason, and the preflight rule "confused-deputy" reads
# these same tables.
SOURCE_CONDITION_KEYS = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths")

TRUSTS_WITHOUT_SOURCE: dict[str, str] = {
    "lambda.amazonaws.com": "Lambda assumes a function's execution role with no aws:SourceAccount or aws:SourceArn in "
    "the request; the role is tied to its function by iam:PassRole when the function is created",
    "ec2.amazonaws.com": "EC2 assumes an instance profile's role with no source keys; the role is tied to its "
    "instances by iam:PassRole",
    "eks.amazonaws.com": "EKS assumes the cluster role with no source keys; the role is tied to its cluster by "
    "iam:PassRole",
}
"""Service principals a role trust may name without a source condition, and why."""

KEYS_WITHOUT_SOURCE: dict[str, str] = {
    "events.amazonaws.com": "EventBridge's KMS requests for an encrypted SNS or SQS target carry no aws:SourceAccount, "
    "aws:SourceArn or aws:SourceOrgID (Amazon SNS developer guide, encrypted topics), so a condition would drop "
    "every event",
}
"""Service principals a key policy may name without a source condition, and why."""


def source_condition(account: pulumi.Input[str], source_arn: pulumi.Input[str] | None = None) -> dict[str, Any]:
    """Only when the service acts for ``account`` (and, when given, for a resource matching ``source_arn``)."""
    condition: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": account}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return condition


def account_of(arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The account in an ARN of this stack (no data source needed)."""
    return pulumi.Output.from_input(arn).apply(lambda a: a.split(":")[4])


def sibling_arn(arn: pulumi.Input[str], service: str, resource: str) -> pulumi.Output[str]:
    """``arn:<partition>:<service>:<region>:<account>:<resource>`` in the partition, region and account of ``arn``."""
    return pulumi.Output.from_input(arn).apply(
        lambda a: ":".join([*a.split(":")[:2], service, *a.split(":")[3:5], resource])
    )


def trust_policy(
    principal: Mapping[str, pulumi.Input[str]],
    action: str = "sts:AssumeRole",
    condition: pulumi.Input[Mapping[str, Any]] | None = None,
) -> pulumi.Output[str]:
    """A trust policy that lets exactly ``principal`` (``{"Service": ...}``, ``{"Federated": ...}``) assume the role
    through ``action``, under ``condition`` when given."""
    trust: Statement = {"Effect": "Allow", "Principal": dict(principal), "Action": action}
    if condition is not None:
        trust["Condition"] = condition
    return policy_document([trust])


def assume_role_policy(service_principal: str, condition: Mapping[str, Any] | None = None) -> pulumi.Output[str]:
    """A trust policy that lets exactly one AWS service assume the role, under ``condition``. The condition is
    required (:func:`source_condition`) unless the service is one of :data:`TRUSTS_WITHOUT_SOURCE`."""
    if condition is None and service_principal not in TRUSTS_WITHOUT_SOURCE:
        raise ValueError(
            f"condition: a role {service_principal} assumes needs aws:SourceAccount or aws:SourceArn "
            "(iam.source_condition), or the confused deputy problem lets another account's resource use it"
        )
    return trust_policy({"Service": service_principal}, condition=condition)


def policy_document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass(kw_only=True)
class Permissions:
    """What a workload may touch, as ARNs. Every field defaults to nothing."""

    db_secret_arn: pulumi.Input[str] | None = None
    """The workload's database credentials secret (read only)."""
    tables_read: Sequence[pulumi.Input[str]] = ()
    tables_write: Sequence[pulumi.Input[str]] = ()
    buckets_read: Sequence[pulumi.Input[str]] = ()
    buckets_write: Sequence[pulumi.Input[str]] = ()
    topics: Sequence[pulumi.Input[str]] = ()
    """Topics the workload publishes to."""
    user_pool_arn: pulumi.Input[str] | None = None
    user_pool_actions: Sequence[str] = field(default_factory=tuple)
    """Cognito admin actions (without the ``cognito-idp:`` prefix) on ``user_pool_arn``."""
    keys: Sequence[pulumi.Input[str]] = ()
    """Customer-managed KMS keys that encrypt the tables, buckets, topics or secret above. The workload may use them
    only through those services (``kms:ViaService``): ``kms:Decrypt``, and ``kms:GenerateDataKey`` when it writes
    to a bucket or topic. Default none."""

    def __post_init__(self) -> None:
        if self.user_pool_actions and self.user_pool_arn is None:
            raise ValueError("user_pool_actions: needs user_pool_arn")

    def statements(self) -> list[Statement]:
        """The statements for these permissions, one per kind of resource."""
        out: list[Statement] = []
        if self.db_secret_arn is not None:
            out.append(statement(["secretsmanager:GetSecretValue"], [self.db_secret_arn], "DatabaseSecret"))
        for sid, actions, arns in (
            ("TablesRead", TABLE_READ, self.tables_read),
            ("TablesWrite", TABLE_WRITE, self.tables_write),
        ):
            if arns:
                indexes = [pulumi.Output.concat(a, "/index/*") for a in arns]
                out.append(statement(actions, [*arns, *indexes], sid))
        for sid, actions, arns in (
            ("BucketsRead", BUCKET_READ, self.buckets_read),
            ("BucketsWrite", BUCKET_WRITE, self.buckets_write),
        ):
            if arns:
                out.append(statement(actions, [pulumi.Output.concat(a, "/*") for a in arns], sid))
        if self.topics:
            out.append(statement(["sns:Publish"], list(self.topics), "Topics"))
        if self.user_pool_actions:
            assert self.user_pool_arn is not None
            actions = [f"cognito-idp:{a}" for a in self.user_pool_actions]
            out.append(statement(actions, [self.user_pool_arn], "UserPool"))
        if self.keys:
            out.append(self._keys_statement())
        return out

    def _keys_statement(self) -> Statement:
        services = {
            "secretsmanager": self.db_secret_arn is not None,
            "dynamodb": bool(self.tables_read or self.tables_write),
            "s3": bool(self.buckets_read or self.buckets_write),
            "sns": bool(self.topics),
        }
        writes = bool(self.buckets_write or self.topics)
        actions = ["kms:Decrypt", *(["kms:GenerateDataKey"] if writes else [])]
        return keys_through(actions, list(self.keys), [s for s, used in services.items() if used], "Keys")


def keys_through(
    actions: Sequence[str], keys: Sequence[pulumi.Input[str]], services: Sequence[str], sid: str
) -> Statement:
    """KMS ``actions`` on ``keys``, only when one of ``services`` (``secretsmanager``, ``dynamodb``...) asks KMS on
    the caller's behalf: the key cannot be used directly, nor through another service."""
    if not services:
        raise ValueError("services: name the services that use the keys")
    out = statement(actions, keys, sid)
    out["Condition"] = {"StringLike": {"kms:ViaService": [f"{s}.*.amazonaws.com" for s in sorted(services)]}}
    return out
