"""What the preflight rules read: each resource as plain data, and the stack as an index over them.

The Pulumi engine hands a policy pack its resources behind proxies that raise on values not known yet (during a
preview, an ARN that AWS has not assigned). Rules should judge what is known and stay silent on the rest, so the
proxies are turned into plain dicts and lists here, with :data:`UNKNOWN` where a value is not known.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    """A value the engine does not know yet (a preview of a resource not created)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()


def plain(value: Any) -> Any:
    """Deep copy of a policy proxy as dicts and lists, with :data:`UNKNOWN` in place of unknown values."""
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in value:
            try:
                out[str(key)] = plain(value[key])
            except UnknownValueError:
                out[str(key)] = UNKNOWN
        return out
    if isinstance(value, Sequence):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def known(*values: Any) -> bool:
    """True when none of ``values`` is unknown (a rule judges only what is known)."""
    return not any(v is UNKNOWN for v in values)


def json_value(value: Any) -> Any:
    """A property that holds JSON (a policy document, an invocation's input) as data; None when not JSON."""
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a nested value (to find ARNs and endpoints wherever a property carries them)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


@dataclass
class Resource:
    """One resource: its Pulumi type token, logical name, URN and properties (camelCase, as the engine has them)."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    parent_urn: str = ""
    dependencies: tuple[str, ...] = ()
    """URNs of the resources it depends on."""

    def get(self, *path: str | int, default: Any = None) -> Any:
        """A nested property, ``default`` when any step is missing (unknown stays :data:`UNKNOWN`)."""
        value: Any = self.props
        for step in path:
            if value is UNKNOWN:
                return UNKNOWN
            if isinstance(step, int):
                if not isinstance(value, list) or step >= len(value):
                    return default
                value = value[step]
            else:
                if not isinstance(value, Mapping) or step not in value:
                    return default
                value = value[step]
        return value

    @property
    def id(self) -> Any:
        return self.props.get("id", UNKNOWN)

    @property
    def arn(self) -> Any:
        return self.props.get("arn", UNKNOWN)


@dataclass
class Stack:
    """Every resource of a stack, with the look-ups the stack rules share."""

    resources: list[Resource]
    _by_type: dict[str, list[Resource]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for t in types for r in self._by_type.get(t, [])]

    def by_arn(self, arn: Any) -> Resource | None:
        if not isinstance(arn, str):
            return None
        return next((r for r in self.resources if r.props.get("arn") == arn), None)

    def by_id(self, type_: str, resource_id: Any) -> Resource | None:
        if not isinstance(resource_id, str):
            return None
        return next((r for r in self.of_type(type_) if r.id == resource_id), None)


def as_list(value: Any) -> list[Any]:
    """A property that AWS accepts as one value or a list (IAM's Action and Resource), always as a list."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    return list(value)
