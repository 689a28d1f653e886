"""Functions in worker processes of their own (local/workers.py): isolated environments, warm reuse, invocations in
parallel up to the concurrency limit, throttling above it, the timeout enforced, crashes and idle workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local.workers import (
    FunctionCrashed,
    FunctionError,
    FunctionSpec,
    FunctionTimedOut,
    FunctionWorkers,
    Throttled,
)

HANDLERS = "tests.local.worker_handlers"


@pytest.fixture
def pools() -> Iterator[Any]:
    made: list[FunctionWorkers] = []

    def pool(handler: str, *, who: str = "a", timeout: float = 10, concurrency: int = 2,
             queue_seconds: float = 0.2) -> FunctionWorkers:  # fmt: skip
        spec = FunctionSpec(f"fn-{handler}-{who}", f"{HANDLERS}.{handler}", {"WHO": who}, timeout, concurrency)
        made.append(FunctionWorkers(spec, queue_seconds=queue_seconds, on_cold_start=lambda name, seconds: None))
        return made[-1]

    yield pool
    for workers in made:
        workers.stop()


def test_each_function_has_its_own_process_and_environment_and_stays_warm(pools: Any):
    first, second = pools("whoami", who="first"), pools("whoami", who="second")
    a, b = first.invoke({}), second.invoke({})
    assert (a["who"], b["who"]) == ("first", "second")
    assert a["pid"] != b["pid"]
    assert not a["other_loaded"]  # only its own handler's modules
    assert 9000 < a["remaining_ms"] <= 10000  # the function's timeout, counting down
    assert first.invoke({})["pid"] == a["pid"]  # warm: the same worker again
    assert first.cold_starts == 1


def test_invocations_run_in_parallel_up_to_the_limit_and_are_throttled_above_it(pools: Any):
    workers = pools("nap", concurrency=2, queue_seconds=0.1)
    with ThreadPoolExecutor(3) as run:
        naps = [run.submit(workers.invoke, {"seconds": 0.6}) for _ in range(3)]
    assert sum(isinstance(nap.exception(), Throttled) for nap in naps) == 1, "two at once, the third throttled"
    together = [nap.result() for nap in naps if nap.exception() is None]
    assert together[0]["pid"] != together[1]["pid"]
    assert max(n["started"] for n in together) < min(n["ended"] for n in together), "they overlapped"


def test_above_the_limit_an_invocation_waits_for_a_worker_to_come_free(pools: Any):
    workers = pools("nap", concurrency=1, queue_seconds=5)
    with ThreadPoolExecutor(2) as run:
        naps = [run.submit(workers.invoke, {"seconds": 0.3}) for _ in range(2)]
        first, second = sorted((nap.result() for nap in naps), key=lambda n: n["started"])
    assert second["started"] >= first["ended"]  # one after the other, in the one worker
    assert first["pid"] == second["pid"]


def test_waiting_invocations_get_the_worker_in_their_order_of_arrival(pools: Any):
    workers = pools("nap", concurrency=1, queue_seconds=10)
    workers.invoke({"seconds": 0})  # warm
    with ThreadPoolExecutor(6) as run:
        first = run.submit(workers.invoke, {"seconds": 0.3})
        time.sleep(0.1)
        waiting = []
        for n in range(5):  # each arrives while the one worker is busy, after the one before
            waiting.append(run.submit(workers.invoke, {"seconds": 0.05, "n": n}))
            time.sleep(0.02)
        started = [w.result()["started"] for w in waiting]
    assert first.result()["ended"] <= started[0]
    assert started == sorted(started), "served in the order they arrived"


def test_the_timeout_kills_the_worker_and_the_next_invocation_starts_cold(pools: Any):
    workers = pools("nap", timeout=0.5, concurrency=1)
    started = time.monotonic()
    with pytest.raises(FunctionTimedOut, match="timed out after 0.5 s"):
        workers.invoke({"seconds": 5})
    assert time.monotonic() - started < 3
    assert workers.invoke({"seconds": 0})["pid"] > 0
    assert workers.cold_starts == 2


def test_a_handler_error_keeps_the_worker_but_a_crash_replaces_it(pools: Any):
    refusing = pools("refuse")
    for _ in range(2):
        with pytest.raises(FunctionError, match="ValueError: bad input") as raised:
            refusing.invoke({})
        assert (raised.value.error_type, raised.value.error_message) == ("ValueError", "bad input")
    assert (refusing.cold_starts, refusing.warm) == (1, 1)  # the same worker both times
    dying = pools("die", concurrency=1)
    with pytest.raises(FunctionCrashed, match="exited"):
        dying.invoke({})
    with pytest.raises(FunctionCrashed):
        dying.invoke({})  # a fresh worker, which dies again: the slot was freed
    assert dying.cold_starts == 2


def test_a_missing_handler_module_is_the_import_error_the_gateway_reports(pools: Any):
    spec = FunctionSpec("fn-missing", "handlers.nowhere.api.handler", {})
    workers = FunctionWorkers(spec, on_cold_start=lambda name, seconds: None)
    with pytest.raises(ModuleNotFoundError) as missing:
        workers.invoke({})
    assert missing.value.name == "handlers.nowhere"
    assert workers.warm == 0


def test_idle_workers_are_reaped(pools: Any):
    workers = pools("whoami")
    workers.invoke({})
    assert workers.warm == 1
    assert workers.reap(idle_seconds=60) == 0
    time.sleep(0.05)
    assert workers.reap(idle_seconds=0.01) == 1
    assert workers.warm == 0
    workers.invoke({})
    assert workers.cold_starts == 2


def test_from_an_event_loop_a_warm_worker_is_called_directly_with_the_same_outcomes(pools: Any):
    napping, refusing = pools("nap", timeout=0.5), pools("refuse")
    threads = ThreadPoolExecutor(2, thread_name_prefix="gateway")

    async def calls() -> None:
        cold = await napping.invoke_on_loop({"seconds": 0}, threads)  # started in a thread
        warm = await napping.invoke_on_loop({"seconds": 0}, threads)  # from the loop
        assert warm["pid"] == cold["pid"] and napping.cold_starts == 1
        with pytest.raises(FunctionTimedOut):
            await napping.invoke_on_loop({"seconds": 3}, threads)
        assert napping.warm == 0  # killed, its slot free
        assert (await napping.invoke_on_loop({"seconds": 0}, threads))["pid"] != cold["pid"]
        for _ in range(2):
            with pytest.raises(FunctionError, match="ValueError: bad input"):
                await refusing.invoke_on_loop({}, threads)
        assert (refusing.cold_starts, refusing.warm) == (1, 1)

    try:
        asyncio.run(calls())
    finally:
        threads.shutdown()


def test_an_invocation_may_be_given_its_request_id(pools: Any):
    """A schedule's run is invoked under a request id the runtime chose, so its trail entry and its events share it."""
    whoami = pools("whoami")
    assert whoami.invoke({}, request_id="run-1")["request_id"] == "run-1"
    assert whoami.invoke({})["request_id"] not in ("", "run-1"), "otherwise a new one each time"
