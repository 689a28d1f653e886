"""Each invocation's log lines reach the runtime with its answer, with the correlation id they were logged under: from
a worker process, and from the runtime's own process."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from local.function_logs import MAX_LINES, InvocationLogs
from local.functions import ServiceFunctions
from local.workers import FunctionError, FunctionSpec, FunctionWorkers, WorkerSettings

CHATTY = "tests.local.worker_handlers.chatty"


def received(lines: list[Any]) -> list[tuple[str, str, str | None]]:
    return [(line["level"], line["message"], line["correlation_id"]) for line in lines]


@pytest.mark.parametrize("workers", [WorkerSettings(), None], ids=["in a worker", "in this process"])
def test_an_invocation_s_handler_lines_come_back_with_its_correlation_id(workers):
    got: list[tuple[str, list[Any]]] = []
    functions = ServiceFunctions(
        "demo-chatty", {}, workers=workers, on_logs=lambda name, lines: got.append((name, lines))
    )
    try:
        assert functions.invoke(CHATTY, {"thing": "t1", "correlation_id": "req-1"}) == "done"
        with pytest.raises((FunctionError, ValueError)):
            functions.invoke(CHATTY, {"thing": "t2", "correlation_id": "req-2", "fail": True})
    finally:
        functions.stop()
    [(name, first), (_, second)] = got
    assert name == "demo-chatty-worker_handlers"
    assert received(first) == [("INFO", "working on t1", "req-1"), ("WARNING", "the thing is odd", "req-1")]
    assert received(second) == [("INFO", "working on t2", "req-2"), ("WARNING", "the thing is odd", "req-2")], (
        "a failed invocation's lines come back too"
    )


def test_in_this_process_the_handlers_loggers_print_as_before_once_the_invocation_ends():
    ServiceFunctions("demo-chatty", {}, workers=None, on_logs=lambda name, lines: None).invoke(CHATTY, {})
    handlers = logging.getLogger("handlers")
    assert handlers.propagate and not [h for h in handlers.handlers if isinstance(h, InvocationLogs)]


def test_a_function_that_logs_too_much_is_cut_and_says_so():
    collector = InvocationLogs()
    for n in range(MAX_LINES + 5):
        collector.emit(logging.LogRecord("handlers.x", logging.INFO, __file__, 1, "line %d", (n,), None))
    lines = collector.take()
    assert len(lines) == MAX_LINES + 1
    assert lines[-1]["message"] == "5 more line(s) of this invocation were not kept"
    assert collector.take() == [], "taken: the next invocation starts empty"


def test_a_worker_without_a_log_sink_still_answers():
    workers = FunctionWorkers(FunctionSpec("demo-quiet", CHATTY, {}), on_cold_start=lambda name, seconds: None)
    try:
        assert workers.invoke({"correlation_id": "req-1"}) == "done"
    finally:
        workers.stop()
