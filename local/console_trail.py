"""The console's views of what the runtime recorded (``runtime.watch.trail``, see ``local/trail.py``): the event
trail told as stories, the messages the topics sent, the functions' log lines, and the schedules with their last runs.

A story is every entry that shares a correlation id: a request and all it caused, or a schedule's run and all it
caused (a run that caused nothing, such as an outbox relay with nothing to relay, is left to the Schedules view). A
delivery of a message that carries none (one a consumer could not read) is a story of its own message id. Each endpoint
takes ``after=<seq>`` so a view that stays open asks only for what is new.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from local.console import Console, Refusal, Request, routes
from local.trail import MAX_ENTRIES, Entry, Trail

STORY_KINDS = ("request", "schedule", "publish", "delivery", "message", "log")
HEADS = ("request", "schedule")
"""What starts a story: its steps' times are from it."""
STORIES, MAX_STORIES = 30, 200
ROWS, MAX_ROWS = 200, 1000
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


def recorded(console: Console) -> Trail:
    trail = console.runtime.watch.trail
    if trail is None:
        raise Refusal(409, "the runtime keeps no trail: it was started with --no-console")
    return trail


def newest_seq(trail: Trail) -> int:
    """The last entry's number: read before the entries, so a poll from it misses nothing recorded meanwhile."""
    return trail.last_seq


def story_key(entry: Entry) -> str:
    if entry.correlation_id:
        return entry.correlation_id
    if entry.kind == "delivery" and entry.details.get("message_id"):
        return f"message:{entry.details['message_id']}"
    return f"entry:{entry.seq}"


def failed(entry: Entry) -> bool:
    details = entry.details
    return (
        (entry.kind == "request" and int(details.get("status") or 0) >= 500)
        or (entry.kind == "delivery" and str(details.get("result", "")).startswith("failed"))
        or (entry.kind == "log" and LEVELS.get(str(details.get("level")), 0) >= LEVELS["ERROR"])
    )


def story(key: str, entries: list[Entry]) -> dict[str, Any]:
    """One story: its steps in the order they happened, each with its time from the request's arrival (or the
    schedule's run)."""
    steps = sorted(entries, key=lambda e: (e.at, e.seq))
    head = next((e for e in steps if e.kind in HEADS), steps[0])
    start = head.at
    return {
        "id": key,
        "correlation_id": steps[0].correlation_id,
        "system": steps[0].system,
        "started": start,
        "title": head.summary,
        "request": dict(head.details) if head.kind == "request" else None,
        "entities": list(dict.fromkeys(e for step in steps for e in step.entities)),
        "problems": sum(1 for e in steps if failed(e)),
        "last_seq": max(e.seq for e in steps),
        "steps": [{**e.to_json(), "offset_ms": round(1000 * (e.at - start), 1)} for e in steps],
    }


def correlated(entries: Iterable[Entry], prefix: str | None) -> list[Entry]:
    """Entries whose correlation id starts with ``prefix``: the whole id, or the terminal's ``[req NfEcJ3kL…]``."""
    return [e for e in entries if prefix is None or (e.correlation_id or "").startswith(prefix)]


@routes.get("/api/systems/{system}/trail")
def trail_stories(console: Console, request: Request) -> Any:
    """The newest stories first (``limit``), found by ``correlation_id`` (or its start) and by ``entity`` (a move's,
    an order's, a sale's id); with ``after``, only the stories that gained an entry since, each whole."""
    name = console.system(request.params["system"]).system.name
    trail = recorded(console)
    after = request.number("after", 0, 0, 2**53)
    limit = request.number("limit", STORIES, 1, MAX_STORIES)
    prefix = request.text("correlation_id")
    newest = newest_seq(trail)
    entries = correlated(trail.entries(entity=request.text("entity"), system=name, kinds=STORY_KINDS,
                                       limit=MAX_ENTRIES), prefix)  # fmt: skip
    touched = {story_key(e) for e in entries if e.seq > after} if after else None
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        key = story_key(entry)
        if touched is None or key in touched:
            groups.setdefault(key, []).append(entry)
    told = [story(k, v) for k, v in groups.items() if any(e.kind != "schedule" for e in v)]  # idle runs: no story
    stories = sorted(told, key=lambda s: s["started"], reverse=True)
    return {"stories": stories[:limit], "last_seq": max(newest, after)}


def _rows(console: Console, request: Request, kind: str) -> tuple[list[Entry], int, int, int]:
    """The system's entries of ``kind`` (oldest first) by ``correlation_id``; the ``after`` and ``limit`` asked for;
    and the seq to poll from next."""
    name = console.system(request.params["system"]).system.name
    trail = recorded(console)
    after = request.number("after", 0, 0, 2**53)
    limit = request.number("limit", ROWS, 1, MAX_ROWS)
    newest = newest_seq(trail)
    entries = correlated(trail.entries(system=name, kinds=(kind,), limit=MAX_ENTRIES), request.text("correlation_id"))
    return entries, after, limit, max(newest, after)


@routes.get("/api/systems/{system}/messages")
def messages(console: Console, request: Request) -> Any:
    """What the system's topics sent (customer notifications, low-stock alerts, report notices), newest first: by
    ``topic`` and ``correlation_id``."""
    running = console.system(request.params["system"])
    topic = request.text("topic")
    if topic is not None and topic not in running.aws.topics:
        raise Refusal(404, f"no topic {topic!r} in {running.system.name}; topics: {', '.join(running.aws.topics)}")
    entries, after, limit, last_seq = _rows(console, request, "message")
    shown = [
        {"seq": e.seq, "at": e.at, "correlation_id": e.correlation_id, "entities": list(e.entities), **e.details}
        for e in reversed(entries)
        if e.seq > after and (topic is None or e.details.get("topic") == topic)
    ]
    return {"topics": list(running.aws.topics), "messages": shown[:limit], "last_seq": last_seq}


@routes.get("/api/systems/{system}/logs")
def logs(console: Console, request: Request) -> Any:
    """The functions' log lines, newest first: by ``correlation_id``, ``function`` and ``level`` (that level and
    above)."""
    level = (request.text("level") or "DEBUG").upper()
    if level not in LEVELS:
        raise Refusal(400, f"level: one of {', '.join(LEVELS)}, not {level[:20]!r}")
    function = request.text("function")
    entries, after, limit, last_seq = _rows(console, request, "log")
    functions = sorted({str(e.details["function"]) for e in entries if e.details.get("function")})
    lines = [
        {"seq": e.seq, "at": e.at, "correlation_id": e.correlation_id, **e.details}
        for e in reversed(entries)
        if e.seq > after
        and (function is None or e.details.get("function") == function)
        and LEVELS.get(str(e.details.get("level")), 0) >= LEVELS[level]
    ]
    return {"lines": lines[:limit], "functions": functions, "levels": list(LEVELS), "last_seq": last_seq}


def _run(entry: Entry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"at": entry.at, "summary": entry.summary, "correlation_id": entry.correlation_id, **entry.details}


@routes.get("/api/systems/{system}/schedules")
def schedules(console: Console, request: Request) -> Any:
    """Each schedule of the system: its expression, its next run, and its last run as the trail has it."""
    name = console.system(request.params["system"]).system.name
    trail = console.runtime.watch.trail
    runs = trail.entries(system=name, kinds=("schedule",), limit=MAX_ENTRIES) if trail is not None else []
    last = {(e.details.get("service"), e.details.get("schedule")): e for e in runs}
    counts = Counter((e.details.get("service"), e.details.get("schedule")) for e in runs)
    return {
        "schedules": [
            {
                "service": t.service,
                "schedule": t.schedule.name,
                "expression": t.schedule.expression,
                "timezone": t.schedule.timezone,
                "handler": t.handler,
                "next_run": t.due.timestamp(),
                "runs": counts[(t.service, t.schedule.name)],
                "last": _run(last.get((t.service, t.schedule.name))),
            }
            for t in console.runtime.schedules.timers.values()
            if t.system == name
        ],
        "now": time.time(),
    }


@routes.post("/api/systems/{system}/schedules/{service}/{schedule}/run")
def run_schedule(console: Console, request: Request) -> Any:
    """Run one schedule now, as its timer would; an optional JSON object body is added to its input. The answer
    carries the function's result; its failure is a 502 with its first line."""
    name = console.system(request.params["system"]).system.name
    service, schedule = request.params["service"], request.params["schedule"]
    declared = [f"{t.service}/{t.schedule.name}" for t in console.runtime.schedules.timers.values() if t.system == name]
    if f"{service}/{schedule}" not in declared:
        raise Refusal(404, f"no schedule {service}/{schedule} in {name}; schedules: {', '.join(declared) or 'none'}")
    extra = request.json_object() if request.body.strip() else {}
    started = time.perf_counter()
    try:
        result = console.runtime.schedules.fire(name, service, schedule, extra)
    except Exception as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise Refusal(502, f"{service}/{schedule} failed: {first}") from None
    ms = round(1000 * (time.perf_counter() - started))
    return {"fired": f"{name}/{service}/{schedule}", "result": result, "ms": ms}
