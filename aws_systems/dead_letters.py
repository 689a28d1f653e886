"""Dead-letter queues and their alarm, built in one place for the services' schedules and the bus subscriptions."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component


def dead_letter_queue(component: Component, role: str, /) -> aws.sqs.Queue:
    """An encrypted queue that keeps what failed for the longest retention SQS allows, child ``role``."""
    return component._child(
        aws.sqs.Queue,
        role,
        sqs_managed_sse_enabled=defaults.SQS_MANAGED_SSE,
        message_retention_seconds=defaults.SQS_DLQ_RETENTION_SECONDS,
    )


def dead_letter_alarm(
    component: Component,
    role: str,
    /,
    queue: aws.sqs.Queue,
    description: str,
    alarm_topic_arn: pulumi.Input[str] | None,
) -> aws.cloudwatch.MetricAlarm:
    """A CloudWatch alarm, child ``role``, that fires as soon as one message waits in ``queue`` (anything there is a
    failure someone must look at) and is OK again once it is drained. It notifies ``alarm_topic_arn`` both ways, when
    given."""
    actions = [alarm_topic_arn] if alarm_topic_arn is not None else []
    settings: dict[str, Any] = {
        "alarm_description": description,
        "namespace": "AWS/SQS",
        "metric_name": "ApproximateNumberOfMessagesVisible",
        "dimensions": {"QueueName": queue.name},
        "statistic": "Maximum",
        "period": 60,
        "evaluation_periods": 1,
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 0,
        "treat_missing_data": "notBreaching",
        "alarm_actions": actions,
        "ok_actions": actions,
    }
    return component._child(aws.cloudwatch.MetricAlarm, role, **settings)
