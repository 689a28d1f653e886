"""Rule: an RDS Proxy knows every database user that connects through it, and lets no one in before it is ready.

A proxy authenticates clients with the secrets in its ``auths``; a client whose user is not there is refused. The
clients are found by what they are handed: a function's environment or an invocation's input that carries the
proxy's endpoint, together with the secrets they connect with. The proxy's role must read each of those secrets,
and a deploy-time invocation that connects through the proxy must wait for the proxy's target to be registered.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_systems.preflight.iam import allows, roles
from aws_systems.preflight.model import Resource, Stack, as_list, json_value, strings_in

SECRET_ARN = ":secretsmanager:"  # noqa: S105 - the service part of a secret ARN, not a secret


def _handed(stack: Stack, resource: Resource) -> list[str]:
    """The strings a workload is handed: a function's environment; an invocation's input and its function's."""
    if resource.type == "aws:lambda/function:Function":
        return list(strings_in(resource.get("environment", "variables")))
    name = resource.props.get("functionName")
    functions = [f for f in stack.of_type("aws:lambda/function:Function") if name in (f.props.get("name"), f.arn)]
    return list(strings_in(json_value(resource.props.get("input")))) + [
        value for f in functions for value in _handed(stack, f)
    ]


def _depends_on(stack: Stack, resource: Resource, targets: set[str]) -> bool:
    """Whether ``resource`` depends on any of ``targets`` (URNs), directly or through what it depends on."""
    by_urn = {r.urn: r for r in stack.resources}
    seen: set[str] = set()
    todo = list(resource.dependencies)
    while todo:
        urn = todo.pop()
        if urn in targets:
            return True
        if urn not in seen and urn in by_urn:
            seen.add(urn)
            todo += by_urn[urn].dependencies
    return False


def check(stack: Stack) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    role_by_arn = {r.arn: r for r in roles(stack)}
    for proxy in stack.of_type("aws:rds/proxy:Proxy"):
        endpoint = proxy.props.get("endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            continue
        auths = {a.get("secretArn") for a in as_list(proxy.props.get("auths")) if isinstance(a, Mapping)}
        proxy_role = role_by_arn.get(proxy.props.get("roleArn"))
        for secret in sorted(a for a in auths if isinstance(a, str)):
            if proxy_role is not None and not allows(proxy_role.statements, "secretsmanager:GetSecretValue", secret):
                out.append((proxy.urn, f"proxy {proxy.name} lists secret {secret} but its role cannot read it"))
        targets = {
            t.urn
            for t in stack.of_type("aws:rds/proxyTarget:ProxyTarget")
            if t.props.get("dbProxyName") == proxy.props.get("name")
        }
        for client in stack.of_type("aws:lambda/function:Function", "aws:lambda/invocation:Invocation"):
            handed = _handed(stack, client)
            if not any(endpoint in value for value in handed):
                continue
            secrets = {v for v in handed if SECRET_ARN in v} - auths
            for secret in sorted(secrets if client.type.endswith(":Function") else ()):
                out.append(
                    (
                        client.urn,
                        f"{client.name} connects through proxy {proxy.name} with the user of secret {secret}, "
                        "which the proxy's auths do not list: the proxy refuses it",
                    )
                )
            if client.type.endswith(":Invocation") and targets and not _depends_on(stack, client, targets):
                out.append(
                    (
                        client.urn,
                        f"{client.name} connects through proxy {proxy.name} during the deploy but does not wait for "
                        "the proxy's target to be registered",
                    )
                )
    return out
