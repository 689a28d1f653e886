"""The adapter that tells customers: one SNS message per notification on the ``customer-notifications`` topic.

Email and SMS subscriptions filter on the message attributes (``customer_email``, ``event_type``, also
``move_id`` and ``notification_id``). Locally the topic lives in moto, and every message is also logged.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.moving.notifications.logic import Message, masked
from handlers.shared import correlation
from handlers.shared.aws import client

log = logging.getLogger(__name__)


class SnsNotifier:
    """Publishes to one topic; the boto3 client is created on first use unless one is given."""

    def __init__(self, topic_arn: str, sns_client: Any | None = None) -> None:
        self.topic_arn = topic_arn
        self._client = sns_client

    def send(self, message: Message) -> str:
        """Publish ``message``; SNS's message id. Raises whatever boto3 raises (the caller retries)."""
        request: dict[str, Any] = {
            "TopicArn": self.topic_arn,
            "Subject": message.subject,
            "Message": message.text,
            "MessageAttributes": {
                **{name: {"DataType": "String", "StringValue": value} for name, value in message.attributes().items()},
                **correlation.sns_attributes(),
            },
        }
        if self.topic_arn.endswith(".fifo"):  # SNS drops a repeat with the same id for 5 minutes
            request.update(MessageGroupId=message.move_id, MessageDeduplicationId=message.event_id)
        sns = self._client or client("sns")
        message_id = str(sns.publish(**request)["MessageId"])
        log.info("notified %s (%s, move %s): %s | %s [sns %s]", masked(message.customer_email), message.kind,
                 message.move_id, message.subject, message.text, message_id)  # fmt: skip
        return message_id
