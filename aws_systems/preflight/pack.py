"""The preflight rules as a Pulumi policy pack, and a way to run that same pack in-process on recorded resources.

``pulumi preview --policy-pack policy`` loads :func:`policies` through ``policy/__main__.py``. The tests and
``make plan`` call :func:`evaluate`, which feeds the very same ``pulumi_policy`` policy objects the arguments the
engine would send, so what passes here is what the pack passes in a real preview.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from aws_systems.preflight.model import Resource, Stack, plain

ResourceCheck = Callable[[Resource], list[str]]
StackCheck = Callable[[Stack], list[tuple[str, str]]]
"""A stack check returns (URN of the resource at fault, message) pairs."""


@dataclass(frozen=True)
class Rule:
    """One preflight rule: a check of each resource, or of the whole stack."""

    name: str
    description: str
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None

    def policy(self) -> Policy:
        if self.resource_check is not None:
            check = self.resource_check

            def validate_resource(args: ResourceValidationArgs, report: Callable[..., None]) -> None:
                resource = Resource(args.resource_type, args.name, args.urn, plain(args.props), args.opts.parent or "")
                for message in check(resource):
                    report(message)

            return ResourceValidationPolicy(
                self.name, self.description, validate_resource, enforcement_level=EnforcementLevel.MANDATORY
            )
        assert self.stack_check is not None
        stack_check = self.stack_check

        def validate_stack(args: StackValidationArgs, report: Callable[..., None]) -> None:
            stack = Stack([_resource_of(r) for r in args.resources])
            for urn, message in stack_check(stack):
                report(message, urn)

        return StackValidationPolicy(
            self.name, self.description, validate_stack, enforcement_level=EnforcementLevel.MANDATORY
        )


def _resource_of(resource: PolicyResource) -> Resource:
    parent = resource.parent.urn if resource.parent is not None else ""
    dependencies = tuple(d.urn for d in resource.dependencies)
    return Resource(resource.resource_type, resource.name, resource.urn, plain(resource.props), parent, dependencies)


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.urn.rsplit('::', 1)[-1]} ({self.urn.split('::')[2].rsplit('$', 1)[-1]}): " + (
            self.message
        )


def _options(parent: str) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent or None)


def evaluate(rules: Iterable[Rule], inputs: list[Resource], outputs: list[Resource] | None = None) -> list[Violation]:
    """Run ``rules`` as the engine would: resource policies on each resource's ``inputs``, stack policies on the
    resources' ``outputs`` (the same resources, in the same order; the inputs when not given)."""
    found: list[Violation] = []
    stack = _policy_resources(outputs if outputs is not None else inputs)
    for rule in rules:
        policy = rule.policy()
        if isinstance(policy, ResourceValidationPolicy):
            for resource in inputs:
                options = _options(resource.parent_urn)
                args = ResourceValidationArgs(resource.type, resource.props, resource.urn, resource.name, options, None)
                policy.validate(args, _reporter(found, rule.name, resource.urn))
        elif isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(stack), _reporter(found, rule.name, ""))
    return found


def _policy_resources(resources: list[Resource]) -> list[PolicyResource]:
    """The engine's view of a stack: each resource linked to its parent."""
    by_urn: dict[str, PolicyResource] = {}
    for r in resources:
        by_urn[r.urn] = PolicyResource(r.type, r.props, r.urn, r.name, _options(r.parent_urn), None, None, [], {})
    for r in resources:
        by_urn[r.urn].parent = by_urn.get(r.parent_urn)
        by_urn[r.urn].dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
    return list(by_urn.values())


def _reporter(found: list[Violation], rule: str, default_urn: str) -> Callable[..., None]:
    def report(message: str, urn: str | None = None) -> None:
        found.append(Violation(rule, urn or default_urn, message))

    return report
