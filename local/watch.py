"""What the runtime watches for the console and the terminal: the trail, fed by the gateways, the consumers, the
schedules, each system's bus and topics (``local.observer``) and the functions' log lines; and the terminal's lines,
one per request and per delivery (unless quiet), plus every warning or error a function logs (always).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from architectures import spec
from local.aws import LocalAws
from local.function_logs import LogLine
from local.observer import Observer, provision_observer
from local.trail import Entry, Trail, ids_in

log = logging.getLogger("local.functions")


def terminal_line(entry: Entry) -> str:
    """``10:42:07 moving   POST /moves → 201 in 23 ms · ana@example.com  [req Nf3c…]``"""
    clock = time.strftime("%H:%M:%S", time.localtime(entry.at))
    story = f"  [req {entry.correlation_id[:8]}…]" if entry.correlation_id else ""
    return f"{clock} {entry.system:<8} {entry.summary}{story}"


class Watch:
    """The runtime's trail and what feeds it. ``say`` prints a line; ``quiet`` keeps the per-request lines out of the
    terminal (the console still has them). Not ``recording`` (no console): no trail, nothing watched, and only the
    functions' warnings and errors are printed."""

    def __init__(self, say: Callable[[str], None], *, quiet: bool = False, recording: bool = True) -> None:
        self.say = say
        echo = None if quiet else lambda entry: say(terminal_line(entry))
        self.trail = Trail(echo=echo) if recording else None
        self.observers: list[Observer] = []

    def function_logs(self, system: str) -> Callable[[str, list[LogLine]], None]:
        """The sink for one system's functions' log lines: all to the trail, warnings and errors to the terminal."""

        def sink(function: str, lines: list[LogLine]) -> None:
            for line in lines:
                if self.trail is not None:
                    self.trail.add("log", system, line["correlation_id"], f"{function}: {line['message']}",
                                   {"function": function, "level": line["level"], "logger": line["logger"],
                                    "message": line["message"], "logged": line["at"]}, at=line["at"])  # fmt: skip
                level = logging.getLevelName(line["level"])
                if isinstance(level, int) and level >= logging.WARNING:
                    log.log(level, "%s: %s", function, line["message"])

        return sink

    def schedule_ran(self, system: str, service: str, schedule: str, request_id: str, started: float,
                     result: Any = None, error: BaseException | None = None) -> None:  # fmt: skip
        """A schedule's run, under its request id: the correlation id of the events and messages it causes."""
        if self.trail is None:
            return
        ms = 1000 * (time.perf_counter() - started)
        outcome = f"failed: {error}" if error is not None else "done"
        self.trail.add("schedule", system, request_id, f"schedule {service}/{schedule}: {outcome} ({ms:.0f} ms)",
                       {"service": service, "schedule": schedule, "ms": round(ms, 1), "result": result,
                        "error": None if error is None else str(error)},
                       ids_in(result) if isinstance(result, dict) else [], at=time.time() - ms / 1000)  # fmt: skip

    def observe(self, system: spec.System, made: LocalAws, session: Any, stopping: threading.Event) -> None:
        """Watch the system's bus and topics (a local-only rule, subscription and queue) from a thread of its own."""
        queue_url = provision_observer(system, made, session) if self.trail is not None else None
        if self.trail is not None and queue_url is not None:
            observer = Observer(system, made, queue_url, self.trail, session.client("sqs"), stopping)
            observer.start()
            self.observers.append(observer)

    def join(self, timeout: float) -> None:
        for observer in self.observers:
            observer.thread.join(timeout)
