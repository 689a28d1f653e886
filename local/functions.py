"""Invoking the real handler functions locally, each with its own service's environment, as Lambda would.

Handlers read their settings from ``os.environ`` on first use, as in Lambda, where every function has its own. Here
all services share one process, so an invocation swaps in its service's environment for its duration (one
invocation at a time; each handler module keeps the wiring it built under its own environment).
"""

from __future__ import annotations

import importlib
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_ENV_LOCK = threading.RLock()


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    invoked_function_arn: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


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
