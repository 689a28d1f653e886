"""The correlation id: one id that travels from an API request into every event it causes, and from each event into
the events its consumers cause in turn, so one request's whole story can be found in the logs (and in X-Ray).

An HTTP request's id is API Gateway's request id; a consumer takes the id its event carries in ``metadata``; any
other invocation (a schedule, the outbox relay) starts its own with its request id. :func:`lambda_entry` and the
consumer set it (``handlers.shared.entry``); a new event's metadata reads it (``handlers.shared.events``).
"""

from __future__ import annotations

from contextvars import ContextVar

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current() -> str | None:
    """The correlation id of what this invocation is doing now; None outside an invocation."""
    return _current.get()


def use(value: str | None) -> None:
    _current.set(value)


def sns_attributes() -> dict[str, dict[str, str]]:
    """The correlation id as an SNS message attribute, so what a topic sends can be traced to its request too
    (subscriptions' filter policies ignore attributes they do not name); none outside an invocation."""
    value = current()
    return {"correlation_id": {"DataType": "String", "StringValue": value}} if value else {}
