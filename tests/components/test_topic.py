"""TopicComponent under strict recording mocks."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from aws_systems import defaults
from aws_systems.topic import TopicArgs, TopicComponent, email_slug
from tests import harness

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
SERVICES = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]


def _topic(**args: Any) -> TopicComponent:
    return TopicComponent("alarms", TopicArgs(**args))


def _statements(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in harness.statements(policy)}


def test_without_publishers_uses_the_aws_managed_key_and_denies_plain_http(mocks, warnings) -> None:
    harness.run(lambda: _topic())
    topic = mocks.one(TOPIC, "alarms-topic")
    assert topic.inputs["kmsMasterKeyId"] == defaults.SNS_AWS_MANAGED_KEY == "alias/aws/sns"
    assert mocks.of_type(KEY) == [] and mocks.of_type(KEY_POLICY) == []
    policy = mocks.one(TOPIC_POLICY, "alarms-policy")
    assert policy.inputs["arn"] == topic.outputs["arn"]
    statements = _statements(policy.inputs["policy"])
    assert list(statements) == ["DenyInsecureTransport"]
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "sns:Publish"
    assert deny["Resource"] == topic.outputs["arn"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert warnings == []


@pytest.mark.parametrize(("protection", "window"), [("standard", 7), ("hardened", 30)])
def test_service_publishers_get_a_customer_key_they_may_use(mocks, protection, window) -> None:
    harness.run(lambda: _topic(protection=protection, service_publishers=SERVICES))
    key = mocks.one(KEY, "alarms-key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == window == defaults.kms_key_deletion_window_days(protection)
    assert mocks.one(TOPIC, "alarms-topic").inputs["kmsMasterKeyId"] == key.outputs["arn"]
    key_policy = mocks.one(KEY_POLICY, "alarms-key-policy")
    assert key_policy.inputs["keyId"] == "alarms-key-id"
    statements = _statements(key_policy.inputs["policy"])
    assert statements["AccountAdministersKey"]["Principal"] == {"AWS": f"arn:aws:iam::{harness.ACCOUNT}:root"}
    cloudwatch, events = statements["AllowCloudwatch"], statements["AllowEvents"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert cloudwatch["Action"] == events["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]


def test_each_service_may_use_the_key_for_this_account_and_its_own_resources_only(mocks) -> None:
    """Against the confused deputy: CloudWatch for this account's alarms, Backup for its vaults; EventBridge sets no
    source keys on its KMS requests (AWS documents it), so its grant has no condition; any other service gets the
    account."""
    services = [*SERVICES, "backup.amazonaws.com", "s3.amazonaws.com"]
    harness.run(lambda: _topic(service_publishers=services))
    statements = _statements(mocks.one(KEY_POLICY, "alarms-key-policy").inputs["policy"])
    account = {"StringEquals": {"aws:SourceAccount": harness.ACCOUNT}}
    assert statements["AllowCloudwatch"]["Condition"] == {
        **account,
        "ArnLike": {"aws:SourceArn": harness._arn("cloudwatch", "alarm:*")},
    }
    assert statements["AllowBackup"]["Condition"] == {
        **account,
        "ArnLike": {"aws:SourceArn": harness._arn("backup", "backup-vault:*")},
    }
    assert "Condition" not in statements["AllowEvents"]
    assert statements["AllowS3"]["Condition"] == account


def test_service_publishers_may_publish_for_this_account_only(mocks) -> None:
    harness.run(lambda: _topic(service_publishers=["backup.amazonaws.com"]))
    arn = mocks.one(TOPIC, "alarms-topic").outputs["arn"]
    statements = _statements(mocks.one(TOPIC_POLICY, "alarms-policy").inputs["policy"])
    allow = statements["AllowServicePublishers"]
    assert allow["Effect"] == "Allow" and allow["Action"] == "sns:Publish" and allow["Resource"] == arn
    assert allow["Principal"] == {"Service": ["backup.amazonaws.com"]}
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": harness.ACCOUNT}}
    assert "DenyInsecureTransport" in statements


def test_no_call_to_a_data_source(mocks) -> None:
    harness.run(lambda: _topic(service_publishers=SERVICES))
    assert mocks.calls == []


def test_email_subscriptions_are_named_by_address(mocks) -> None:
    harness.run(lambda: _topic(email_subscriptions=["ops@example.com", "On.Call@Example.org"]))
    arn = mocks.one(TOPIC, "alarms-topic").outputs["arn"]
    ops = mocks.one(SUBSCRIPTION, "alarms-email-ops-example-com")
    assert ops.inputs == {"topic": arn, "protocol": "email", "endpoint": "ops@example.com"}
    assert mocks.one(SUBSCRIPTION, "alarms-email-on-call-example-org").inputs["endpoint"] == "On.Call@Example.org"


def test_subscription_names_do_not_depend_on_order(mocks) -> None:
    harness.run(lambda: _topic(email_subscriptions=["b@example.com", "a@example.com"]))
    assert {r.name for r in mocks.of_type(SUBSCRIPTION)} == {"alarms-email-a-example-com", "alarms-email-b-example-com"}


def test_children_are_named_by_role_and_parented(mocks) -> None:
    harness.run(lambda: _topic(service_publishers=SERVICES, email_subscriptions=["ops@example.com"]))
    assert harness.child_names(mocks, "awssystems:messaging:TopicComponent", "alarms") == [
        "alarms-email-ops-example-com",
        "alarms-key",
        "alarms-key-policy",
        "alarms-policy",
        "alarms-topic",
    ]


def test_outputs_are_the_topic_arn_and_name(mocks) -> None:
    @pulumi.runtime.test
    def check() -> pulumi.Output:
        component = _topic()

        def verify(values: list[str]) -> None:
            arn, name = values
            assert arn == f"arn:aws:sns:{harness.REGION}:{harness.ACCOUNT}:alarms-topic"
            assert name == "alarms-topic"

        return pulumi.Output.all(component.arn, component.name).apply(verify)

    check()


def test_transform_overrides_a_subscription(mocks) -> None:
    transforms = {"email-ops-example-com": lambda props: {**props, "filter_policy": '{"severity": ["high"]}'}}
    harness.run(lambda: _topic(email_subscriptions=["ops@example.com"], transforms=transforms))
    sub = mocks.one(SUBSCRIPTION, "alarms-email-ops-example-com")
    assert sub.inputs["filterPolicy"] == '{"severity": ["high"]}'


def test_transform_for_the_key_without_publishers_is_rejected(mocks) -> None:
    with pytest.raises(ValueError, match="^transforms: .*key"):
        harness.run(lambda: _topic(transforms={"key": lambda p: p}))


def test_email_slug_is_stable_and_readable() -> None:
    assert email_slug("Ops.Team+alerts@Example.COM") == "ops-team-alerts-example-com"


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"protection": "prod"}, "protection"),
        ({"email_subscriptions": "ops@example.com"}, "email_subscriptions"),
        ({"email_subscriptions": ["not-an-address"]}, "email_subscriptions"),
        ({"email_subscriptions": ["ops@example"]}, "email_subscriptions"),
        ({"email_subscriptions": ["a b@example.com"]}, "email_subscriptions"),
        ({"email_subscriptions": ["ops@example.com", "OPS@example.com"]}, "email_subscriptions"),
        ({"email_subscriptions": ["o.ps@example.com", "o-ps@example.com"]}, "email_subscriptions"),
        ({"service_publishers": "events.amazonaws.com"}, "service_publishers"),
        ({"service_publishers": ["arn:aws:iam::123456789012:root"]}, "service_publishers"),
        ({"service_publishers": ["events.amazonaws.com", "events.amazonaws.com"]}, "service_publishers"),
    ],
)
def test_invalid_arguments_raise_naming_the_argument(args: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: "):
        TopicArgs(**args)
