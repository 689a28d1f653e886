"""What the local runtime saw happen, joined by correlation id: each request, each event published to a bus and the
rules it matched, each delivery to a consumer and its result, each message a topic sent, each schedule run, and the
functions' log lines.

The console's event trail and logs read it, and the terminal prints a line per request and per delivery from it
(unless ``--quiet``). It keeps the newest :data:`MAX_ENTRIES` and forgets older ones, so it never grows without limit.
Recording is a dictionary and a deque append under a lock: cheap enough for every request the gateway serves.
"""

from __future__ import annotations

import collections
import itertools
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

MAX_ENTRIES = 10_000
Kind = Literal["request", "publish", "delivery", "message", "schedule", "log"]
KINDS: tuple[Kind, ...] = ("request", "publish", "delivery", "message", "schedule", "log")
ECHOED: frozenset[Kind] = frozenset({"request", "delivery"})
"""The kinds the terminal prints a line for; the others are for the console only."""


@dataclass(frozen=True)
class Entry:
    seq: int
    """Its place in the trail: later entries have higher numbers (the console asks for those after the last it has)."""
    at: float
    """When it happened (``time.time()``)."""
    kind: Kind
    system: str
    correlation_id: str | None
    summary: str
    """One line that says what happened, as the terminal prints it."""
    details: Mapping[str, Any] = field(default_factory=dict)
    entities: tuple[str, ...] = ()
    """Ids of what it concerns (a move, an order, a sale), to find a story by an entity."""

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "system": self.system,
            "correlation_id": self.correlation_id,
            "summary": self.summary,
            "details": dict(self.details),
            "entities": list(self.entities),
        }


class Trail:
    """The bounded history. ``echo`` gets each new entry of a kind in :data:`ECHOED` (the terminal's lines)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, echo: Callable[[Entry], None] | None = None) -> None:
        self._entries: collections.deque[Entry] = collections.deque(maxlen=max_entries)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.echo = echo

    def add(self, kind: Kind, system: str, correlation_id: str | None, summary: str,
            details: Mapping[str, Any] | None = None, entities: Iterable[str] = (),
            at: float | None = None) -> Entry:  # fmt: skip
        """Record what happened ``at`` (default: now; a request is recorded once answered, at the time it came)."""
        with self._lock:
            when = time.time() if at is None else at
            entry = Entry(next(self._seq), when, kind, system, correlation_id, summary, details or {},
                          tuple(dict.fromkeys(e for e in entities if e)))  # fmt: skip
            self._entries.append(entry)
        if self.echo is not None and kind in ECHOED:
            self.echo(entry)
        return entry

    @property
    def last_seq(self) -> int:
        """The newest entry's number (0 when empty), without copying the history."""
        with self._lock:
            return self._entries[-1].seq if self._entries else 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def entries(self, *, correlation_id: str | None = None, entity: str | None = None, system: str | None = None,
                kinds: Collection[str] = KINDS, after: int = 0, limit: int = 500) -> list[Entry]:  # fmt: skip
        """The newest ``limit`` entries (oldest first) after ``after`` that match every filter given. ``entity``
        finds whole stories: every entry sharing a correlation id with an entry that concerns it. A story (either
        filter) comes in the order things happened, the rest in the order they were recorded."""
        with self._lock:
            snapshot = list(self._entries)
        stories: set[str] | None = None
        if correlation_id:
            stories = {correlation_id}
        if entity:
            found = {e.correlation_id for e in snapshot if entity in e.entities and e.correlation_id is not None}
            stories = found if stories is None else stories & found
        matching = [
            e
            for e in snapshot
            if e.seq > after
            and e.kind in kinds
            and (system is None or e.system == system)
            and (stories is None or e.correlation_id in stories)
        ]
        if stories is not None:
            matching.sort(key=lambda e: (e.at, e.seq))
        return matching[-limit:] if limit > 0 else []


def ids_in(value: Any, depth: int = 2) -> list[str]:
    """The ids a payload names: the values of its ``id`` and ``*_id`` keys, a level or two down (a sale's ``id``, a
    move's ``truck_id``), so a story can be found by any entity it touched."""
    found: list[str] = []
    if isinstance(value, Mapping) and depth > 0:
        for key, item in value.items():
            if (
                isinstance(item, str)
                and (key == "id" or key.endswith("_id"))
                and key not in ("event_id", "correlation_id")
            ):
                found.append(item)
            elif isinstance(item, Mapping | list):
                found += ids_in(item, depth - 1)
    elif isinstance(value, list) and depth > 0:
        for item in value[:20]:  # a list's items are the level it is on
            found += ids_in(item, depth)
    return found
