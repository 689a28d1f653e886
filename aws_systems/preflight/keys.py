"""Rule: whoever touches something encrypted with a customer-managed key can use that key.

AWS services call KMS on the caller's behalf: reading a secret needs ``kms:Decrypt`` on its key, sending to a queue
needs ``kms:GenerateDataKey`` and ``kms:Decrypt``. The default key policy leaves that to IAM, so the caller's own
policy must grant it; a key with its own policy must also let in the AWS services that write to what it encrypts
(EventBridge to a queue, CloudWatch to a topic, CloudWatch Logs to a log group). Without these, the deploy succeeds
and the first request fails with AccessDenied.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_systems.preflight.iam import Statement, allows, granted_on, roles
from aws_systems.preflight.model import Resource, Stack, as_list, json_value

DECRYPT = ("kms:Decrypt",)
ENCRYPT = ("kms:GenerateDataKey", "kms:Decrypt")

# The KMS actions an API call needs when its resource is encrypted with a customer-managed key (each service's
# "using KMS" page: Secrets Manager, DynamoDB, SQS, SNS, S3).
KMS_FOR_ACTION: dict[str, tuple[str, ...]] = {
    "secretsmanager:getsecretvalue": DECRYPT,
    "secretsmanager:putsecretvalue": ENCRYPT,
    "secretsmanager:createsecret": ENCRYPT,
    "secretsmanager:updatesecret": ENCRYPT,
    "secretsmanager:rotatesecret": ENCRYPT,
    "dynamodb:getitem": DECRYPT,
    "dynamodb:batchgetitem": DECRYPT,
    "dynamodb:query": DECRYPT,
    "dynamodb:scan": DECRYPT,
    "dynamodb:putitem": DECRYPT,
    "dynamodb:updateitem": DECRYPT,
    "dynamodb:deleteitem": DECRYPT,
    "dynamodb:batchwriteitem": DECRYPT,
    "dynamodb:conditioncheckitem": DECRYPT,
    "sqs:sendmessage": ENCRYPT,
    "sqs:receivemessage": DECRYPT,
    "sns:publish": ENCRYPT,
    "s3:getobject": DECRYPT,
    "s3:putobject": ENCRYPT,
}


@dataclass(frozen=True)
class Encrypted:
    """Something encrypted with a customer-managed key: the resource, the ARNs a policy names it by, its key."""

    resource: Resource
    arns: tuple[str, ...]
    key: Resource


def _arns(*values: Any) -> tuple[str, ...]:
    return tuple(v for v in values if isinstance(v, str))


def _bucket_arns(stack: Stack, config: Resource) -> tuple[str, ...]:
    ref = config.props.get("bucket")
    bucket = next((b for b in stack.of_type("aws:s3/bucket:Bucket") if ref in (b.id, b.props.get("bucket"))), None)
    return _arns(bucket.arn, f"{bucket.arn}/*") if bucket and isinstance(bucket.arn, str) else ()


# Per type: the key property (a path), and the ARNs of what it encrypts.
KEY_PROPERTIES: dict[str, tuple[tuple[str | int, ...], Callable[[Stack, Resource], tuple[str, ...]]]] = {
    "aws:secretsmanager/secret:Secret": (("kmsKeyId",), lambda s, r: _arns(r.arn)),
    "aws:dynamodb/table:Table": (("serverSideEncryption", "kmsKeyArn"), lambda s, r: _arns(r.arn, f"{r.arn}/index/*")),
    "aws:sqs/queue:Queue": (("kmsMasterKeyId",), lambda s, r: _arns(r.arn)),
    "aws:sns/topic:Topic": (("kmsMasterKeyId",), lambda s, r: _arns(r.arn)),
    "aws:cloudwatch/logGroup:LogGroup": (("kmsKeyId",), lambda s, r: _arns(r.arn, f"{r.arn}:*")),
    "aws:rds/instance:Instance": (
        ("masterUserSecretKmsKeyId",),
        lambda s, r: _arns(
            *(m.get("secretArn") for m in as_list(r.props.get("masterUserSecrets")) if isinstance(m, Mapping))
        ),
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        ("rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"),
        _bucket_arns,
    ),
}


def encrypted(stack: Stack) -> list[Encrypted]:
    """Everything in the stack encrypted with one of its customer-managed keys."""
    keys = {ref: key for key in stack.of_type("aws:kms/key:Key") for ref in (key.arn, key.id) if isinstance(ref, str)}
    found = []
    for type_, (path, arns) in KEY_PROPERTIES.items():
        for resource in stack.of_type(type_):
            key = keys.get(resource.get(*path))  # type: ignore[arg-type]
            if key is not None:
                found.append(Encrypted(resource, arns(stack, resource), key))
    return found


def key_policy(stack: Stack, key: Resource) -> Mapping[str, Any] | None:
    """The key's own policy, None when it keeps the default (which defers to IAM)."""
    policies = [p for p in stack.of_type("aws:kms/keyPolicy:KeyPolicy") if p.props.get("keyId") in (key.id, key.arn)]
    document = json_value(policies[0].props.get("policy")) if policies else json_value(key.props.get("policy"))
    return document if isinstance(document, Mapping) else None


def _key_policy_allows(document: Mapping[str, Any], principal_kind: str, principal: str, action: str) -> bool:
    for st in as_list(document.get("Statement")):
        if not isinstance(st, Mapping) or st.get("Effect") != "Allow" or not isinstance(st.get("Principal"), Mapping):
            continue
        names = [p for p in as_list(st["Principal"].get(principal_kind)) if isinstance(p, str)]
        if any(fnmatch.fnmatchcase(principal, n) or fnmatch.fnmatchcase(n, principal) for n in names) and any(
            isinstance(a, str) and fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(st.get("Action"))
        ):
            return True
    return False


def _defers_to_iam(document: Mapping[str, Any] | None) -> bool:
    """The default policy, or one that gives the account (its root) every KMS action: IAM policies then decide."""
    if document is None:
        return True
    return any(
        _key_policy_allows(document, "AWS", p, "kms:Decrypt")
        and _key_policy_allows(document, "AWS", p, "kms:PutKeyPolicy")
        for st in as_list(document.get("Statement"))
        if isinstance(st, Mapping) and isinstance(st.get("Principal"), Mapping)
        for p in as_list(st["Principal"].get("AWS"))
        if isinstance(p, str) and p.endswith(":root")
    )


def _service_writers(stack: Stack, thing: Encrypted) -> set[str]:
    """AWS service principals that a queue's, topic's or log group's resource policy lets write to it."""
    r = thing.resource
    if r.type == "aws:cloudwatch/logGroup:LogGroup":
        return {"logs.*amazonaws.com"}  # regional: logs.<region>.amazonaws.com
    if r.type == "aws:sqs/queue:Queue":
        policies = [
            p for p in stack.of_type("aws:sqs/queuePolicy:QueuePolicy") if p.props.get("queueUrl") == r.props.get("url")
        ]
    elif r.type == "aws:sns/topic:Topic":
        policies = [p for p in stack.of_type("aws:sns/topicPolicy:TopicPolicy") if p.props.get("arn") == r.arn]
    else:
        return set()
    services: set[str] = set()
    for policy in policies:
        document = json_value(policy.props.get("policy")) or {}
        for st in as_list(document.get("Statement")):
            if isinstance(st, Mapping) and st.get("Effect") == "Allow" and isinstance(st.get("Principal"), Mapping):
                services |= {s for s in as_list(st["Principal"].get("Service")) if isinstance(s, str)}
    return services


def _needed(granted: set[str]) -> set[str]:
    needed: set[str] = set()
    for action, kms in KMS_FOR_ACTION.items():
        if any(fnmatch.fnmatchcase(action, g) for g in granted):
            needed |= set(kms)
    return needed


def check(stack: Stack) -> list[tuple[str, str]]:
    things = encrypted(stack)
    if not things:
        return []
    out: list[tuple[str, str]] = []
    all_roles = roles(stack)
    for thing in things:
        key_arn = thing.key.arn
        document = key_policy(stack, thing.key)
        for role in all_roles:
            statements: list[Statement] = role.statements
            granted = set().union(*(granted_on(statements, arn) for arn in thing.arns)) if thing.arns else set()
            for action in sorted(_needed(granted)):
                through_iam = _defers_to_iam(document) and allows(statements, action, key_arn)
                named = document is not None and _key_policy_allows(document, "AWS", str(role.arn), action)
                if not (through_iam or named):
                    out.append(
                        (
                            role.resource.urn,
                            f"role {role.resource.name} may use {thing.resource.type.rsplit(':', 1)[-1]} "
                            f"{thing.resource.name}, which key {thing.key.name} encrypts, but may not {action} "
                            "with that key",
                        )
                    )
        for service in sorted(_service_writers(stack, thing)):
            for action in ENCRYPT:
                if document is None or not _key_policy_allows(document, "Service", service, action):
                    why = "keeps the default policy" if document is None else "has a policy that does not allow it"
                    out.append(
                        (
                            thing.key.urn,
                            f"key {thing.key.name} encrypts {thing.resource.name}, which {service} writes to, but "
                            f"{why}: {service} needs {action}",
                        )
                    )
    return out
