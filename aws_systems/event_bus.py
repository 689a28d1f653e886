"""An EventBridge bus declared by its event types, with an archive, publish grants and Lambda subscriptions.

Delivery follows one path: rule → SQS queue (one per subscriber, with a DLQ and redrive) → Lambda event source
mapping that reports partial batch failures. Rule patterns come from ``aws_systems/event_patterns.py``, which the
local runtime's routing (``architectures/topology.py``) uses too, so both match events alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems import event_patterns as patterns
from aws_systems._base import Component, Transforms
from aws_systems.dead_letters import dead_letter_alarm, dead_letter_queue
from aws_systems.defaults import Protection
from aws_systems.function import TIMEOUT_RANGE_SECONDS
from aws_systems.iam import deny_insecure_transport, policy_document
from aws_systems.validation import check_int

EVENTS_PRINCIPAL = "events.amazonaws.com"
RESERVED_SOURCE_PREFIX = "aws."
CONSUMER_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
)
BATCH_SIZE_RANGE = (1, 10000)
UNBATCHED_MAX_BATCH_SIZE = 10  # above this, Lambda requires a batching window of at least 1 s for SQS
BATCHING_WINDOW_RANGE = (0, 300)
MAX_RECEIVE_COUNT_RANGE = (1, 1000)
MAX_CONCURRENCY_RANGE = (2, 1000)  # an SQS mapping's ScalingConfig.MaximumConcurrency (CloudFormation's schema)


@dataclass(frozen=True)
class EventTypeArgs:
    """One event type a bus carries: who emits it (``source``) and what it is (``detail_type``).

    ``source`` must not start with ``aws.``: EventBridge reserves that prefix for AWS services.
    """

    source: str
    detail_type: str

    def __post_init__(self) -> None:
        for argument in ("source", "detail_type"):
            value = getattr(self, argument)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{argument}: must be a non-empty string (got {value!r})")
        if self.source.startswith(RESERVED_SOURCE_PREFIX):
            raise ValueError(
                f"source: must not start with {RESERVED_SOURCE_PREFIX!r}, which is reserved for AWS services "
                f"(got {self.source!r})"
            )


def event_pattern(
    event_types: Sequence[EventTypeArgs], detail_types: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """The EventBridge pattern for ``detail_types`` (all of ``event_types`` when ``None``: by source only, which is
    what a bus archive needs). Built by :func:`aws_systems.event_patterns.event_pattern`, as the local runtime's are."""
    return patterns.event_pattern(((t.source, t.detail_type) for t in event_types), detail_types)


@dataclass(kw_only=True)
class EventBusArgs:
    """Arguments of :class:`EventBusComponent`.

    Attributes:
        event_types: required; the event types this bus carries, non-empty and unique. Subscriptions may only
            name these, and the archive and publish grants cover exactly their sources.
        protection: ``"standard"`` (default) or ``"hardened"``; picks the archive retention.
        archive_retention_days: ``None`` (default) keeps events for
            ``defaults.event_archive_retention_days(protection)`` days (7 standard, 90 hardened); ``0`` keeps
            them forever. A shorter retention logs a warning.
        alarm_topic_arn: ``None`` (default) or an SNS topic ARN notified when a subscription's DLQ fills or
            drains.
        transforms: ``None`` (default) or per-child overrides by role: ``bus``, ``archive``.
    """

    event_types: Sequence[EventTypeArgs]
    protection: Protection = "standard"
    archive_retention_days: int | None = None
    alarm_topic_arn: pulumi.Input[str] | None = None
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        if not self.event_types:
            raise ValueError("event_types: must declare at least one EventTypeArgs")
        seen: set[EventTypeArgs] = set()
        for event_type in self.event_types:
            if not isinstance(event_type, EventTypeArgs):
                raise ValueError(f"event_types: each item must be an EventTypeArgs (got {event_type!r})")
            if event_type in seen:
                raise ValueError(f"event_types: duplicate event type {event_type.source}/{event_type.detail_type}")
            seen.add(event_type)
        if self.archive_retention_days is not None:
            check_int("archive_retention_days", self.archive_retention_days, 0)  # 0 keeps events forever


@dataclass(kw_only=True)
class EventSubscriptionArgs:
    """Arguments of :class:`EventSubscription` (usually built by :meth:`EventBusComponent.subscribe`).

    Attributes:
        bus_name: required; the name of the bus the rule listens on.
        event_types: required; the event types declared on that bus.
        detail_types: required; the detail types to deliver: non-empty, unique, each declared in
            ``event_types``.
        function: required; the consuming Lambda function.
        role_name: required; the name of the function's execution role, which is allowed to consume the queue.
        function_timeout_seconds: required; the function's timeout (1..900). The queue's visibility timeout is
            ``defaults.SQS_VISIBILITY_TIMEOUT_FACTOR`` times this.
        batch_size: ``defaults.EVENT_SOURCE_BATCH_SIZE`` (10); messages per invocation, 1..10000.
        max_receive_count: ``defaults.SQS_MAX_RECEIVE_COUNT`` (5); deliveries before a message moves to the
            DLQ, 1..1000.
        batching_window_seconds: ``None`` (default) waits 0 s, or 1 s when ``batch_size`` is above 10 (which
            Lambda requires); otherwise 0..300, and at least 1 when ``batch_size`` is above 10.
        max_concurrency: ``None`` (default) leaves the mapping's scaling to Lambda (no cap beyond the function's
            own); otherwise 2..1000, the most batches of the queue handled at once (the mapping's
            ``scaling_config.maximum_concurrency``). Keep it at or under the function's reserved concurrency: above
            it, Lambda throttles the function and the messages go back to the queue.
        alarm_topic_arn: ``None`` (default) or an SNS topic ARN for the DLQ alarm's alarm and OK actions.
        transforms: ``None`` (default) or per-child overrides by role: ``rule``, ``dlq``, ``queue``,
            ``dlq-redrive-allow``, ``queue-policy``, ``dlq-policy``, ``target``, ``dlq-alarm``,
            ``consume-policy``, ``mapping``.
    """

    bus_name: pulumi.Input[str]
    event_types: Sequence[EventTypeArgs]
    detail_types: Sequence[str]
    function: aws.lambda_.Function
    role_name: pulumi.Input[str]
    function_timeout_seconds: int
    batch_size: int = defaults.EVENT_SOURCE_BATCH_SIZE
    max_receive_count: int = defaults.SQS_MAX_RECEIVE_COUNT
    batching_window_seconds: int | None = None
    max_concurrency: int | None = None
    alarm_topic_arn: pulumi.Input[str] | None = None
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        self._check_detail_types()
        check_int("function_timeout_seconds", self.function_timeout_seconds, *TIMEOUT_RANGE_SECONDS)
        check_int("batch_size", self.batch_size, *BATCH_SIZE_RANGE)
        check_int("max_receive_count", self.max_receive_count, *MAX_RECEIVE_COUNT_RANGE)
        if self.max_concurrency is not None:
            check_int("max_concurrency", self.max_concurrency, *MAX_CONCURRENCY_RANGE)
        if self.batching_window_seconds is not None:
            check_int("batching_window_seconds", self.batching_window_seconds, *BATCHING_WINDOW_RANGE)
            if self.batch_size > UNBATCHED_MAX_BATCH_SIZE and self.batching_window_seconds < 1:
                raise ValueError(
                    f"batching_window_seconds: must be at least 1 when batch_size is above "
                    f"{UNBATCHED_MAX_BATCH_SIZE} (got {self.batching_window_seconds} with batch_size "
                    f"{self.batch_size})"
                )

    def _check_detail_types(self) -> None:
        if isinstance(self.detail_types, str) or not self.detail_types:
            raise ValueError(
                f"detail_types: must be a non-empty list of declared detail types (got {self.detail_types!r})"
            )
        declared = patterns.unique(t.detail_type for t in self.event_types)
        if len(set(self.detail_types)) != len(self.detail_types):
            raise ValueError(f"detail_types: must not repeat a detail type (got {list(self.detail_types)})")
        for detail_type in self.detail_types:
            if detail_type not in declared:
                raise ValueError(
                    f"detail_types: {detail_type!r} is not declared on the bus; declared: {', '.join(declared)}"
                )

    @property
    def batching_window(self) -> int:
        """The batching window to use: the given one, else the smallest Lambda accepts for ``batch_size``."""
        if self.batching_window_seconds is not None:
            return self.batching_window_seconds
        return 1 if self.batch_size > UNBATCHED_MAX_BATCH_SIZE else 0


def _events_queue_policy(queue_arn: pulumi.Input[str], rule_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """A queue policy letting only this rule send to the queue, over TLS only."""
    send = {
        "Sid": "AllowRuleToSend",
        "Effect": "Allow",
        "Principal": {"Service": EVENTS_PRINCIPAL},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
    }
    return policy_document([send, deny_insecure_transport("sqs:*", queue_arn)])


class EventSubscription(Component):
    """One subscriber of a bus: rule → encrypted queue (DLQ, redrive) → Lambda, with a DLQ-depth alarm.

    Attributes: ``rule``, ``dlq``, ``queue``, ``target``, ``alarm``, ``consume_policy``, ``mapping``, and the
    outputs ``queue_arn`` and ``dlq_arn``.
    """

    def __init__(self, name: str, args: EventSubscriptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:eventbus:EventSubscription", name, args.transforms, opts)
        self._args = args
        self._create_queues()
        self._create_rule()
        self._create_delivery()
        self._create_alarm()
        self._create_consumer()
        self.queue_arn: pulumi.Output[str] = self.queue.arn
        self.dlq_arn: pulumi.Output[str] = self.dlq.arn
        self._check_transforms_used()
        self.register_outputs({"queue_arn": self.queue_arn, "dlq_arn": self.dlq_arn})

    def _create_queues(self) -> None:
        """The DLQ, the work queue that redrives into it, and the DLQ's allow-list of that one queue."""
        self.dlq = dead_letter_queue(self, "dlq")
        self.queue = self._child(
            aws.sqs.Queue,
            "queue",
            sqs_managed_sse_enabled=defaults.SQS_MANAGED_SSE,
            visibility_timeout_seconds=defaults.SQS_VISIBILITY_TIMEOUT_FACTOR * self._args.function_timeout_seconds,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": self.dlq.arn, "maxReceiveCount": self._args.max_receive_count}
            ),
        )
        self.dlq_redrive_allow = self._child(
            aws.sqs.RedriveAllowPolicy,
            "dlq-redrive-allow",
            queue_url=self.dlq.url,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [self.queue.arn]}
            ),
        )

    def _create_rule(self) -> None:
        pattern = event_pattern(self._args.event_types, self._args.detail_types)
        self.rule = self._child(
            aws.cloudwatch.EventRule,
            "rule",
            event_bus_name=self._args.bus_name,
            event_pattern=json.dumps(pattern),
            description=f"Delivers {', '.join(pattern['detail-type'])} to {self._name}",
        )

    def _create_delivery(self) -> None:
        """Queue policies for the rule, then the target, with retries and a DLQ for failed deliveries."""
        self.queue_policy = self._child(
            aws.sqs.QueuePolicy,
            "queue-policy",
            queue_url=self.queue.url,
            policy=_events_queue_policy(self.queue.arn, self.rule.arn),
        )
        self.dlq_policy = self._child(
            aws.sqs.QueuePolicy,
            "dlq-policy",
            queue_url=self.dlq.url,
            policy=_events_queue_policy(self.dlq.arn, self.rule.arn),
        )
        self.target = self._child(
            aws.cloudwatch.EventTarget,
            "target",
            rule=self.rule.name,
            event_bus_name=self._args.bus_name,
            arn=self.queue.arn,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_retry_attempts=defaults.EVENT_TARGET_MAX_RETRY_ATTEMPTS,
                maximum_event_age_in_seconds=defaults.EVENT_TARGET_MAX_EVENT_AGE_SECONDS,
            ),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=self.dlq.arn),
            depends_on=[self.queue_policy, self.dlq_policy],
        )

    def _create_alarm(self) -> None:
        description = f"Messages in the dead-letter queue of {self._name}"
        self.alarm = dead_letter_alarm(self, "dlq-alarm", self.dlq, description, self._args.alarm_topic_arn)

    def _create_consumer(self) -> None:
        """Let the function's role consume this queue only, then map the queue to the function."""
        consume = {"Effect": "Allow", "Action": list(CONSUMER_ACTIONS), "Resource": self.queue.arn}
        self.consume_policy = self._child(
            aws.iam.RolePolicy, "consume-policy", role=self._args.role_name, policy=policy_document([consume])
        )
        self.mapping = self._child(
            aws.lambda_.EventSourceMapping,
            "mapping",
            event_source_arn=self.queue.arn,
            function_name=self._args.function.arn,
            batch_size=self._args.batch_size,
            maximum_batching_window_in_seconds=self._args.batching_window,
            scaling_config=(
                aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=self._args.max_concurrency)
                if self._args.max_concurrency is not None
                else None
            ),
            function_response_types=["ReportBatchItemFailures"],
            depends_on=[self.consume_policy],
        )


class EventBusComponent(Component):
    """A custom EventBridge bus with an archive for replay, declared by the event types it carries.

    Attributes: ``bus``, ``archive``, ``event_types``, and the outputs ``bus_name`` and ``bus_arn``.
    Use :meth:`grant_publish` for publishers and :meth:`subscribe` for consumers.
    """

    def __init__(self, name: str, args: EventBusArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:eventbus:EventBusComponent", name, args.transforms, opts)
        self._args = args
        self.event_types: tuple[EventTypeArgs, ...] = tuple(args.event_types)
        self._create_bus()
        self._create_archive()
        self.bus_name: pulumi.Output[str] = self.bus.name
        self.bus_arn: pulumi.Output[str] = self.bus.arn
        self._check_transforms_used()
        self.register_outputs({"bus_name": self.bus_name, "bus_arn": self.bus_arn})

    @property
    def sources(self) -> list[str]:
        """The declared sources, once each, in declaration order."""
        return patterns.unique(t.source for t in self.event_types)

    def _create_bus(self) -> None:
        self.bus = self._child(
            aws.cloudwatch.EventBus, "bus", description=f"Events of {self._name}: {', '.join(self.sources)}"
        )

    def _archive_retention_days(self) -> int:
        """The protection level's retention; longer or 0 (forever) is accepted silently, shorter warns."""
        default = defaults.event_archive_retention_days(self._args.protection)
        value = self._args.archive_retention_days
        weaker = value is not None and value != 0 and value < default
        return int(self._secure("archive_retention_days", default, value, weaker))

    def _create_archive(self) -> None:
        self.archive = self._child(
            aws.cloudwatch.EventArchive,
            "archive",
            event_source_arn=self.bus.arn,
            event_pattern=json.dumps(event_pattern(self.event_types)),
            retention_days=self._archive_retention_days(),
            description=f"Replayable copy of the events of {self._name}",
        )

    def _default_parent(self, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        """Resources made on behalf of this bus are its children unless the caller names another parent."""
        return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=self), opts)

    def grant_publish(
        self,
        name: str,
        role_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        sources: Sequence[str] | None = None,
    ) -> aws.iam.RolePolicy:
        """Let the role put events on this bus only, and only with ``sources`` (default: every declared source).

        ``events:source`` is a PutEvents condition key; it is multivalued (a request holds several entries),
        so ``ForAllValues`` requires every entry's source to be one of them.
        """
        allowed = list(sources) if sources is not None else self.sources
        unknown = [s for s in allowed if s not in self.sources]
        if unknown or not allowed:
            raise ValueError(f"sources: must be a non-empty subset of {self.sources} (got {allowed})")
        put_events = {
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": self.bus.arn,
            "Condition": {"ForAllValues:StringEquals": {"events:source": allowed}},
        }
        return aws.iam.RolePolicy(
            name, role=role_name, policy=policy_document([put_events]), opts=self._default_parent(opts)
        )

    def subscribe(
        self,
        name: str,
        detail_types: Sequence[str],
        function: aws.lambda_.Function,
        role_name: pulumi.Input[str],
        function_timeout_seconds: int,
        batch_size: int = defaults.EVENT_SOURCE_BATCH_SIZE,
        max_receive_count: int = defaults.SQS_MAX_RECEIVE_COUNT,
        opts: pulumi.ResourceOptions | None = None,
        *,
        batching_window_seconds: int | None = None,
        max_concurrency: int | None = None,
        transforms: Transforms | None = None,
    ) -> EventSubscription:
        """Deliver the declared ``detail_types`` to ``function`` through its own queue; see
        :class:`EventSubscriptionArgs` for every argument. Alarms go to the bus's ``alarm_topic_arn``."""
        args = EventSubscriptionArgs(
            bus_name=self.bus.name,
            event_types=self.event_types,
            detail_types=detail_types,
            function=function,
            role_name=role_name,
            function_timeout_seconds=function_timeout_seconds,
            batch_size=batch_size,
            max_receive_count=max_receive_count,
            batching_window_seconds=batching_window_seconds,
            max_concurrency=max_concurrency,
            alarm_topic_arn=self._args.alarm_topic_arn,
            transforms=transforms,
        )
        return EventSubscription(name, args, self._default_parent(opts))
