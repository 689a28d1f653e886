"""Rule: a role trust or key policy statement that lets an AWS service principal in binds it to this account.

A service principal acts for every AWS account. Without ``aws:SourceAccount`` or ``aws:SourceArn`` (or the
organization keys) in the condition, another account's resource could have the service assume the role or use the
key on its behalf: the confused deputy problem. The services AWS does not give those keys for a role trust or a key
policy are listed, with the reason, in :data:`aws_systems.iam.TRUSTS_WITHOUT_SOURCE` and
:data:`aws_systems.iam.KEYS_WITHOUT_SOURCE`; the components build their policies from the same tables. In a key
policy a ``kms:EncryptionContext:*`` condition binds the grant too (CloudWatch Logs' ``logs.<region>`` principal is
held to its log group's ARN that way).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_systems.iam import KEYS_WITHOUT_SOURCE, SOURCE_CONDITION_KEYS, TRUSTS_WITHOUT_SOURCE
from aws_systems.preflight.model import Resource, as_list, json_value

POLICIES: dict[str, tuple[str, str, Mapping[str, str]]] = {
    "aws:iam/role:Role": ("assumeRolePolicy", "trust policy", TRUSTS_WITHOUT_SOURCE),
    "aws:kms/key:Key": ("policy", "key policy", KEYS_WITHOUT_SOURCE),
    "aws:kms/keyPolicy:KeyPolicy": ("policy", "key policy", KEYS_WITHOUT_SOURCE),
}
_SOURCE_KEYS = {k.lower() for k in SOURCE_CONDITION_KEYS}


def _bound(condition: Any, key_policy: bool) -> bool:
    """True when some operator of the condition tests a source key (or, in a key policy, the encryption context)."""
    if not isinstance(condition, Mapping):
        return False
    keys = {k.lower() for tests in condition.values() if isinstance(tests, Mapping) for k in tests}
    return bool(keys & _SOURCE_KEYS) or (key_policy and any(k.startswith("kms:encryptioncontext:") for k in keys))


def check(resource: Resource) -> list[str]:
    found = POLICIES.get(resource.type)
    if found is None:
        return []
    prop, kind, exempt = found
    document = json_value(resource.props.get(prop))
    if not isinstance(document, Mapping):  # unknown until the apply, or not set
        return []
    out: list[str] = []
    for st in as_list(document.get("Statement")):
        principal = st.get("Principal") if isinstance(st, Mapping) else None
        if st.get("Effect") != "Allow" or not isinstance(principal, Mapping):
            continue
        if _bound(st.get("Condition"), key_policy=kind == "key policy"):
            continue
        for service in as_list(principal.get("Service")):
            if isinstance(service, str) and service not in exempt:
                out.append(
                    f"{kind} lets {service} in with no aws:SourceAccount or aws:SourceArn condition: another "
                    "account's resource could have the service act through it (confused deputy); add "
                    "iam.source_condition"
                )
    return out
