"""Invoking the real handler functions locally, each with its own service's environment, as Lambda would.

Handlers read their settings from ``os.environ`` on first use, as in Lambda, where every function has its own. Here
all services share one process, so an invocation swaps in its service's environment for its duration (one
invocation at a time; each handler module keeps the wiring it built under its own environment).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
    return getattr(importlib.import_module(module), name)


class ServiceFunctions:
    """One service's functions: its environment plus the handler paths the declaration names."""

    def __init__(self, name: str, environment: Mapping[str, str]) -> None:
        self.name = name
        self.environment = dict(environment)

    def invoke(self, handler: str, event: Any) -> Any:
        context = LambdaContext(function_name=f"{self.name}-{handler.rsplit('.', 2)[-2]}",
                                aws_request_id=str(uuid.uuid4()))  # fmt: skip
        with _ENV_LOCK:
            saved = {key: os.environ.get(key) for key in self.environment}
            os.environ.update(self.environment)
            try:
                return resolve(handler)(event, context)
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
