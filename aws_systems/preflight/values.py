"""Rule: property values that AWS constrains (enums, patterns, lengths, ranges) are values AWS accepts.

Each property is compared with the CloudFormation schema's property of the same meaning, recursively through nested
blocks (``vpcConfig.subnetIds``...). Properties without a CloudFormation counterpart are not judged, and names are
left to :mod:`aws_systems.preflight.names`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_systems.preflight.model import UNKNOWN, Resource
from aws_systems.preflight.schemas import (
    API_VALUES,
    CFN_TYPES,
    NAMES,
    api_constraint,
    cfn_property,
    from_json_schema,
    resolve,
)

MAX_DEPTH = 6

# Values the provider accepts where CloudFormation has no counterpart: pulumi-aws sends ``retentionInDays: 0`` as
# "never expire" (CloudFormation says the same by leaving the property out), so its enum lacks 0.
PROVIDER_VALUES: dict[tuple[str, str], tuple[object, ...]] = {
    ("aws:cloudwatch/logGroup:LogGroup", "retentionInDays"): (0,)
}


def _walk(schema: Mapping[str, Any], node: Mapping[str, Any], value: Any, path: str, depth: int) -> list[str]:
    if value is UNKNOWN or value is None or depth > MAX_DEPTH:
        return []
    node = resolve(schema, node)
    if isinstance(value, Mapping):
        out: list[str] = []
        children = node.get("properties", {})
        for key, item in value.items():
            child = children.get(key[:1].upper() + key[1:])
            if child is not None:
                out += _walk(schema, child, item, f"{path}.{key}", depth + 1)
        return out
    if isinstance(value, list):
        items = node.get("items")
        out = [
            f"{path}: {len(value)} items, {bound} {limit}"
            for bound, limit, broken in (
                ("more than", node.get("maxItems"), lambda n, limit: n > limit),
                ("fewer than", node.get("minItems"), lambda n, limit: n < limit),
            )
            if isinstance(limit, int) and broken(len(value), limit)
        ]
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                out += _walk(schema, items, item, f"{path}[{index}]", depth + 1)
        return out
    constraint = from_json_schema(node, "")
    return [f"{path}: {problem}" for problem in constraint.problems(value)]


def _api_values(resource: Resource) -> list[str]:
    out: list[str] = []
    for prop, member in API_VALUES.get(resource.type, {}).items():
        value, constraint = resource.props.get(prop), api_constraint(*member)
        if isinstance(value, str) and constraint is not None:
            out += [f"{prop}: {problem} [{constraint.source}]" for problem in constraint.problems(value)]
    return out


LAMBDA_ENVIRONMENT_BYTES = 4096


def _lambda_environment_size(resource: Resource) -> list[str]:
    """Lambda refuses a function whose environment variables total more than 4 KB (its quotas page); neither the
    CloudFormation schema nor botocore's model says so. Values unknown at preview count as empty."""
    variables = resource.get("environment", "variables")
    if not isinstance(variables, Mapping):
        return []
    known = {k: v for k, v in variables.items() if isinstance(v, str)}
    size = len(json.dumps(known, separators=(",", ":"), ensure_ascii=False).encode())
    if size <= LAMBDA_ENVIRONMENT_BYTES:
        return []
    largest = max(known, key=lambda k: len(known[k].encode()))
    return [f"environment.variables: {size} bytes, over Lambda's {LAMBDA_ENVIRONMENT_BYTES} (largest: {largest})"]


LIMITS = {"aws:lambda/function:Function": _lambda_environment_size}
"""Limits that only AWS's documentation states, by resource type."""


def check(resource: Resource) -> list[str]:
    out = _api_values(resource)
    if resource.type in LIMITS:
        out += LIMITS[resource.type](resource)
    cfn_type = CFN_TYPES.get(resource.type)
    if cfn_type is None:
        return out
    name_prop = NAMES[resource.type].prop if resource.type in NAMES else None
    for prop, value in resource.props.items():
        if prop == name_prop or value in PROVIDER_VALUES.get((resource.type, prop), ()):
            continue
        found = cfn_property(resource.type, prop)
        if found is None:
            continue
        cfn_name, node, schema = found
        out += [f"{p} [CloudFormation {cfn_type}.{cfn_name}]" for p in _walk(schema, node, value, prop, 0)]
    return out
