"""The EventBridge pattern of a rule, built in one place (no Pulumi): the cloud's rules (``event_bus.py``) and the
local runtime's routing (``architectures/topology.py``) match events with the same patterns."""

from __future__ import annotations

from collections.abc import Iterable


def event_pattern(
    event_types: Iterable[tuple[str, str]], detail_types: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """The pattern matching ``detail_types`` among ``event_types`` (``(source, detail-type)`` pairs), each listed
    once in first-seen order so that patterns, and diffs, are stable. With no detail types it matches every source,
    which is what a bus archive needs."""
    pairs = list(event_types)
    if detail_types is None:
        return {"source": unique(source for source, _ in pairs)}
    wanted = set(detail_types)
    chosen = [(source, detail_type) for source, detail_type in pairs if detail_type in wanted]
    return {
        "source": unique(source for source, _ in chosen),
        "detail-type": unique(detail_type for _, detail_type in chosen),
    }


def unique(items: Iterable[str]) -> list[str]:
    """The items once each, in first-seen order (stable patterns give stable diffs)."""
    return list(dict.fromkeys(items))
