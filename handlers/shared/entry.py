"""One entry wrapper for every function: the Powertools Logger with a correlation id, and the Tracer.

Every Lambda entry point runs through :func:`lambda_entry` (a router's handler, an event consumer, the outbox relay,
schedules, the migration function and the authorizer), in the cloud and in the local runtime alike:

- The correlation id (``handlers.shared.correlation``) is the API Gateway request id for an HTTP request, the id an
  event carries in its metadata for each record a consumer handles (so it follows a request through every event it
  causes), and the invocation's request id otherwise. Log lines carry it, and so does the X-Ray trace, as the
  ``correlation_id`` annotation (searchable: ``annotation.correlation_id = "..."``).
- Modules log through the standard library (``logging.getLogger(__name__)``). In Lambda, the ``handlers`` loggers
  get the Powertools JSON formatter, so every line carries the service, the cold start, the request id and the
  correlation id. The local runtime keeps its own readable format.
- The Tracer records the invocation (and boto3 calls) in X-Ray; Powertools turns it off outside Lambda.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from handlers.shared import correlation

H = TypeVar("H", bound=Callable[..., Any])

# Every function's environment names its service; where none does (the local runtime running functions in its own
# process, tests), not "local": Powertools would give that logger its JSON handler, and the runtime's own loggers
# (local.*) are its children.
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "local-functions"
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)

_cold_start = True


def _in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


@functools.cache
def _json_logs_for_module_loggers() -> None:
    """Give the standard-library loggers of ``handlers`` the Powertools formatter (once per container)."""
    logging.getLogger("handlers")  # registered, so modules imported later log through it
    copy_config_to_registered_loggers(source_logger=logger, include={"handlers"})


def http_request_id(event: Any) -> str | None:
    """The correlation id of an HTTP API request: API Gateway's request id (also in the access log)."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    return (context or {}).get("requestId")


def set_correlation_id(value: str | None, *, annotate: bool = True) -> None:
    """Mark what follows as part of ``value``: log lines, events made from now on, and (``annotate``, only inside
    the traced handler: X-Ray refuses annotations on Lambda's own segment) the trace."""
    logger.set_correlation_id(value)
    correlation.use(value)
    if annotate and value and not tracer.disabled:
        tracer.put_annotation("correlation_id", value)


def lambda_entry(correlation_id: Callable[[Any], str | None] = lambda event: None) -> Callable[[H], H]:
    """Wrap a Lambda handler: correlation id from ``correlation_id(event)`` (default: the invocation's request id),
    the invocation's keys on every log line, and the Tracer's handler segment."""

    def decorate(function: H) -> H:
        @functools.wraps(function)
        def annotated(event: Any, context: Any, **kwargs: Any) -> Any:
            set_correlation_id(correlation.current())  # in the handler's subsegment now, where X-Ray takes it
            return function(event, context, **kwargs)

        # Outside Lambda the Tracer is off, yet its wrapper would still build X-Ray segments that go nowhere.
        traced = function if tracer.disabled else tracer.capture_lambda_handler(annotated)

        @functools.wraps(function)
        def entry(event: Any, context: Any, **kwargs: Any) -> Any:
            global _cold_start
            if _in_lambda():
                _json_logs_for_module_loggers()
            request_id = getattr(context, "aws_request_id", None)
            logger.append_keys(function_request_id=request_id, cold_start=_cold_start)
            _cold_start = False
            set_correlation_id(correlation_id(event) or request_id, annotate=False)
            return traced(event, context, **kwargs)

        return entry  # type: ignore[return-value]

    return decorate
