"""The log lines of one invocation, collected where the function runs and handed to the runtime with its answer.

Handlers log through the standard library (``logging.getLogger(__name__)``, under ``handlers``). In Lambda, those
lines go to CloudWatch; locally, each invocation's lines go to the runtime's trail (the console's logs, by
correlation id), and the warnings and errors among them to the terminal.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TypedDict

from handlers.shared import correlation

LOGGERS = "handlers"
MAX_LINES = 100
"""The lines kept of one invocation (a function that logs more is cut, and says so)."""
MAX_CHARS = 4000


class LogLine(TypedDict):
    at: float
    level: str
    logger: str
    message: str
    correlation_id: str | None


class InvocationLogs(logging.Handler):
    """Collects the ``handlers`` loggers' lines until :meth:`take` hands them over."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[LogLine] = []
        self.cut = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) >= MAX_LINES:
            self.cut += 1
            return
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(LogLine(at=record.created, level=record.levelname, logger=record.name,
                                  message=message[:MAX_CHARS], correlation_id=correlation.current()))  # fmt: skip

    def take(self) -> list[LogLine]:
        lines, self.lines = self.lines, []
        if self.cut:
            lines.append(LogLine(at=time.time(), level="WARNING", logger="local", correlation_id=correlation.current(),
                                 message=f"{self.cut} more line(s) of this invocation were not kept"))  # fmt: skip
            self.cut = 0
        return lines


def collect() -> InvocationLogs:
    """Collect the ``handlers`` loggers' lines from now on, at the function's log level (``POWERTOOLS_LOG_LEVEL``,
    else INFO), in place of printing them: the runtime prints what matters."""
    collector = InvocationLogs()
    handlers = logging.getLogger(LOGGERS)
    level = logging.getLevelName(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO").upper())
    level = level if isinstance(level, int) else logging.INFO  # a level Powertools would refuse: its default
    if handlers.level != level:  # setting it clears every logger's cached level: not on each invocation
        handlers.setLevel(level)
    handlers.addHandler(collector)
    handlers.propagate = False
    return collector


def release(collector: InvocationLogs) -> None:
    """Stop collecting: the ``handlers`` loggers' lines go to the runtime's own handlers again (in its process; they
    keep the function's level, as functions log only inside invocations)."""
    handlers = logging.getLogger(LOGGERS)
    handlers.removeHandler(collector)
    handlers.propagate = True
