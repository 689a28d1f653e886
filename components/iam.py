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


def assume_role_policy(service_principal: str) -> pulumi.Output[str]:
    """A trust policy that lets exactly one AWS service assume the role."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service_principal}, "Action": "sts:AssumeRole"}],
        }
    )


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
        return out
