"""A Lambda function with its own log group and least-privilege role: the one way this library makes a function.

Every function gets a log group with retention (its logs go there as JSON), a role only Lambda can assume that may
write to that log group and send traces, X-Ray tracing on, and, in a VPC, what Lambda needs to attach to it. The
caller adds the statements of what the function itself touches. Children of the component are named from ``role``:
``<role>-logs``, ``<role>-role``, ``<role>-policy`` and ``<role>`` for the function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component
from aws_systems.iam import VPC_ACCESS, XRAY, Statement, assume_role_policy, policy_document, statement

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
MEMORY_RANGE_MB = (128, 10240)
TIMEOUT_RANGE_SECONDS = (1, 900)


@dataclass(frozen=True)
class LambdaFunction:
    """A function with the children built for it."""

    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup


def lambda_function(
    component: Component,
    role: str,
    /,
    *,
    log_retention_days: int,
    statements: Sequence[Statement] = (),
    vpc: aws.lambda_.FunctionVpcConfigArgs | None = None,
    role_props: Mapping[str, Any] | None = None,
    **function_props: Any,
) -> LambdaFunction:
    """The function ``role`` of ``component``, built with ``function_props`` (handler, code, runtime, memory...),
    and its log group and role (``role_props`` adds to the role, e.g. an explicit name). Its policy allows the logs,
    tracing, VPC access when ``vpc`` is given, then ``statements``."""
    log_group = component._child(aws.cloudwatch.LogGroup, f"{role}-logs", retention_in_days=log_retention_days)
    iam_role = component._child(
        aws.iam.Role, f"{role}-role", **(role_props or {}), assume_role_policy=assume_role_policy(LAMBDA_PRINCIPAL)
    )
    allowed = [
        statement(["logs:CreateLogStream", "logs:PutLogEvents"], [pulumi.Output.concat(log_group.arn, ":*")], "Logs"),
        statement(XRAY, ["*"], "Tracing"),
        *([statement(VPC_ACCESS, ["*"], "VpcAccess")] if vpc is not None else []),
        *statements,
    ]
    policy = component._child(aws.iam.RolePolicy, f"{role}-policy", role=iam_role.name, policy=policy_document(allowed))
    function = component._child(
        aws.lambda_.Function,
        role,
        role=iam_role.arn,
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode=defaults.LAMBDA_TRACING_MODE),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
        vpc_config=vpc,
        **function_props,
        depends_on=[policy],
    )
    return LambdaFunction(function, iam_role, log_group)
