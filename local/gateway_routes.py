"""The local gateway's route table: a system's declared routes, matched on method and path as API Gateway does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from architectures import spec

PARAMETER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True)
class RouteEntry:
    """A declared route, ready to match: ``segments`` holds each literal segment, or ``None`` for a parameter."""

    service: spec.Service
    route: spec.Route
    segments: tuple[str | None, ...]
    parameters: tuple[str, ...]

    @classmethod
    def of(cls, service: spec.Service, route: spec.Route) -> RouteEntry:
        segments: list[str | None] = []
        parameters: list[str] = []
        for segment in route.path.strip("/").split("/") if route.path != "/" else []:
            match = PARAMETER.match(segment)
            if match:
                segments.append(None)
                parameters.append(match.group(1))
            elif "{" in segment or "}" in segment:
                raise ValueError(f"route {route.key}: a path parameter must be a whole segment, like /moves/{{id}}")
            else:
                segments.append(segment)
        return cls(service, route, tuple(segments), tuple(parameters))

    @property
    def key(self) -> str:
        return self.route.key


class Router:
    """Method + path template matching as API Gateway does it: the most specific route wins, i.e. at the first
    segment where two templates differ, an exact segment beats a ``{parameter}``."""

    def __init__(self, entries: Sequence[RouteEntry]) -> None:
        self.entries = list(entries)

    def match(self, method: str, raw_path: str) -> tuple[RouteEntry, dict[str, str]] | None:
        """The route for ``method`` and the (still percent-encoded) path, with its decoded path parameters."""
        parts = raw_path.strip("/").split("/") if raw_path not in ("", "/") else []
        if raw_path.endswith("/") and parts:
            parts.append("")  # /moves/ is not /moves
        best: tuple[tuple[int, ...], RouteEntry] | None = None
        for entry in self.entries:
            if entry.route.method != method or len(entry.segments) != len(parts):
                continue
            if all(s == p if s is not None else p != "" for s, p in zip(entry.segments, parts, strict=True)):
                rank = tuple(0 if s is not None else 1 for s in entry.segments)
                if best is None or rank < best[0]:
                    best = (rank, entry)
        if best is None:
            return None
        entry = best[1]
        values = [unquote(p) for s, p in zip(entry.segments, parts, strict=True) if s is None]
        return entry, dict(zip(entry.parameters, values, strict=True))
