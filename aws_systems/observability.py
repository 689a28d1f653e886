"""Standard CloudWatch alarms to an SNS topic, and one dashboard per system.

Both are declared by what a system has (an HTTP API, a database, functions, queues), so every system gets the same
signals without hand-written metric names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems._base import Component, Transforms
from aws_systems.validation import check_int, check_not_blank

API_STAGE = "$default"  # HTTP APIs built by this library serve the auto-deployed default stage
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # keys become part of child names
DASHBOARD_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
METRIC_PART_PATTERN = re.compile(r"^[^\"'{}]{1,255}$")  # quoted inside a SEARCH expression
PERIOD_SECONDS = 300
WIDGET_WIDTH, WIDGET_HEIGHT, WIDGETS_PER_ROW = 12, 6, 2


def _check_keys(argument: str, mapping: Mapping[str, Any]) -> None:
    """Keys name children (``<name>-errors-<key>``), so they must be short, lower-case and stable."""
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{argument}: must be a mapping of key to name (got {mapping!r})")
    for key in mapping:
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise ValueError(
                f"{argument}: keys must be 1 to 40 lower-case letters, digits or '-', starting with a letter or "
                f"digit (got {key!r})"
            )


# --- alarms ---------------------------------------------------------------------------------------------------
@dataclass(kw_only=True)
class AlarmsArgs:
    """Arguments of :class:`AlarmsComponent`. Give at least one of ``api_id``, ``db_instance_id``,
    ``function_names``. (Dead-letter queues are alarmed by the components that create them.)

    Attributes:
        alarm_topic_arn: required; the SNS topic ARN every alarm notifies on ALARM and on OK.
        api_id: ``None`` (default) or an HTTP API id: alarms on 5xx count and p99 latency of its ``$default``
            stage (``AWS/ApiGateway`` ``5xx`` and ``Latency``, dimensions ``ApiId`` and ``Stage``).
        api_5xx_threshold: ``5``; alarm when an API returns more 5xx responses than this in 5 minutes (>= 0).
        api_latency_p99_ms: ``2000``; alarm when the p99 latency stays above this many milliseconds for
            15 minutes (>= 1).
        db_instance_id: ``None`` (default) or an RDS instance identifier: alarm on ``CPUUtilization``.
        db_cpu_percent: ``80``; alarm when the average CPU stays above this for 3 x 5 minutes (1..100).
        function_names: ``{}`` (default); key → Lambda function name: alarm on any ``Errors`` in a minute.
        transforms: ``None`` (default) or per-child overrides by role: ``api-5xx``, ``api-latency``, ``db-cpu``,
            ``errors-<key>``.
    """

    alarm_topic_arn: pulumi.Input[str]
    api_id: pulumi.Input[str] | None = None
    api_5xx_threshold: int = 5
    api_latency_p99_ms: int = 2000
    db_instance_id: pulumi.Input[str] | None = None
    db_cpu_percent: int = 80
    function_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        check_not_blank("alarm_topic_arn", self.alarm_topic_arn)
        check_int("api_5xx_threshold", self.api_5xx_threshold, 0)
        check_int("api_latency_p99_ms", self.api_latency_p99_ms, 1)
        check_int("db_cpu_percent", self.db_cpu_percent, 1, 100)
        _check_keys("function_names", self.function_names)
        if self.api_id is None and self.db_instance_id is None and not self.function_names:
            raise ValueError(
                "api_id, db_instance_id, function_names: give at least one; otherwise there is nothing to alarm on"
            )


@dataclass(frozen=True)
class _AlarmSpec:
    """What differs between two standard alarms; everything else (actions, missing data) is shared."""

    description: str
    namespace: str
    metric_name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    threshold: float
    period: int = 60
    evaluation_periods: int = 1
    statistic: str | None = "Sum"
    extended_statistic: str | None = None


class AlarmsComponent(Component):
    """The standard alarms of a system, all notifying one SNS topic on ALARM and on OK.

    Attributes: ``alarms`` (role → ``aws.cloudwatch.MetricAlarm``; roles as in :class:`AlarmsArgs`), and the
    output ``alarm_arns`` (role → ARN).
    """

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:observability:AlarmsComponent", name, args.transforms, opts)
        self._args = args
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        self._create_api_alarms()
        self._create_db_alarm()
        self._create_function_alarms()
        self.alarm_arns: dict[str, pulumi.Output[str]] = {role: alarm.arn for role, alarm in self.alarms.items()}
        self._check_transforms_used()
        self.register_outputs({"alarm_arns": self.alarm_arns})

    def _alarm(self, role: str, spec: _AlarmSpec) -> None:
        """One alarm: breaching above the threshold, quiet when there is no data, notifying on ALARM and OK."""
        topics = [self._args.alarm_topic_arn]
        self.alarms[role] = self._child(
            aws.cloudwatch.MetricAlarm,
            role,
            alarm_description=spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric_name,
            dimensions=dict(spec.dimensions),
            statistic=spec.statistic,
            extended_statistic=spec.extended_statistic,
            period=spec.period,
            evaluation_periods=spec.evaluation_periods,
            comparison_operator="GreaterThanThreshold",
            threshold=spec.threshold,
            treat_missing_data="notBreaching",
            alarm_actions=topics,
            ok_actions=topics,
        )

    def _create_api_alarms(self) -> None:
        a = self._args
        if a.api_id is None:
            return
        dimensions = {"ApiId": a.api_id, "Stage": API_STAGE}
        self._alarm(
            "api-5xx",
            _AlarmSpec(
                description=f"{self._name}: more than {a.api_5xx_threshold} API 5xx responses in 5 minutes",
                namespace="AWS/ApiGateway",
                metric_name="5xx",
                dimensions=dimensions,
                threshold=a.api_5xx_threshold,
                period=PERIOD_SECONDS,
            ),
        )
        self._alarm(
            "api-latency",
            _AlarmSpec(
                description=f"{self._name}: API p99 latency above {a.api_latency_p99_ms} ms for 15 minutes",
                namespace="AWS/ApiGateway",
                metric_name="Latency",
                dimensions=dimensions,
                threshold=a.api_latency_p99_ms,
                period=PERIOD_SECONDS,
                evaluation_periods=3,
                statistic=None,
                extended_statistic="p99",
            ),
        )

    def _create_db_alarm(self) -> None:
        a = self._args
        if a.db_instance_id is None:
            return
        self._alarm(
            "db-cpu",
            _AlarmSpec(
                description=f"{self._name}: database CPU above {a.db_cpu_percent}% for 15 minutes",
                namespace="AWS/RDS",
                metric_name="CPUUtilization",
                dimensions={"DBInstanceIdentifier": a.db_instance_id},
                threshold=a.db_cpu_percent,
                period=PERIOD_SECONDS,
                evaluation_periods=3,
                statistic="Average",
            ),
        )

    def _create_function_alarms(self) -> None:
        for key, function_name in self._args.function_names.items():
            self._alarm(
                f"errors-{key}",
                _AlarmSpec(
                    description=f"{self._name}: errors in function {key}",
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimensions={"FunctionName": function_name},
                    threshold=0,
                ),
            )


# --- dashboard ------------------------------------------------------------------------------------------------
@dataclass(kw_only=True)
class DashboardArgs:
    """Arguments of :class:`DashboardComponent`. Give at least one of ``api_id``, ``db_instance_id``,
    ``function_names``, ``custom_metrics``.

    Attributes:
        title: required; the dashboard's name (1 to 255 letters, digits, '-' or '_'), also shown as its heading.
        region: required; the region whose metrics the widgets show (for example the provider's region).
        api_id: ``None`` (default) or an HTTP API id: requests, 5xx and p99 latency of its ``$default`` stage.
        db_instance_id: ``None`` (default) or an RDS instance identifier: CPU and connections.
        function_names: ``{}`` (default); key → Lambda function name: invocations, errors and p99 duration, one
            line per function labelled by its key.
        custom_metrics: ``()`` (default); ``(namespace, metric name)`` pairs, such as the EMF metrics Powertools
            publishes under the system's namespace with a ``service`` dimension. Each is one widget summing the
            metric per service (a ``SEARCH`` over ``{namespace,service}``).
        transforms: ``None`` (default) or per-child overrides by role: ``dashboard``.
    """

    title: str
    region: pulumi.Input[str]
    api_id: pulumi.Input[str] | None = None
    db_instance_id: pulumi.Input[str] | None = None
    function_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    custom_metrics: Sequence[tuple[str, str]] = ()
    transforms: Transforms | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not DASHBOARD_NAME_PATTERN.match(self.title):
            raise ValueError(f"title: must be 1 to 255 letters, digits, '-' or '_' (got {self.title!r})")
        check_not_blank("region", self.region)
        _check_keys("function_names", self.function_names)
        for metric in self.custom_metrics:
            if (
                not isinstance(metric, tuple)
                or len(metric) != 2
                or not all(isinstance(part, str) and METRIC_PART_PATTERN.match(part) for part in metric)
            ):
                raise ValueError(
                    "custom_metrics: each item must be a (namespace, metric name) pair of non-empty strings "
                    f"without quotes or braces (got {metric!r})"
                )
        if self.api_id is None and self.db_instance_id is None and not self.function_names and not self.custom_metrics:
            raise ValueError(
                "api_id, db_instance_id, function_names, custom_metrics: give at least one; otherwise the dashboard "
                "is empty"
            )


class DashboardComponent(Component):
    """One CloudWatch dashboard for a system: API, functions, database and business metrics.

    Attributes: ``dashboard``, ``widgets`` (the widget definitions, Outputs inside), and the output
    ``dashboard_name``.
    """

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:observability:DashboardComponent", name, args.transforms, opts)
        self._args = args
        self.widgets: list[dict[str, Any]] = self._widgets()
        self._create_dashboard()
        self.dashboard_name: pulumi.Output[str] = self.dashboard.dashboard_name
        self._check_transforms_used()
        self.register_outputs({"dashboard_name": self.dashboard_name})

    def _metric_widget(self, title: str, metrics: list[list[Any]], stat: str) -> dict[str, Any]:
        return {
            "type": "metric",
            "properties": {
                "title": title,
                "region": self._args.region,
                "view": "timeSeries",
                "stat": stat,
                "period": PERIOD_SECONDS,
                "metrics": metrics,
            },
        }

    def _widgets(self) -> list[dict[str, Any]]:
        """Every widget, in reading order: API, functions, database, custom metrics; laid out two per row."""
        widgets = [*self._api_widgets(), *self._function_widgets(), *self._db_widgets(), *self._custom_widgets()]
        for index, widget in enumerate(widgets):
            widget["x"] = (index % WIDGETS_PER_ROW) * WIDGET_WIDTH
            widget["y"] = 1 + (index // WIDGETS_PER_ROW) * WIDGET_HEIGHT
            widget["width"], widget["height"] = WIDGET_WIDTH, WIDGET_HEIGHT
        heading = {
            "type": "text",
            "x": 0,
            "y": 0,
            "width": WIDGET_WIDTH * WIDGETS_PER_ROW,
            "height": 1,
            "properties": {"markdown": f"# {self._args.title}"},
        }
        return [heading, *widgets]

    def _api_widgets(self) -> list[dict[str, Any]]:
        api_id = self._args.api_id
        if api_id is None:
            return []

        def metric(name: str) -> list[list[Any]]:
            return [["AWS/ApiGateway", name, "ApiId", api_id, "Stage", API_STAGE]]

        return [
            self._metric_widget("API requests", metric("Count"), "Sum"),
            self._metric_widget("API 5xx", metric("5xx"), "Sum"),
            self._metric_widget("API latency p99", metric("Latency"), "p99"),
        ]

    def _function_widgets(self) -> list[dict[str, Any]]:
        functions = self._args.function_names
        if not functions:
            return []

        def metric(name: str) -> list[list[Any]]:
            return [
                ["AWS/Lambda", name, "FunctionName", function_name, {"label": key}]
                for key, function_name in functions.items()
            ]

        return [
            self._metric_widget("Lambda invocations", metric("Invocations"), "Sum"),
            self._metric_widget("Lambda errors", metric("Errors"), "Sum"),
            self._metric_widget("Lambda duration p99", metric("Duration"), "p99"),
        ]

    def _db_widgets(self) -> list[dict[str, Any]]:
        db = self._args.db_instance_id
        if db is None:
            return []
        return [
            self._metric_widget("RDS CPU", [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", db]], "Average"),
            self._metric_widget(
                "RDS connections", [["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", db]], "Average"
            ),
        ]

    def _custom_widgets(self) -> list[dict[str, Any]]:
        return [
            self._metric_widget(
                f"{namespace} {metric_name}",
                [
                    [
                        {
                            "id": f"m{index}",
                            "expression": (
                                f'SEARCH(\'{{"{namespace}",service}} MetricName="{metric_name}"\', '
                                f"'Sum', {PERIOD_SECONDS})"
                            ),
                        }
                    ]
                ],
                "Sum",
            )
            for index, (namespace, metric_name) in enumerate(self._args.custom_metrics)
        ]

    def _create_dashboard(self) -> None:
        self.dashboard = self._child(
            aws.cloudwatch.Dashboard,
            "dashboard",
            dashboard_name=self._args.title,
            dashboard_body=pulumi.Output.json_dumps({"widgets": self.widgets}),
        )
