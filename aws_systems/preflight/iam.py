"""What the stack's IAM says: each role's statements (inline policies), and whether a statement grants an action on
an ARN. Shared by the stack rules that ask "can this principal do that"."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_systems.preflight.model import Resource, Stack, as_list, json_value

Statement = Mapping[str, Any]


def allows(statements: list[Statement], action: str, arn: str) -> bool:
    """True when an Allow statement grants ``action`` on ``arn`` (IAM wildcards in actions and resources)."""
    for st in statements:
        if st.get("Effect") != "Allow" or "NotAction" in st or "NotResource" in st:
            continue
        actions = [a for a in as_list(st.get("Action")) if isinstance(a, str)]
        resources = [r for r in as_list(st.get("Resource")) if isinstance(r, str)]
        if any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions) and any(
            fnmatch.fnmatchcase(arn, r) for r in resources
        ):
            return True
    return False


def granted_on(statements: list[Statement], arn: str) -> set[str]:
    """The actions (as written, lower case) that Allow statements grant on ``arn``."""
    out: set[str] = set()
    for st in statements:
        if st.get("Effect") != "Allow" or "NotResource" in st:
            continue
        if any(isinstance(r, str) and fnmatch.fnmatchcase(arn, r) for r in as_list(st.get("Resource"))):
            out |= {a.lower() for a in as_list(st.get("Action")) if isinstance(a, str)}
    return out


@dataclass
class Role:
    resource: Resource
    statements: list[Statement] = field(default_factory=list)

    @property
    def arn(self) -> Any:
        return self.resource.arn

    def principals(self, kind: str) -> set[str]:
        """Who the trust policy lets assume the role, of one kind (``Service``, ``Federated``, ``AWS``)."""
        trust = json_value(self.resource.props.get("assumeRolePolicy")) or {}
        return {
            p
            for st in as_list(trust.get("Statement"))
            if isinstance(st, Mapping) and isinstance(st.get("Principal"), Mapping)
            for p in as_list(st["Principal"].get(kind))
            if isinstance(p, str)
        }


def roles(stack: Stack) -> list[Role]:
    """Every role with the statements of its inline policies (a role policy names its role by name, id or ARN)."""
    found = [Role(r) for r in stack.of_type("aws:iam/role:Role")]
    by_ref: dict[str, Role] = {}
    for role in found:
        for key in ("name", "id", "arn"):
            value = role.resource.props.get(key)
            if isinstance(value, str):
                by_ref[value] = role
    for policy in stack.of_type("aws:iam/rolePolicy:RolePolicy"):
        owner = by_ref.get(str(policy.props.get("role")))
        document = json_value(policy.props.get("policy"))
        if owner is not None and isinstance(document, Mapping):
            owner.statements += [st for st in as_list(document.get("Statement")) if isinstance(st, Mapping)]
    for role in found:
        for inline in as_list(role.resource.props.get("inlinePolicies")):
            document = json_value(inline.get("policy")) if isinstance(inline, Mapping) else None
            if isinstance(document, Mapping):
                role.statements += [st for st in as_list(document.get("Statement")) if isinstance(st, Mapping)]
    return found


def service_of(action: str) -> str:
    return action.split(":", 1)[0].lower()
