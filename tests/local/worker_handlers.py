"""Handlers for the worker tests (tests/local/test_workers.py): each shows where and how it ran."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

from handlers.shared import correlation


def whoami(event: Any, context: Any) -> dict[str, Any]:
    """Its process, the environment it saw, whether the other test handler module is loaded, and its time left."""
    return {"pid": os.getpid(), "who": os.environ.get("WHO"),
            "other_loaded": "tests.local.fake_handlers" in sys.modules,
            "remaining_ms": context.get_remaining_time_in_millis(), "function": context.function_name,
            "request_id": context.aws_request_id}  # fmt: skip


def nap(event: Any, context: Any) -> dict[str, float | int]:
    """Sleeps ``event["seconds"]``; when it started and ended, and in which process."""
    started = time.monotonic()
    time.sleep(event["seconds"])
    return {"pid": os.getpid(), "started": started, "ended": time.monotonic()}


def refuse(event: Any, context: Any) -> None:
    raise ValueError("bad input")


def die(event: Any, context: Any) -> None:
    os._exit(3)  # as a segfault or an out-of-memory kill would end it


def chatty(event: Any, context: Any) -> str:
    """Logs as handlers do (under ``handlers``), within a request's correlation id, then fails if asked to."""
    correlation.use(event.get("correlation_id"))
    log = logging.getLogger("handlers.chatty")
    log.debug("not at the function's level")
    log.info("working on %s", event.get("thing", "?"))
    log.warning("the thing is odd")
    logging.getLogger("tests.elsewhere").warning("not a handler's line")
    if event.get("fail"):
        raise ValueError("no thing")
    return "done"
