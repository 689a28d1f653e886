"""Preflight: a Pulumi policy pack that refuses, before ``pulumi up``, what AWS or the provider would refuse during it.

The SDK accepts any value of the right type; AWS accepts much less. These rules read AWS's own machine-readable truth
(CloudFormation's resource schemas from cfn-lint, botocore's service models, Kubernetes' OpenAPI schemas) and check
what no single resource shows (keys, reachability from private subnets, proxy users, CORS against the site's origin,
reserved concurrency against the account's pool).

Run it on a real stack with ``pulumi preview --policy-pack policy`` (``policy/`` in this repository), or import
:data:`RULES` and :func:`aws_systems.preflight.pack.evaluate` to run it on resources recorded under mocks.
"""

from __future__ import annotations

from pulumi_policy import Policy

from aws_systems.preflight import (
    budget,
    concurrency,
    cors,
    deputy,
    keys,
    kubernetes,
    lifecycle,
    names,
    proxy,
    reachability,
    relations,
    schedules,
    secure_defaults,
    values,
)
from aws_systems.preflight.pack import Rule, Violation, evaluate

PACK_NAME = "aws-systems-preflight"

RULES: tuple[Rule, ...] = (
    Rule("aws-names", "Every physical name and auto-name fits its type's length and characters", names.check),
    Rule("aws-values", "Enum, pattern, length and range values are ones AWS accepts", values.check),
    Rule(
        "aws-schedules",
        "Schedule expressions and time zones are ones EventBridge and AWS Backup accept",
        schedules.check,
    ),  # fmt: skip
    Rule(
        "kms-key-access",
        "Whoever uses something a customer-managed key encrypts may use the key",
        stack_check=keys.check,
    ),
    Rule(
        "private-reachability",
        "Code in private subnets without NAT has a VPC endpoint for every AWS API it calls",
        stack_check=reachability.check,
    ),
    Rule("secure-defaults", "The checklist's secure defaults hold (checkov ids)", secure_defaults.check),
    Rule("kubernetes-schema", "Kubernetes manifests are valid for the cluster's version", kubernetes.check),
    Rule("standard-support", "Engines, clusters and runtimes are under AWS standard support", lifecycle.check),
    Rule("aws-relations", "Values AWS checks against each other are consistent", stack_check=relations.check),
    Rule(
        "lambda-concurrency",
        "Reserved concurrency leaves the account's 100 unreserved and fits each mapping's maximum concurrency",
        stack_check=concurrency.check,
    ),
    Rule("rds-proxy-users", "An RDS Proxy knows every user that connects through it", stack_check=proxy.check),
    Rule("site-cors", "APIs a web app calls allow the origin it is served from", stack_check=cors.check),
    Rule(
        "confused-deputy",
        "A role trust or key policy binds each AWS service principal to this account (aws:SourceAccount/SourceArn)",
        deputy.check,
    ),
    Rule("cost-budget", "The monthly cost estimate is within the stack's budgetMonthlyUsd", stack_check=budget.check),
)


def policies() -> list[Policy]:
    """The rules as ``pulumi_policy`` policies, for a ``PolicyPack``."""
    return [rule.policy() for rule in RULES]


__all__ = ["PACK_NAME", "RULES", "Rule", "Violation", "evaluate", "policies"]
