"""Status machines: which action may move an entity from one status to the next, in one table per entity.

A service lists its allowed transitions once, as ``(status, action) -> next status``; anything missing is refused
with a 409 that names the entity's current status and what was tried::

    MACHINE = StatusMachine("move", {(Status.REGISTERED, Action.COMPLETE): Status.COMPLETED, ...})
    MACHINE.next(move.id, move.status, Action.COMPLETE)

Actions are string enums whose value completes the sentence "cannot ..." (``"complete it"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from handlers.shared.errors import Conflict

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


class TransitionRefused(Conflict):
    """The entity's status does not allow the action (a 409); the message names the current status."""

    def __init__(self, kind: str, entity_id: str, status: StrEnum, action: StrEnum) -> None:
        super().__init__(f"{kind} {entity_id} is {status.value}; cannot {action.value}")
        self.entity_id, self.status, self.action = entity_id, status, action


class StatusMachine(Generic[S, A]):
    """The allowed transitions of one kind of entity (``kind`` names it in refusals: "move", "order")."""

    def __init__(self, kind: str, transitions: Mapping[tuple[S, A], S]) -> None:
        self.kind = kind
        self.transitions = dict(transitions)

    def allows(self, status: S, action: A) -> bool:
        return (status, action) in self.transitions

    def next(self, entity_id: str, status: S, action: A) -> S:
        """The status after ``action``, or :class:`TransitionRefused`."""
        try:
            return self.transitions[(status, action)]
        except KeyError:
            raise TransitionRefused(self.kind, entity_id, status, action) from None

    def actions_from(self, status: S) -> frozenset[A]:
        """What may be done to an entity in ``status`` (for views that show the next steps)."""
        return frozenset(action for (source, action) in self.transitions if source == status)
