"""A static site's WAF: a CLOUDFRONT-scope web ACL with a per-IP rate limit and AWS managed rule groups, logging to
CloudWatch (CKV_AWS_68)."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component

WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"  # WAF refuses log groups named otherwise


def metric_name(name: str) -> str:
    """A CloudWatch metric / log group name part from a component name (letters, digits, ``-`` and ``_``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)[:128]


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def _rules(metric: str, rate_limit: int) -> list[dict[str, Any]]:
    """The rate limit first, then each managed rule group in :data:`defaults.WAF_MANAGED_RULE_GROUPS` order."""
    rate_rule = {
        "name": "RateLimitPerIp",
        "priority": 0,
        "action": {"block": {}},
        "statement": {"rate_based_statement": {"limit": rate_limit, "aggregate_key_type": "IP"}},
        "visibility_config": _visibility(f"{metric}-RateLimitPerIp"),
    }
    managed_rules = [
        {
            "name": group,
            "priority": priority,
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": group}},
            "visibility_config": _visibility(f"{metric}-{group}"),
        }
        for priority, group in enumerate(defaults.WAF_MANAGED_RULE_GROUPS, start=1)
    ]
    return [rate_rule, *managed_rules]


def site_web_acl(
    component: Component, rate_limit: int, log_retention_days: int, us_east_1: pulumi.ProviderResource | None
) -> aws.wafv2.WebAcl:
    """The web ACL (child ``waf``), its log group (``waf-logs``) and its logging (``waf-logging``), in us-east-1
    where CloudFront reads them; the ``authorization`` header is redacted from the logs."""
    metric = metric_name(component._name)
    web_acl = component._child(
        aws.wafv2.WebAcl,
        "waf",
        description=f"{component._name}: static site"[:256],
        scope="CLOUDFRONT",
        default_action={"allow": {}},
        rules=_rules(metric, rate_limit),
        visibility_config=_visibility(metric),
        provider=us_east_1,
    )
    log_group = component._child(
        aws.cloudwatch.LogGroup,
        "waf-logs",
        name_prefix=f"{WAF_LOG_GROUP_PREFIX}{metric}-",
        retention_in_days=log_retention_days,
        provider=us_east_1,
    )
    component._child(
        aws.wafv2.WebAclLoggingConfiguration,
        "waf-logging",
        resource_arn=web_acl.arn,
        log_destination_configs=[log_group.arn],
        redacted_fields=[{"single_header": {"name": "authorization"}}],
        provider=us_east_1,
    )
    return web_acl
