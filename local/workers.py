"""Each function in worker processes of its own, as Lambda runs it in execution environments of its own.

A worker is a process with the function's environment that imports only the function's handler. It starts on an
invocation that finds no idle worker (a cold start, timed and logged), stays warm for the next ones, and is stopped
once it has been idle for a while. Up to the function's concurrency limit, invocations run in parallel, each in its
own worker; above it they wait for a worker to come free, and are throttled (:class:`Throttled`) if none does in
time. An invocation that outlives the function's timeout has its worker killed (:class:`FunctionTimedOut`); a
worker that dies mid-invocation is replaced by the next cold start (:class:`FunctionCrashed`).

Workers are forked from a server process that has already imported what every handler shares (boto3, pydantic,
Powertools), so a cold start pays only for the function's own modules, and nothing of the runtime's threads (moto,
the gateways) is copied into a worker.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.connection import Connection
from typing import Any

from local.function_logs import LogLine, collect

log = logging.getLogger("local.workers")

PRELOADED = ["boto3", "botocore.session", "pydantic", "aws_lambda_powertools", "handlers.shared.routing"]
DEFAULT_CONCURRENCY = 8
DEFAULT_IDLE_SECONDS = 300.0
DEFAULT_QUEUE_SECONDS = 1.0
"""How long an invocation above the concurrency limit waits for a worker before it is throttled."""


@dataclass(frozen=True)
class WorkerSettings:
    """How the runtime runs functions in workers: each function's concurrency limit, how long an invocation above it
    waits before it is throttled, how long an idle worker is kept, and how many batches of a queue may be in flight."""

    concurrency: int = DEFAULT_CONCURRENCY
    queue_seconds: float = DEFAULT_QUEUE_SECONDS
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    pollers: int = 5
    """The most batches of one subscription's queue handled at once when it declares no ``max_concurrency``: its
    pollers scale out to this while the queue has a backlog, as the event source mapping does."""


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    invoked_function_arn: str = ""
    deadline: float = field(default_factory=lambda: time.monotonic() + 30)
    """When the function's timeout ends (``time.monotonic()``)."""

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def resolve(path: str) -> Callable[[Any, Any], Any]:
    """``handlers.moving.moves.api.handler`` → the function."""
    module, _, name = path.rpartition(".")
    handler: Callable[[Any, Any], Any] = getattr(importlib.import_module(module), name)
    return handler


class Throttled(RuntimeError):
    """Every worker of the function is busy and none came free in time (Lambda's TooManyRequestsException)."""


class FunctionTimedOut(RuntimeError):
    """The invocation ran past the function's timeout; its worker was killed."""


class FunctionCrashed(RuntimeError):
    """The worker died during the invocation (Lambda's Runtime.ExitError)."""


class FunctionError(RuntimeError):
    """The handler raised; the message names the exception (the traceback went to the worker's log), and
    ``error_message`` is the exception's own, as Lambda reports it (``errorMessage``)."""

    def __init__(self, function: str, error_type: str, error_message: str) -> None:
        super().__init__(f"{function}: {error_type}: {error_message}")
        self.error_type = error_type
        self.error_message = error_message


FUNCTION_FAILURES = (Throttled, FunctionTimedOut, FunctionCrashed, FunctionError)
"""How an invocation in a worker fails, each already explained by its message."""


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str
    """The handler's dotted path, e.g. ``handlers.retail.sales.api.handler``."""
    environment: Mapping[str, str]
    timeout_seconds: float = 30.0
    concurrency: int = DEFAULT_CONCURRENCY


def serve(conn: Connection, spec: FunctionSpec) -> None:
    """A worker's life: take the function's environment, import its handler, then answer invocations ``(event,
    request id or None)`` until the runtime closes the pipe. Each answer is ("ok", result, log lines), ("missing",
    message, module) or ("error", the exception's type, its message, log lines)."""
    # Ctrl-C reaches every process of the terminal's group; the runtime stops its workers itself (closing their pipes),
    # so an invocation under way finishes rather than dying with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the forkserver preloaded and the handler's imports build lives as long as the worker: frozen, out of the
    # collector's way, a collection walks only what invocations allocate, and leaves the pages shared with the
    # forkserver unwritten.
    gc.disable()
    os.environ.update(spec.environment)
    try:
        handler = resolve(spec.handler)
    except ModuleNotFoundError as e:
        conn.send(("missing", str(e), e.name))
        return
    gc.freeze()
    gc.enable()
    logs = collect()
    conn.send(("ready", None))
    while True:
        try:
            event, request_id = conn.recv()
        except EOFError:
            return
        context = LambdaContext(spec.name, aws_request_id=request_id or str(uuid.uuid4()),
                                deadline=time.monotonic() + spec.timeout_seconds)  # fmt: skip
        try:
            conn.send(("ok", handler(event, context), logs.take()))
        except Exception as e:
            traceback.print_exc()
            conn.send(("error", type(e).__name__, str(e), logs.take()))


def log_cold_start(function: str, seconds: float) -> None:
    log.info("cold start %s: %.0f ms", function, seconds * 1000)


@cache
def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    last_used: float = field(default_factory=time.monotonic)

    def stop(self) -> None:
        self.conn.close()
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@dataclass(eq=False)
class _Waiter:
    """An invocation waiting at the concurrency limit: handed a worker that came free, or the slot of one that died."""

    ready: threading.Event = field(default_factory=threading.Event)
    worker: _Worker | None = None
    slot: bool = False


def _settle(future: asyncio.Future[bool], answered: bool) -> None:
    if not future.done():
        future.set_result(answered)


class FunctionWorkers:
    """The warm and busy workers of one function. Invocations that wait at the limit are served in their order of
    arrival: a worker that comes free goes to the longest waiting, never to one that arrived after it."""

    def __init__(self, spec: FunctionSpec, *, queue_seconds: float = DEFAULT_QUEUE_SECONDS,
                 on_cold_start: Callable[[str, float], None] | None = None,
                 on_logs: Callable[[str, list[LogLine]], None] | None = None) -> None:  # fmt: skip
        self.spec = spec
        self.queue_seconds = queue_seconds
        self.on_cold_start = on_cold_start or log_cold_start
        self.on_logs = on_logs
        """Gets each invocation's log lines (the function's name, the lines)."""
        self._idle: list[_Worker] = []
        self._waiting: collections.deque[_Waiter] = collections.deque()
        self._busy = 0
        self._lock = threading.Lock()
        self._closed = False
        self.cold_starts = 0

    def invoke(self, event: Any, request_id: str | None = None) -> Any:
        """The function's answer to ``event``; ``request_id``: the invocation's (its context's ``aws_request_id``, so
        its correlation id when nothing else gives one), else a new one."""
        worker = self._acquire()
        with self._using(worker):
            return self._result(self._call(worker, (event, request_id)))

    async def invoke_on_loop(self, event: Any, executor: Executor) -> Any:
        """:meth:`invoke` for an event loop: a warm worker is called from the loop itself, its pipe awaited (no thread
        hand-off); a cold start, or a wait at the limit, runs :meth:`invoke` in ``executor``."""
        worker = self._take_idle()
        if worker is None:
            return await asyncio.get_running_loop().run_in_executor(executor, self.invoke, event)
        with self._using(worker):
            return self._result(await self._call_on_loop(worker, (event, None)))

    @contextmanager
    def _using(self, worker: _Worker) -> Iterator[None]:
        try:
            yield
        except FunctionError:
            self._release(worker)  # the handler raised and answered: its environment stays warm, as in Lambda
            raise
        except BaseException:
            self._discard(worker)
            raise
        self._release(worker)

    def _take_idle(self) -> _Worker | None:
        """A warm worker at once, unless none is idle or others wait for one."""
        with self._lock:
            if self._idle and not self._waiting:
                self._busy += 1
                return self._idle.pop()
        return None

    def _acquire(self) -> _Worker:
        waiter = None
        with self._lock:
            if self._idle and not self._waiting:
                self._busy += 1
                return self._idle.pop()
            if self._busy < self.spec.concurrency and not self._waiting:
                self._busy += 1
            else:
                waiter = _Waiter()
                self._waiting.append(waiter)
        if waiter is not None:
            waiter.ready.wait(self.queue_seconds)
            with self._lock:
                if waiter.worker is None and not waiter.slot:
                    self._waiting.remove(waiter)
                    raise Throttled(f"{self.spec.name}: all {self.spec.concurrency} workers are busy")
            if waiter.worker is not None:
                return waiter.worker
        try:  # a slot of its own: a cold start
            return self._start()
        except BaseException:
            self._discard(None)
            raise

    def _start(self) -> _Worker:
        """A cold start: a new worker, ready once its handler is imported."""
        started = time.monotonic()
        parent, child = _context().Pipe()
        process = _context().Process(target=serve, args=(child, self.spec), name=self.spec.name, daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        kind, *details = self._answer(worker, self.spec.timeout_seconds)
        if kind == "missing":
            worker.stop()
            raise ModuleNotFoundError(details[0], name=details[1])
        self.cold_starts += 1
        self.on_cold_start(self.spec.name, time.monotonic() - started)
        return worker

    def _call(self, worker: _Worker, invocation: tuple[Any, str | None]) -> tuple[Any, ...]:
        worker.conn.send(invocation)
        return self._answer(worker, self.spec.timeout_seconds)

    async def _call_on_loop(self, worker: _Worker, invocation: tuple[Any, str | None]) -> tuple[Any, ...]:
        # A future settled by the pipe turning readable, or by the timeout; a timer rather than asyncio.wait_for,
        # which would wrap every call in a task of its own.
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[bool] = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, _settle, answered, True)
        timer = loop.call_later(self.spec.timeout_seconds, _settle, answered, False)
        try:
            worker.conn.send(invocation)
            if not await answered:
                worker.process.kill()
                raise FunctionTimedOut(f"{self.spec.name}: timed out after {self.spec.timeout_seconds:g} s")
        finally:
            timer.cancel()
            loop.remove_reader(fd)
        return self._receive(worker)

    def _result(self, answer: tuple[Any, ...]) -> Any:
        kind, *details, lines = answer
        if lines and self.on_logs is not None:
            self.on_logs(self.spec.name, lines)
        if kind == "error":
            raise FunctionError(self.spec.name, *details)
        return details[0]

    def _answer(self, worker: _Worker, timeout: float) -> tuple[Any, ...]:
        try:
            ready = worker.conn.poll(timeout)
        except (EOFError, ConnectionError, OSError):
            ready = True  # the worker is gone: receiving says so
        if not ready:
            worker.process.kill()
            raise FunctionTimedOut(f"{self.spec.name}: timed out after {timeout:g} s")
        return self._receive(worker)

    def _receive(self, worker: _Worker) -> tuple[Any, ...]:
        """The worker's answer, once its pipe is readable."""
        try:
            answer: tuple[Any, ...] = worker.conn.recv()
            return answer
        except (EOFError, ConnectionError, OSError):
            raise FunctionCrashed(f"{self.spec.name}: the worker exited (code {worker.process.exitcode})") from None

    def _release(self, worker: _Worker) -> None:
        worker.last_used = time.monotonic()
        with self._lock:
            if self._waiting and not self._closed:
                waiter = self._waiting.popleft()  # it goes on with this worker: still as many busy
                waiter.worker = worker
                waiter.ready.set()
                return
            self._busy -= 1
            if not self._closed:
                self._idle.append(worker)
                return
        worker.stop()  # the runtime is stopping

    def _discard(self, worker: _Worker | None) -> None:
        """A worker that failed its invocation or its start is not reused (its slot frees up)."""
        if worker is not None:
            worker.stop()
        with self._lock:
            if self._waiting and not self._closed:
                waiter = self._waiting.popleft()  # it starts a worker in this slot
                waiter.slot = True
                waiter.ready.set()
                return
            self._busy -= 1

    def reap(self, idle_seconds: float) -> int:
        """Stop the workers idle for longer than ``idle_seconds``; how many were stopped."""
        cutoff = time.monotonic() - idle_seconds
        with self._lock:
            stale = [w for w in self._idle if w.last_used < cutoff]
            self._idle = [w for w in self._idle if w not in stale]
        for worker in stale:
            worker.stop()
        return len(stale)

    def stop(self) -> None:
        """Stop every idle worker; a busy one stops when its invocation ends."""
        with self._lock:
            self._closed = True
        self.reap(-1)

    @property
    def warm(self) -> int:
        with self._lock:
            return len(self._idle) + self._busy
