"""An SNS topic, always encrypted with KMS, reachable only over TLS, optionally published to by AWS services.

AWS services (CloudWatch alarms, EventBridge, AWS Backup) cannot use the AWS-managed SNS key, so when services must
publish the topic gets a customer-managed key whose policy lets exactly those services encrypt for it, and a topic
policy that lets them publish on behalf of this account only (``aws:SourceAccount``, against confused deputies); the
key policy holds each service to this account, and to its own kind of resource where AWS documents the source ARN.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection
from aws_systems.iam import KEYS_WITHOUT_SOURCE, deny_insecure_transport, source_condition
from aws_systems.kms import rotating_key

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
SERVICE_PRINCIPAL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$")
SERVICE_KEY_ACTIONS = ("kms:GenerateDataKey*", "kms:Decrypt")
SERVICE_SOURCE_ARNS = {
    "cloudwatch.amazonaws.com": "cloudwatch:{region}:{account}:alarm:*",
    "backup.amazonaws.com": "backup:{region}:{account}:backup-vault:*",
}
"""What a publishing service's ``aws:SourceArn`` is when it uses the key (after ``arn:<partition>:``): CloudWatch
sets its alarm's ARN (Amazon SNS developer guide, encrypted topics), AWS Backup its vault's (AWS Backup developer
guide, cross-service confused deputy prevention). Other services are held to ``aws:SourceAccount`` only."""


def email_slug(address: str) -> str:
    """A stable, readable child-name fragment for an address: ``ops@example.com`` gives ``ops-example-com``."""
    return re.sub(r"[^a-z0-9]+", "-", address.lower()).strip("-")


def _arn_parts(arn: str) -> tuple[str, str]:
    """The partition and account of an ARN (``arn:<partition>:<service>:<region>:<account>:...``)."""
    parts = arn.split(":")
    return parts[1], parts[4]


@dataclass(kw_only=True)
class TopicArgs:
    """Arguments of :class:`TopicComponent`.

    Attributes:
        protection: ``"standard"`` (default) or ``"hardened"``; picks the deletion window of a customer-managed
            key (``defaults.kms_key_deletion_window_days``: 7 or 30 days).
        email_subscriptions: ``()`` (default); email addresses subscribed to the topic. Each recipient must
            confirm the subscription from the email AWS sends. Addresses must be unique (ignoring case and
            punctuation, which the child names drop).
        service_publishers: ``()`` (default); AWS service principals allowed to publish, such as
            ``"cloudwatch.amazonaws.com"``, ``"events.amazonaws.com"`` or ``"backup.amazonaws.com"``. When empty
            the topic uses the AWS-managed key ``alias/aws/sns``; otherwise a customer-managed key.
        transforms: ``None`` (default) or per-child overrides by role: ``topic``, ``policy``, ``key``,
            ``key-policy``, ``email-<slug>``.
    """

    protection: Protection = "standard"
    email_subscriptions: Sequence[str] = field(default_factory=tuple)
    service_publishers: Sequence[str] = field(default_factory=tuple)
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        if isinstance(self.email_subscriptions, str):
            raise ValueError("email_subscriptions: must be a list of addresses, not one string")
        if isinstance(self.service_publishers, str):
            raise ValueError("service_publishers: must be a list of service principals, not one string")
        slugs: set[str] = set()
        for address in self.email_subscriptions:
            if not isinstance(address, str) or not EMAIL_PATTERN.match(address):
                raise ValueError(f"email_subscriptions: {address!r} is not an email address")
            if email_slug(address) in slugs:
                raise ValueError(f"email_subscriptions: {address!r} is listed twice")
            slugs.add(email_slug(address))
        for service in self.service_publishers:
            if not isinstance(service, str) or not SERVICE_PRINCIPAL_PATTERN.match(service):
                raise ValueError(
                    f"service_publishers: {service!r} is not an AWS service principal such as "
                    "'cloudwatch.amazonaws.com'"
                )
        if len(set(self.service_publishers)) != len(self.service_publishers):
            raise ValueError("service_publishers: each service may be listed once")


class TopicComponent(Component):
    """An encrypted SNS topic with a TLS-only policy, optional service publishers and email subscriptions.

    Attributes:
        topic: the ``aws.sns.Topic``.
        arn: the topic's ARN.
        name: the topic's name.
        key: the customer-managed ``aws.kms.Key``, or ``None`` with the AWS-managed key.
        key_policy: the key's ``aws.kms.KeyPolicy``, or ``None``.
        policy: the ``aws.sns.TopicPolicy``.
        subscriptions: the email subscriptions by address.
    """

    def __init__(self, name: str, args: TopicArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:messaging:TopicComponent", name, args.transforms, opts)
        self._args = args
        self._services = list(args.service_publishers)
        self._create_key()
        self._create_topic()
        self._create_policy()
        self._create_email_subscriptions()
        self.arn: pulumi.Output[str] = self.topic.arn
        self.name: pulumi.Output[str] = self.topic.name
        self._check_transforms_used()
        self.register_outputs({"arn": self.arn, "name": self.name})

    def _create_key(self) -> None:
        """A rotated key the account administers and the publishing services may encrypt with.

        The policy is a separate child so it can take the account from the key's own ARN: no data source call,
        and no account id argument to get wrong.
        """
        self.key: aws.kms.Key | None = None
        self.key_policy: aws.kms.KeyPolicy | None = None
        if not self._services:
            return
        description = f"{self._name}: SNS topic encryption for {', '.join(self._services)}"
        self.key = rotating_key(self, "key", description, self._args.protection)
        self.key_policy = self._child(
            aws.kms.KeyPolicy,
            "key-policy",
            key_id=self.key.id,
            policy=pulumi.Output.json_dumps(self.key.arn.apply(self._key_policy)),
        )

    def _key_policy(self, key_arn: str) -> dict[str, Any]:
        """In a key policy ``Resource: "*"`` means this key; the root statement keeps the key manageable. Each
        publishing service may use the key only for this account (and, where its source is known, for its own kind of
        resource: CloudWatch alarms, Backup vaults), so no other account's alarm can publish through it."""
        partition, account = _arn_parts(key_arn)
        region = key_arn.split(":")[3]
        administer = {
            "Sid": "AccountAdministersKey",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
        publishers = []
        for service in self._services:
            statement: dict[str, Any] = {
                "Sid": "Allow" + re.sub(r"[^A-Za-z0-9]", "", service.removesuffix(".amazonaws.com").title()),
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": list(SERVICE_KEY_ACTIONS),
                "Resource": "*",
            }
            if service not in KEYS_WITHOUT_SOURCE:
                source = SERVICE_SOURCE_ARNS.get(service)
                arn = f"arn:{partition}:{source.format(region=region, account=account)}" if source else None
                statement["Condition"] = source_condition(account, arn)
            publishers.append(statement)
        return {"Version": "2012-10-17", "Statement": [administer, *publishers]}

    def _create_topic(self) -> None:
        key_id: pulumi.Input[str] = self.key.arn if self.key else defaults.SNS_AWS_MANAGED_KEY
        depends_on = [self.key_policy] if self.key_policy else []
        self.topic = self._child(aws.sns.Topic, "topic", kms_master_key_id=key_id, depends_on=depends_on)

    def _topic_policy(self, topic_arn: str) -> dict[str, Any]:
        """Publishing over TLS only; the named services may publish for this account only."""
        _, account = _arn_parts(topic_arn)
        statements: list[dict[str, Any]] = []
        if self._services:
            statements.append(
                {
                    "Sid": "AllowServicePublishers",
                    "Effect": "Allow",
                    "Principal": {"Service": self._services},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            )
        statements.append(deny_insecure_transport("sns:Publish", topic_arn))
        return {"Version": "2012-10-17", "Statement": statements}

    def _create_policy(self) -> None:
        self.policy = self._child(
            aws.sns.TopicPolicy,
            "policy",
            arn=self.topic.arn,
            policy=pulumi.Output.json_dumps(self.topic.arn.apply(self._topic_policy)),
        )

    def _create_email_subscriptions(self) -> None:
        self.subscriptions: dict[str, aws.sns.TopicSubscription] = {}
        for address in self._args.email_subscriptions:
            role = f"email-{email_slug(address)}"
            self.subscriptions[address] = self._child(
                aws.sns.TopicSubscription, role, topic=self.topic.arn, protocol="email", endpoint=address
            )
