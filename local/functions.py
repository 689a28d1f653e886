"""Invoking the real handler functions locally, each with its own service's environment, as Lambda would.

Handlers read their settings from ``os.environ`` on first use, as in Lambda, where every function has its own. With
workers (``python -m local``'s default), each function runs in worker processes of its own (``local/workers.py``):
its own environment, invocations in parallel, cold starts, timeouts. Without, all services share this process, so an
invocation swaps in its service's environment for its duration (one invocation at a time; each handler module keeps
the wiring it built under its own environment).
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

from local.function_logs import LogLine, collect, release
from local.workers import FunctionSpec, FunctionWorkers, LambdaContext, WorkerSettings, resolve

_ENV_LOCK = threading.RLock()


def cool_down() -> None:
    """Make every function cold again, as new Lambda containers are: what handler modules keep warm (the use cases,
    settings and clients built from their first invocation's environment) is forgotten. A runtime started again in
    the same process (tests, benchmarks) then gets its own databases, ports and pools, not the previous one's."""
    from handlers.shared.consumer import ConsumerEntry
    from handlers.shared.routing import Router

    for name, module in list(sys.modules.items()):
        if module is None or not (name == "handlers" or name.startswith("handlers.")):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, Router | ConsumerEntry):
                value.reset()
            elif callable(getattr(value, "cache_clear", None)):  # a functools cache of warm wiring
                value.cache_clear()


class ServiceFunctions:
    """One service's functions: its environment plus the handler paths the declaration names.

    With ``workers`` each function runs in worker processes of its own (``local/workers.py``), as in Lambda, up to
    ``concurrency`` at once (the service's declared reserved concurrency; default: the settings'); without, every
    invocation runs in this process, one at a time, under the service's environment."""

    def __init__(self, name: str, environment: Mapping[str, str], *, timeouts: Mapping[str, float] | None = None,
                 workers: WorkerSettings | None = None, concurrency: int | None = None,
                 on_logs: Callable[[str, list[LogLine]], None] | None = None) -> None:  # fmt: skip
        self.name = name
        self.environment = dict(environment)
        self.timeouts = dict(timeouts or {})
        """Each handler's timeout (its declaration's), by handler path."""
        self.workers = workers
        self.concurrency = concurrency
        self.on_logs = on_logs
        """Gets each invocation's log lines: the function's name and the lines (``local.function_logs``)."""
        self._pools: dict[str, FunctionWorkers] = {}
        self._pools_lock = threading.Lock()

    def function_name(self, handler: str) -> str:
        return f"{self.name}-{handler.rsplit('.', 2)[-2]}"

    async def invoke_on_loop(self, handler: str, event: Any, executor: Executor) -> Any:
        """:meth:`invoke` for an event loop: a warm worker is called from the loop; anything that may block (a cold
        start, a wait at the limit, an invocation in this process) runs in ``executor``."""
        if self.workers is not None:
            return await self.pool(handler).invoke_on_loop(event, executor)
        return await asyncio.get_running_loop().run_in_executor(executor, self.invoke, handler, event)

    def invoke(self, handler: str, event: Any, request_id: str | None = None) -> Any:
        """``handler``'s answer to ``event``; ``request_id``: the invocation's request id (default: a new one)."""
        if self.workers is not None:
            return self.pool(handler).invoke(event, request_id)
        name = self.function_name(handler)
        context = LambdaContext(function_name=name, aws_request_id=request_id or str(uuid.uuid4()))
        with _ENV_LOCK:
            saved = {key: os.environ.get(key) for key in self.environment}
            os.environ.update(self.environment)
            logs = collect()
            try:
                return resolve(handler)(event, context)
            finally:
                release(logs)
                lines = logs.take()
                if lines and self.on_logs is not None:
                    self.on_logs(name, lines)
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value

    def pool(self, handler: str) -> FunctionWorkers:
        """The function's workers, made on its first invocation."""
        assert self.workers is not None
        with self._pools_lock:
            if handler not in self._pools:
                # the local AWS a worker reaches is the runtime's now, whatever the process had when workers began
                local_aws = {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "MOTO_"))}
                limit = self.workers.concurrency if self.concurrency is None else self.concurrency
                spec = FunctionSpec(self.function_name(handler), handler, {**local_aws, **self.environment},
                                    self.timeouts.get(handler, 30.0), limit)  # fmt: skip
                self._pools[handler] = FunctionWorkers(spec, queue_seconds=self.workers.queue_seconds,
                                                       on_logs=self.on_logs)  # fmt: skip
            return self._pools[handler]

    def reap(self, idle_seconds: float | None = None) -> int:
        """Stop the workers idle for longer than ``idle_seconds`` (the settings' idle time by default); how many."""
        if self.workers is None:
            return 0
        with self._pools_lock:
            pools = list(self._pools.values())
        limit = self.workers.idle_seconds if idle_seconds is None else idle_seconds
        return sum(pool.reap(limit) for pool in pools)

    @property
    def warm(self) -> int:
        """Workers running now, idle or busy."""
        with self._pools_lock:
            return sum(pool.warm for pool in self._pools.values())

    def stop(self) -> None:
        with self._pools_lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.stop()

    def restart(self, **environment: str) -> None:
        """Stop every worker and change the environment: the next invocations start cold under it (workers only:
        in this process, handler modules keep what they built under the old one)."""
        with self._pools_lock:
            pools, self._pools = list(self._pools.values()), {}
            self.environment.update(environment)
        for pool in pools:
            pool.stop()
