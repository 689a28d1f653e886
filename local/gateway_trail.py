"""What the gateway tells the runtime's trail of each request: one entry (the terminal's request line), with the
route that served it, who called, how long it took, and the ids it concerned. Its id is the request's id, the
correlation id of everything the request causes."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from handlers.shared.http_event import HttpRequest
from handlers.shared.http_response import HttpResponse
from local.trail import Trail, ids_in

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_IDS_UP_TO = 16 * 1024
"""A write's answer up to this size is read for the ids it made (a new move's); larger ones are not worth the time."""


@dataclass
class Served:
    """What the pipeline learnt while serving a request, for its trail entry."""

    started: float = field(default_factory=time.perf_counter)
    received: float = field(default_factory=time.time)
    route: str = ""
    caller: str = ""
    entities: list[str] = field(default_factory=list)


def caller_name(authorizer: dict[str, Any] | None) -> str:
    """Who called, as the authorizer said: a JWT's email (or user name, or subject), a Lambda authorizer's context."""
    if not authorizer:
        return ""
    if "jwt" in authorizer:
        claims = authorizer["jwt"].get("claims") or {}
        return str(claims.get("email") or claims.get("cognito:username") or claims.get("sub") or "")
    context = authorizer.get("lambda") or {}
    return str(context.get("email") or context.get("user_id") or "")


def record_request(trail: Trail, system: str, request: HttpRequest, response: HttpResponse, served: Served) -> None:
    ms = 1000 * (time.perf_counter() - served.started)
    entities = list(served.entities)
    if request.method in WRITES and response.status < 300 and 0 < len(response.body) <= READ_IDS_UP_TO:
        with contextlib.suppress(ValueError):  # not JSON: nothing to read
            entities += ids_in(json.loads(response.body))
    caller = f" · {served.caller}" if served.caller else ""
    trail.add(
        "request",
        system,
        request.request_id,
        f"{request.method} {request.raw_path} → {response.status} in {ms:.0f} ms{caller}",
        {
            "method": request.method,
            "path": request.raw_path,
            "route": served.route,
            "status": response.status,
            "ms": round(ms, 1),
            "caller": served.caller,
        },  # fmt: skip
        entities,
        at=served.received,
    )
