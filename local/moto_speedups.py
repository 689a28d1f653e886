"""Three of moto's costs that grow with use, cut in local AWS's process (``local/aws_server.py``) without changing
what it answers.

- EventBridge parses the same few JSONPath expressions for every target of every event it routes, building a new
  parser each time: half of local AWS's CPU under load. A parsed expression is never changed by its use, so each is
  parsed once (moto imports ``parse`` from its module at each call, so it gets this one).
- SQS checks each message's retention on every receive by building all of the queue's attributes, three times, and
  each build counts every message in the queue. A queue that falls behind then gets slower the more it holds, until
  the calls time out. The check needs one number, the queue's retention period, read here directly.
- Counting a queue's messages (on every send, and for the messages a receive may take) reads the clock once per
  message, and the clock is slow in moto. Each count here reads it once, and tells visible, in-flight and delayed
  messages apart by the same rules.
"""

from __future__ import annotations

import functools
from typing import Any


def apply() -> None:
    """Install both in this process (local AWS's)."""
    import jsonpath_ng.ext
    from moto.sqs.models import SQSBackend

    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)
    SQSBackend.is_message_valid_based_on_retention_period = _within_retention  # type: ignore[method-assign,assignment]
    _count_with_one_clock_read()


def _count_with_one_clock_read() -> None:
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Queue

    def messages(queue: Any) -> list[Any]:  # visible and not delayed, as Message.visible and .delayed tell
        now = unix_time_millis()
        return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]

    def delayed(queue: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in queue._messages if now < m.delayed_until)

    def not_visible(queue: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in queue._messages if not now > m.visible_at)

    Queue.messages = property(messages)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[assignment,method-assign]


def _within_retention(backend: Any, queue_name: str, message: Any) -> bool:
    """What moto's own check answers: whether ``message`` is younger than its queue's retention period."""
    from moto.core.utils import unix_time

    retention_seconds: int = backend.get_queue(queue_name).message_retention_period
    return bool(retention_seconds + message.sent_timestamp / 1000 > unix_time())
