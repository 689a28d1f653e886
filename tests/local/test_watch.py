"""What the runtime prints and records: a line per request and delivery unless quiet, every warning a function logs,
and nothing recorded without the console."""

from __future__ import annotations

import logging

import pytest

from local.__main__ import parse_args
from local.function_logs import LogLine
from local.watch import Watch, terminal_line


def line(level: str, message: str) -> LogLine:
    return LogLine(at=0.0, level=level, logger="handlers.x", message=message, correlation_id="req-1")


def test_requests_and_deliveries_are_printed_with_the_start_of_their_correlation_id():
    printed: list[str] = []
    watch = Watch(printed.append)
    assert watch.trail is not None
    watch.trail.add("request", "moving", "NfEcJ3kLxyzAB=", "POST /moves → 201 in 12 ms · ana@example.com")
    watch.trail.add("publish", "moving", "NfEcJ3kLxyzAB=", "MoveRegistered from moving.moves → fleet/bookings")
    [printed_line] = printed
    assert printed_line.endswith("moving   POST /moves → 201 in 12 ms · ana@example.com  [req NfEcJ3kL…]")


def test_quiet_prints_no_request_lines_but_keeps_them_for_the_console():
    printed: list[str] = []
    watch = Watch(printed.append, quiet=True)
    assert watch.trail is not None
    watch.trail.add("request", "moving", "c1", "GET /moves → 200 in 3 ms")
    assert printed == [] and len(watch.trail) == 1


def test_a_function_s_warnings_reach_the_terminal_and_every_line_the_trail(caplog: pytest.LogCaptureFixture):
    watch = Watch(lambda text: None, quiet=True)
    with caplog.at_level(logging.INFO, logger="local.functions"):
        watch.function_logs("moving")("moving-fleet-events", [line("INFO", "booked"), line("WARNING", "no truck")])
    assert [r.getMessage() for r in caplog.records] == ["moving-fleet-events: no truck"]
    assert watch.trail is not None
    assert [(e.kind, e.correlation_id, e.details["level"]) for e in watch.trail.entries()] == [
        ("log", "req-1", "INFO"),
        ("log", "req-1", "WARNING"),
    ]


def test_without_the_console_nothing_is_recorded_but_warnings_still_print(caplog: pytest.LogCaptureFixture):
    watch = Watch(lambda text: None, recording=False)
    assert watch.trail is None
    with caplog.at_level(logging.WARNING, logger="local.functions"):
        watch.function_logs("moving")("moving-fleet-events", [line("ERROR", "the bus is down")])
    assert [r.getMessage() for r in caplog.records] == ["moving-fleet-events: the bus is down"]
    watch.schedule_ran("moving", "fleet", "outbox-relay", "r-1", 0.0, {"published": 0})  # nowhere to record: no error


def test_the_command_line_turns_the_lines_and_the_console_off():
    assert (parse_args([]).quiet, parse_args([]).console) == (False, True)
    assert parse_args(["--quiet"]).quiet and not parse_args(["--no-console"]).console
    assert parse_args(["--demo"]).quiet, "the demo prints its own steps"


def test_a_line_without_a_correlation_id_has_no_tag():
    watch = Watch(lambda text: None)
    assert watch.trail is not None
    entry = watch.trail.add("schedule", "retail", None, "schedule reports/daily: done (40 ms)")
    assert terminal_line(entry).endswith("retail   schedule reports/daily: done (40 ms)")
