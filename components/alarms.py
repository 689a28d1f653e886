"""The alarm every dead-letter queue gets, built in one place for the services' and the bus subscriptions' queues."""

from __future__ import annotations

from typing import Any

import pulumi


def dead_letter_alarm_args(
    queue_name: pulumi.Input[str], description: str, alarm_topic_arn: pulumi.Input[str] | None
) -> dict[str, Any]:
    """The arguments of a CloudWatch alarm that fires as soon as one message waits in the dead-letter queue
    ``queue_name`` (anything there is a failure someone must look at) and is OK again once it is drained. It notifies
    ``alarm_topic_arn`` both ways, when given."""
    actions = [alarm_topic_arn] if alarm_topic_arn is not None else []
    return {
        "alarm_description": description,
        "namespace": "AWS/SQS",
        "metric_name": "ApproximateNumberOfMessagesVisible",
        "dimensions": {"QueueName": queue_name},
        "statistic": "Maximum",
        "period": 60,
        "evaluation_periods": 1,
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 0,
        "treat_missing_data": "notBreaching",
        "alarm_actions": actions,
        "ok_actions": actions,
    }
