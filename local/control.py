"""Local-only control endpoints beside a system's API, under ``/_local/`` (never a declared route):

- ``GET /_local/schedules``: the system's schedules and when each fires next;
- ``POST /_local/schedules/{service}/{schedule}``: run one now, e.g. the daily report on demand; an optional JSON
  object body is merged into the schedule's input (``{"date": "2026-11-22"}``); the answer carries the result.

Anything else goes to the API gateway unchanged.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from handlers.shared.asgi import read_body
from local.gateway import ASGIApp, Receive, Scope, Send
from local.schedules import ScheduleRunner

PREFIX = "/_local/schedules"


async def _json(send: Send, status: int, body: Any) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def with_controls(system: str, gateway: ASGIApp, schedules: ScheduleRunner) -> ASGIApp:
    """Wrap ``gateway`` with the control endpoints for ``system``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await gateway(scope, receive, send)
            return
        parts = [p for p in path.removeprefix(PREFIX).split("/") if p]
        if scope["method"] == "GET" and not parts:
            timers = [
                {
                    "service": t.service,
                    "schedule": t.schedule.name,
                    "expression": t.schedule.expression,
                    "next_run": t.due.isoformat(),
                }  # fmt: skip
                for t in schedules.timers.values()
                if t.system == system
            ]
            await _json(send, 200, {"schedules": timers})
        elif scope["method"] == "POST" and len(parts) == 2:
            body = await read_body(receive, 64 * 1024)
            try:
                extra = json.loads(body) if body else {}
            except json.JSONDecodeError:
                extra = None
            if not isinstance(extra, dict):
                await _json(send, 400, {"message": "the body, when given, must be a JSON object (extra input)"})
                return
            try:
                result = await asyncio.to_thread(schedules.fire, system, parts[0], parts[1], extra)
            except KeyError as e:
                await _json(send, 404, {"message": str(e.args[0])})
                return
            except Exception as e:
                await _json(send, 500, {"message": f"the schedule's function failed: {e}"})
                return
            await _json(send, 200, {"fired": f"{system}/{parts[0]}/{parts[1]}", "result": result})
        else:
            await _json(send, 404, {"message": f"use GET {PREFIX} or POST {PREFIX}/<service>/<schedule>"})

    return app
