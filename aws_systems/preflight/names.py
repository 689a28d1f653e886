"""Rule: every physical name fits what AWS accepts for its type, including the names Pulumi makes up.

When a name property is not set, Pulumi names the resource ``<logical name>-<7 random characters>``; with a
``namePrefix``, the provider appends 26 characters. Both are checked as the name AWS will receive, against every
source in :mod:`aws_systems.preflight.schemas` (CloudFormation's schema, botocore's model, the documented limit).
"""

from __future__ import annotations

from aws_systems.preflight.model import UNKNOWN, Resource
from aws_systems.preflight.schemas import AUTO_NAME_SUFFIX, NAMES, name_constraints

PREFIX_SUFFIX_LENGTH = 26  # the Terraform provider's unique suffix after a name prefix


def physical_name(resource: Resource) -> tuple[str, str] | None:
    """(the name AWS will receive, how it was made) or None when it is not known or the type has no name."""
    spec = NAMES.get(resource.type)
    if spec is None:
        return None
    given = resource.props.get(spec.prop)
    prefix = resource.props.get("namePrefix")
    if given is UNKNOWN or prefix is UNKNOWN:
        return None
    if isinstance(given, str):
        return given, "name"
    if isinstance(prefix, str):
        return prefix + "0" * PREFIX_SUFFIX_LENGTH, "name prefix plus the provider's 26 characters"
    if not spec.auto:
        return None
    auto = resource.name + AUTO_NAME_SUFFIX
    return (auto.lower() if spec.prop == "bucket" else auto), "auto-name: logical name plus Pulumi's 8 characters"


def check(resource: Resource) -> list[str]:
    found = physical_name(resource)
    if found is None:
        return []
    name, made = found
    prop = NAMES[resource.type].prop
    return [
        f"{prop} ({made}): {problem} [{constraint.source}]"
        for constraint in name_constraints(resource.type)
        for problem in constraint.problems(name)
    ]
