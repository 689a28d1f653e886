"""Handlers for the worker tests (tests/local/test_workers.py): each shows where and how it ran."""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def whoami(event: Any, context: Any) -> dict[str, Any]:
    """Its process, the environment it saw, whether the other test handler module is loaded, and its time left."""
    return {"pid": os.getpid(), "who": os.environ.get("WHO"),
            "other_loaded": "tests.local.fake_handlers" in sys.modules,
            "remaining_ms": context.get_remaining_time_in_millis(), "function": context.function_name}  # fmt: skip


def nap(event: Any, context: Any) -> dict[str, float | int]:
    """Sleeps ``event["seconds"]``; when it started and ended, and in which process."""
    started = time.monotonic()
    time.sleep(event["seconds"])
    return {"pid": os.getpid(), "started": started, "ended": time.monotonic()}


def refuse(event: Any, context: Any) -> None:
    raise ValueError("bad input")


def die(event: Any, context: Any) -> None:
    os._exit(3)  # as a segfault or an out-of-memory kill would end it
