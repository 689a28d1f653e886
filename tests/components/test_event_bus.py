"""EventBusComponent and EventSubscription under strict recording mocks."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from aws_systems import defaults
from aws_systems.event_bus import (
    EventBusArgs,
    EventBusComponent,
    EventSubscription,
    EventSubscriptionArgs,
    EventTypeArgs,
    event_pattern,
)
from tests import harness

QUEUE = "aws:sqs/queue:Queue"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive"

TYPES = [
    EventTypeArgs("moving.moves", "MoveRegistered"),
    EventTypeArgs("moving.moves", "MoveCompleted"),
    EventTypeArgs("moving.trucks", "TruckAssigned"),
]
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"


def _bus(**overrides: Any) -> EventBusComponent:
    return EventBusComponent("events", EventBusArgs(**{"event_types": TYPES, **overrides}))


def _function() -> aws.lambda_.Function:
    return aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/fn")


def _subscribe(bus: EventBusComponent, name: str = "trucks", **overrides: Any) -> EventSubscription:
    kwargs: dict[str, Any] = {
        "detail_types": ["MoveRegistered", "TruckAssigned"],
        "function": _function(),
        "role_name": "fn-role",
        "function_timeout_seconds": 30,
        **overrides,
    }
    return bus.subscribe(name, **kwargs)


def _build(**overrides: Any) -> None:
    """A bus with one subscription; ``overrides`` go to subscribe."""
    _subscribe(_bus(alarm_topic_arn=TOPIC), **overrides)


def _statement(policy: str, sid: str | None = None) -> dict[str, Any]:
    statements = harness.statements(policy)
    return next(s for s in statements if sid is None or s.get("Sid") == sid)


# --- bus and archive ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("protection", "days"), [("standard", 7), ("hardened", 90)])
def test_archive_keeps_declared_sources_for_the_protection_retention(mocks, protection, days) -> None:
    harness.run(lambda: _bus(protection=protection))
    archive = mocks.one(ARCHIVE, "events-archive")
    assert archive.inputs["retentionDays"] == days == defaults.event_archive_retention_days(protection)
    assert json.loads(archive.inputs["eventPattern"]) == {"source": ["moving.moves", "moving.trucks"]}
    assert (
        archive.inputs["eventSourceArn"] == mocks.one("aws:cloudwatch/eventBus:EventBus", "events-bus").outputs["arn"]
    )


def test_bus_children_are_named_by_role_and_parented(mocks) -> None:
    harness.run(_bus)
    for typ, name in [("aws:cloudwatch/eventBus:EventBus", "events-bus"), (ARCHIVE, "events-archive")]:
        assert mocks.one(typ, name).parent_name == "events"
    assert mocks.one("awssystems:eventbus:EventBusComponent", "events")


@pytest.mark.parametrize("days", [0, 365])
def test_longer_or_forever_retention_is_accepted_without_warning(mocks, monkeypatch, days) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: warnings.append(msg))
    harness.run(lambda: _bus(archive_retention_days=days))
    assert mocks.one(ARCHIVE).inputs["retentionDays"] == days
    assert warnings == []


def test_shorter_retention_warns(mocks, monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: warnings.append(msg))
    harness.run(lambda: _bus(protection="hardened", archive_retention_days=3))
    assert mocks.one(ARCHIVE).inputs["retentionDays"] == 3
    assert len(warnings) == 1 and "archive_retention_days" in warnings[0] and "90" in warnings[0]


def test_bus_transform_overrides_a_child(mocks) -> None:
    transforms = {"archive": lambda props: {**props, "description": "custom"}}
    harness.run(lambda: _bus(transforms=transforms))
    assert mocks.one(ARCHIVE).inputs["description"] == "custom"


def test_unknown_transform_role_is_rejected(mocks) -> None:
    with pytest.raises(ValueError, match="^transforms: .*queue"):
        harness.run(lambda: _bus(transforms={"queue": lambda p: p}))


# --- publish grant ------------------------------------------------------------------------------------------
def test_publish_grant_is_scoped_to_the_bus_and_declared_sources(mocks) -> None:
    def build() -> None:
        _bus().grant_publish("moves-publish", "moves-role")

    harness.run(build)
    grant = mocks.one(ROLE_POLICY, "moves-publish")
    assert grant.inputs["role"] == "moves-role"
    assert grant.parent_name == "events"
    statement = _statement(grant.inputs["policy"])
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"] == mocks.one("aws:cloudwatch/eventBus:EventBus").outputs["arn"]
    assert statement["Condition"] == {"ForAllValues:StringEquals": {"events:source": ["moving.moves", "moving.trucks"]}}


# --- subscription -------------------------------------------------------------------------------------------
def test_rule_pattern_covers_only_the_chosen_declared_types(mocks) -> None:
    harness.run(_build)
    rule = mocks.one(RULE, "trucks-rule")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["moving.moves", "moving.trucks"],
        "detail-type": ["MoveRegistered", "TruckAssigned"],
    }
    assert rule.inputs["eventBusName"] == mocks.one("aws:cloudwatch/eventBus:EventBus").outputs["name"]


def test_event_pattern_is_a_pure_function_of_the_declaration() -> None:
    assert event_pattern(TYPES, ["MoveCompleted"]) == {
        "source": ["moving.moves"],
        "detail-type": ["MoveCompleted"],
    }
    assert event_pattern(TYPES) == {"source": ["moving.moves", "moving.trucks"]}


def test_queues_are_encrypted_with_visibility_factor_and_redrive(mocks) -> None:
    harness.run(lambda: _build(function_timeout_seconds=20, max_receive_count=3))
    queue, dlq = mocks.one(QUEUE, "trucks-queue"), mocks.one(QUEUE, "trucks-dlq")
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["visibilityTimeoutSeconds"] == defaults.SQS_VISIBILITY_TIMEOUT_FACTOR * 20 == 120
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dlq.outputs["arn"],
        "maxReceiveCount": 3,
    }
    assert dlq.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    allow = mocks.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "trucks-dlq-redrive-allow")
    assert allow.inputs["queueUrl"] == dlq.outputs["url"]
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue.outputs["arn"]],
    }


@pytest.mark.parametrize("role", ["queue", "dlq"])
def test_queue_policies_let_only_this_rule_send(mocks, role) -> None:
    harness.run(_build)
    queue = mocks.one(QUEUE, f"trucks-{role}")
    policy = mocks.one(QUEUE_POLICY, f"trucks-{role}-policy")
    assert policy.inputs["queueUrl"] == queue.outputs["url"]
    allow = _statement(policy.inputs["policy"], "AllowRuleToSend")
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Resource"] == queue.outputs["arn"]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": mocks.one(RULE).outputs["arn"]}}
    deny = _statement(policy.inputs["policy"], "DenyInsecureTransport")
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_target_retries_and_dead_letters_to_the_dlq(mocks) -> None:
    harness.run(_build)
    target = mocks.one(TARGET, "trucks-target")
    assert target.inputs["arn"] == mocks.one(QUEUE, "trucks-queue").outputs["arn"]
    assert target.inputs["rule"] == mocks.one(RULE).outputs["name"]
    assert target.inputs["retryPolicy"] == {
        "maximumRetryAttempts": defaults.EVENT_TARGET_MAX_RETRY_ATTEMPTS,
        "maximumEventAgeInSeconds": defaults.EVENT_TARGET_MAX_EVENT_AGE_SECONDS,
    }
    assert target.inputs["deadLetterConfig"] == {"arn": mocks.one(QUEUE, "trucks-dlq").outputs["arn"]}


def test_dlq_alarm_notifies_the_topic(mocks) -> None:
    harness.run(_build)
    alarm = mocks.one(ALARM, "trucks-dlq-alarm")
    assert alarm.inputs["namespace"] == "AWS/SQS"
    assert alarm.inputs["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm.inputs["dimensions"] == {"QueueName": mocks.one(QUEUE, "trucks-dlq").outputs["name"]}
    assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold" and alarm.inputs["threshold"] == 0
    assert alarm.inputs["period"] == 60 and alarm.inputs["evaluationPeriods"] == 1
    assert alarm.inputs["treatMissingData"] == "notBreaching"
    assert alarm.inputs["alarmActions"] == [TOPIC] and alarm.inputs["okActions"] == [TOPIC]


def test_dlq_alarm_without_topic_has_no_actions(mocks) -> None:
    harness.run(lambda: _subscribe(_bus()))
    alarm = mocks.one(ALARM)
    assert alarm.inputs.get("alarmActions", []) == [] and alarm.inputs.get("okActions", []) == []


def test_consumer_may_use_this_queue_only(mocks) -> None:
    harness.run(_build)
    policy = mocks.one(ROLE_POLICY, "trucks-consume-policy")
    assert policy.inputs["role"] == "fn-role"
    statement = _statement(policy.inputs["policy"])
    assert sorted(statement["Action"]) == [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ]
    assert statement["Resource"] == mocks.one(QUEUE, "trucks-queue").outputs["arn"]


@pytest.mark.parametrize(("batch_size", "window"), [(10, 0), (11, 1), (10000, 1)])
def test_mapping_reports_partial_batch_failures(mocks, batch_size, window) -> None:
    harness.run(lambda: _build(batch_size=batch_size))
    mapping = mocks.one(ESM, "trucks-mapping")
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping.inputs["batchSize"] == batch_size
    assert mapping.inputs["maximumBatchingWindowInSeconds"] == window
    assert mapping.inputs["eventSourceArn"] == mocks.one(QUEUE, "trucks-queue").outputs["arn"]
    assert mapping.inputs["functionName"] == mocks.one("aws:lambda/function:Function").outputs["arn"]


def test_explicit_batching_window_is_used(mocks) -> None:
    harness.run(lambda: _build(batch_size=100, batching_window_seconds=5))
    assert mocks.one(ESM).inputs["maximumBatchingWindowInSeconds"] == 5


def test_max_concurrency_caps_the_mapping(mocks) -> None:
    harness.run(lambda: _build(max_concurrency=2))
    assert mocks.one(ESM).inputs["scalingConfig"] == {"maximumConcurrency": 2}


def test_without_max_concurrency_the_mapping_leaves_scaling_to_lambda(mocks) -> None:
    harness.run(lambda: _build())
    assert "scalingConfig" not in mocks.one(ESM).inputs


def test_mapping_waits_for_the_consume_policy(mocks, monkeypatch) -> None:
    captured: dict[str, Any] = {}
    original = aws.lambda_.EventSourceMapping.__init__

    def spy(self, resource_name, *args, opts=None, **kwargs):
        captured["depends_on"] = opts.depends_on
        original(self, resource_name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(aws.lambda_.EventSourceMapping, "__init__", spy)
    subscriptions: list[EventSubscription] = []
    harness.run(lambda: subscriptions.append(_subscribe(_bus())))
    assert captured["depends_on"] == [subscriptions[0].consume_policy]


def test_subscription_children_are_named_and_parented(mocks) -> None:
    harness.run(_build)
    sub = mocks.one("awssystems:eventbus:EventSubscription", "trucks")
    assert sub.parent_name == "events"
    roles = ["rule", "dlq", "queue", "dlq-redrive-allow", "queue-policy", "dlq-policy", "target", "dlq-alarm"]
    for role in [*roles, "consume-policy", "mapping"]:
        assert mocks.named(f"trucks-{role}").parent_name == "trucks"


def test_subscription_parent_can_be_overridden(mocks) -> None:
    def build() -> None:
        bus = _bus()
        other = pulumi.ComponentResource("test:index:Owner", "owner")
        _subscribe(bus, opts=pulumi.ResourceOptions(parent=other))

    harness.run(build)
    assert mocks.one("awssystems:eventbus:EventSubscription", "trucks").parent_name == "owner"


def test_subscription_exposes_children_and_outputs(mocks) -> None:
    values: dict[str, str] = {}

    def build() -> None:
        sub = _subscribe(_bus())
        assert isinstance(sub.mapping, aws.lambda_.EventSourceMapping)
        assert isinstance(sub.alarm, aws.cloudwatch.MetricAlarm)
        assert isinstance(sub.target, aws.cloudwatch.EventTarget)
        assert isinstance(sub.rule, aws.cloudwatch.EventRule)
        pulumi.Output.all(sub.queue_arn, sub.dlq_arn).apply(lambda v: values.update(queue=v[0], dlq=v[1]))

    harness.run(build)
    assert values == {
        "queue": mocks.one(QUEUE, "trucks-queue").outputs["arn"],
        "dlq": mocks.one(QUEUE, "trucks-dlq").outputs["arn"],
    }


def test_subscription_transform_overrides_the_queue(mocks) -> None:
    transforms = {"queue": lambda props: {**props, "visibility_timeout_seconds": 900}}
    harness.run(lambda: _build(transforms=transforms))
    assert mocks.one(QUEUE, "trucks-queue").inputs["visibilityTimeoutSeconds"] == 900
    assert mocks.one(QUEUE, "trucks-dlq").inputs.get("visibilityTimeoutSeconds") is None


# --- validation ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"source": "", "detail_type": "X"}, "^source: "),
        ({"source": "aws.ec2", "detail_type": "X"}, "^source: must not start with 'aws.'"),
        ({"source": "a", "detail_type": " "}, "^detail_type: "),
    ],
)
def test_event_type_validation(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        EventTypeArgs(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"event_types": []}, "^event_types: must declare"),
        (
            {"event_types": [TYPES[0], TYPES[0]]},
            "^event_types: duplicate event type moving.moves/MoveRegistered",
        ),
        ({"event_types": [("a", "b")]}, "^event_types: each item"),
        ({"event_types": TYPES, "protection": "prod"}, "^protection: "),
        ({"event_types": TYPES, "archive_retention_days": -1}, "^archive_retention_days: "),
    ],
)
def test_bus_args_validation(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        EventBusArgs(**kwargs)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"detail_types": []}, "^detail_types: must be a non-empty list"),
        ({"detail_types": "MoveRegistered"}, "^detail_types: must be a non-empty list"),
        ({"detail_types": ["MoveRegistered", "MoveRegistered"]}, "^detail_types: must not repeat"),
        (
            {"detail_types": ["MoveCancelled"]},
            "^detail_types: 'MoveCancelled' is not declared on the bus; "
            "declared: MoveRegistered, MoveCompleted, TruckAssigned",
        ),
        (
            {"function_timeout_seconds": 0},
            r"^function_timeout_seconds: must be an integer between 1 and 900 \(got 0\)",
        ),
        ({"function_timeout_seconds": 901}, "^function_timeout_seconds: "),
        ({"batch_size": 0}, r"^batch_size: must be an integer between 1 and 10000 \(got 0\)"),
        ({"batch_size": 10001}, "^batch_size: "),
        ({"max_receive_count": 0}, "^max_receive_count: "),
        ({"max_receive_count": 1001}, "^max_receive_count: "),
        ({"batching_window_seconds": 301}, "^batching_window_seconds: must be an integer between 0 and 300"),
        ({"batch_size": 11, "batching_window_seconds": 0}, "^batching_window_seconds: must be at least 1"),
        ({"max_concurrency": 1}, r"^max_concurrency: must be an integer between 2 and 1000 \(got 1\)"),
        ({"max_concurrency": 1001}, "^max_concurrency: "),
        ({"max_concurrency": True}, "^max_concurrency: "),
    ],
)
def test_subscription_args_validation(overrides, match) -> None:
    kwargs: dict[str, Any] = {
        "bus_name": "bus",
        "event_types": TYPES,
        "detail_types": ["MoveRegistered"],
        "function": None,
        "role_name": "role",
        "function_timeout_seconds": 30,
        **overrides,
    }
    with pytest.raises(ValueError, match=match):
        EventSubscriptionArgs(**kwargs)


def test_subscribe_validates_before_creating_anything(mocks) -> None:
    with pytest.raises(ValueError, match="^detail_types: 'Nope' is not declared"):
        harness.run(lambda: _subscribe(_bus(), detail_types=["Nope"]))
    assert mocks.of_type(QUEUE) == []
