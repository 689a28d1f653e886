"""What every component in this library shares: child naming, parenting and the per-child override hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi

from aws_systems import defaults

# A transform receives the keyword arguments a child is about to be built with and returns the ones to use.
ChildTransform = Callable[[dict[str, Any]], dict[str, Any]]
Transforms = Mapping[str, ChildTransform]
R = TypeVar("R", bound=pulumi.Resource)


class Component(pulumi.ComponentResource):
    """Base class: children are named ``f"{name}-{role}"``, parented to the component, and overridable by role.

    Subclasses call :meth:`_props` for the arguments of each child, so a user can change any property of any child
    through ``transforms={"<role>": lambda props: {**props, ...}}`` without this library growing a flag for it.
    """

    def __init__(
        self,
        type_token: str,
        name: str,
        transforms: Transforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(type_token, name, None, opts)
        self._name = name
        self._transforms: dict[str, ChildTransform] = dict(transforms or {})
        self._used_roles: set[str] = set()

    def _secure(self, setting: str, default: Any, value: Any, weaker: bool) -> Any:
        """``value`` (the secure ``default`` when None); a ``weaker`` one is allowed, with a warning naming this
        component (:func:`aws_systems.defaults.weaker_than_secure`)."""
        label = f"{type(self).__name__} {self._name}"
        return defaults.weaker_than_secure(label, setting, default, value, weaker=weaker)

    def _child_name(self, role: str) -> str:
        """The child's resource name: stable, derived from the instance name and the child's role."""
        return f"{self._name}-{role}"

    def _opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """Resource options for a child: always parented to this component."""
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def _props(self, role: str, /, **props: Any) -> dict[str, Any]:
        """The keyword arguments for the child ``role``, after the user's transform for that role, if any."""
        self._used_roles.add(role)
        transform = self._transforms.get(role)
        return transform(dict(props)) if transform else props

    def _child(
        self,
        resource: Callable[..., R],
        role: str,
        /,
        *,
        depends_on: Sequence[pulumi.Resource] = (),
        provider: pulumi.ProviderResource | None = None,
        **props: Any,
    ) -> R:
        """The child ``role``: a ``resource`` named from this component, parented to it and built with ``props``
        after the user's transform for ``role``; it waits for ``depends_on`` and uses ``provider`` when given."""
        options: dict[str, Any] = {"depends_on": list(depends_on)} if depends_on else {}
        if provider is not None:
            options["provider"] = provider
        return resource(self._child_name(role), **self._props(role, **props), opts=self._opts(**options))

    def _check_transforms_used(self) -> None:
        """Raise when a transform names a role this component never built: it would otherwise be ignored silently."""
        unknown = sorted(set(self._transforms) - self._used_roles)
        if unknown:
            known = ", ".join(sorted(self._used_roles)) or "none"
            raise ValueError(f"transforms: unknown child role(s) {', '.join(unknown)}; this component has: {known}")
