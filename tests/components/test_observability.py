"""AlarmsComponent and DashboardComponent under the recording mocks: alarms, widgets, overrides, validation."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from aws_systems.observability import AlarmsArgs, AlarmsComponent, DashboardArgs, DashboardComponent
from tests import harness

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
TOPIC = f"arn:aws:sns:{harness.REGION}:{harness.ACCOUNT}:alarms"
FUNCTIONS = {"products": "retail-products-fn", "sales": "retail-sales-fn"}


def alarms(**kwargs: Any) -> AlarmsComponent:
    built: list[AlarmsComponent] = []
    args = AlarmsArgs(**{"alarm_topic_arn": TOPIC, **kwargs})
    harness.run(lambda: built.append(AlarmsComponent("ops", args)))
    return built[0]


def dashboard(**kwargs: Any) -> DashboardComponent:
    built: list[DashboardComponent] = []
    args = DashboardArgs(**{"title": "retail-dev", "region": harness.REGION, **kwargs})
    harness.run(lambda: built.append(DashboardComponent("board", args)))
    return built[0]


def metric_widgets(mocks: harness.RecordingMocks) -> dict[str, dict[str, Any]]:
    """The dashboard's metric widgets by title, from the body the engine received."""
    body = json.loads(mocks.one(DASHBOARD, "board-dashboard").inputs["dashboardBody"])
    return {w["properties"]["title"]: w for w in body["widgets"] if w["type"] == "metric"}


# --- alarms -------------------------------------------------------------------------------------------------------
def test_every_alarm_notifies_the_topic_on_alarm_and_ok_and_ignores_missing_data(mocks) -> None:
    component = alarms(api_id="api123", db_instance_id="retail-db", function_names=FUNCTIONS)
    recorded = mocks.of_type(ALARM)
    assert sorted(r.name for r in recorded) == sorted(f"ops-{role}" for role in component.alarms)
    assert set(component.alarms) == {
        "api-5xx",
        "api-latency",
        "db-cpu",
        "errors-products",
        "errors-sales",
    }
    for alarm in recorded:
        assert alarm.inputs["alarmActions"] == [TOPIC] == alarm.inputs["okActions"], alarm.name
        assert alarm.inputs["treatMissingData"] == "notBreaching", alarm.name
        assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold", alarm.name
        assert alarm.parent_name == "ops"
    assert harness.resolved(component.alarm_arns["db-cpu"]) == mocks.one(ALARM, "ops-db-cpu").outputs["arn"]


def test_api_alarms_watch_the_default_stage(mocks) -> None:
    alarms(api_id="api123")
    five = mocks.one(ALARM, "ops-api-5xx").inputs
    assert (five["namespace"], five["metricName"], five["statistic"], five["threshold"]) == (
        "AWS/ApiGateway",
        "5xx",
        "Sum",
        5,
    )
    assert five["dimensions"] == {"ApiId": "api123", "Stage": "$default"}
    latency = mocks.one(ALARM, "ops-api-latency").inputs
    assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == ("Latency", "p99", 2000)
    assert "statistic" not in latency  # CloudWatch rejects both a statistic and an extended statistic
    assert latency["dimensions"] == five["dimensions"]
    assert [r.name for r in mocks.of_type(ALARM)] == ["ops-api-5xx", "ops-api-latency"]


def test_thresholds_are_configurable(mocks) -> None:
    alarms(api_id="api123", api_5xx_threshold=0, api_latency_p99_ms=500, db_instance_id="db", db_cpu_percent=95)
    assert mocks.one(ALARM, "ops-api-5xx").inputs["threshold"] == 0
    assert mocks.one(ALARM, "ops-api-latency").inputs["threshold"] == 500
    db = mocks.one(ALARM, "ops-db-cpu").inputs
    assert (db["namespace"], db["metricName"], db["statistic"], db["threshold"]) == (
        "AWS/RDS",
        "CPUUtilization",
        "Average",
        95,
    )
    assert (db["period"], db["evaluationPeriods"]) == (300, 3)
    assert db["dimensions"] == {"DBInstanceIdentifier": "db"}


def test_function_alarms_fire_on_the_first_error(mocks) -> None:
    alarms(function_names={"sales": "retail-sales-fn"})
    errors = mocks.one(ALARM, "ops-errors-sales").inputs
    assert (errors["namespace"], errors["metricName"], errors["statistic"], errors["threshold"]) == (
        "AWS/Lambda",
        "Errors",
        "Sum",
        0,
    )
    assert errors["dimensions"] == {"FunctionName": "retail-sales-fn"}


def test_an_alarm_transform_changes_only_its_alarm(mocks) -> None:
    alarms(function_names=FUNCTIONS, transforms={"errors-sales": lambda p: {**p, "evaluation_periods": 3}})
    assert mocks.one(ALARM, "ops-errors-sales").inputs["evaluationPeriods"] == 3
    assert mocks.one(ALARM, "ops-errors-products").inputs["evaluationPeriods"] == 1


def test_an_alarm_transform_for_a_missing_alarm_is_rejected(mocks) -> None:
    with pytest.raises(ValueError, match=r"^transforms: unknown child role\(s\) db-cpu"):
        alarms(api_id="api123", transforms={"db-cpu": lambda p: p})


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"alarm_topic_arn": ""}, "alarm_topic_arn"),
        ({"api_5xx_threshold": -1}, "api_5xx_threshold"),
        ({"api_latency_p99_ms": 0}, "api_latency_p99_ms"),
        ({"db_cpu_percent": 101}, "db_cpu_percent"),
        ({"db_cpu_percent": 0}, "db_cpu_percent"),
        ({"function_names": {"": "fn"}}, "function_names"),
    ],
)
def test_invalid_alarm_arguments_name_the_argument(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: "):
        AlarmsArgs(**{"alarm_topic_arn": TOPIC, "api_id": "api123", **kwargs})


def test_alarms_need_something_to_watch() -> None:
    with pytest.raises(ValueError, match="^api_id, db_instance_id, function_names: give at least one"):
        AlarmsArgs(alarm_topic_arn=TOPIC)


# --- dashboard ----------------------------------------------------------------------------------------------------
def test_dashboard_shows_api_functions_database_and_business_metrics(mocks) -> None:
    component = dashboard(
        api_id="api123",
        db_instance_id="retail-db",
        function_names=FUNCTIONS,
        custom_metrics=[("retail", "SalesCount"), ("retail", "SalesAmount")],
    )
    recorded = mocks.one(DASHBOARD, "board-dashboard")
    assert recorded.inputs["dashboardName"] == "retail-dev"
    assert recorded.parent_name == "board"
    assert harness.resolved(component.dashboard_name) == "retail-dev"
    widgets = metric_widgets(mocks)
    assert list(widgets) == [
        "API requests",
        "API 5xx",
        "API latency p99",
        "Lambda invocations",
        "Lambda errors",
        "Lambda duration p99",
        "RDS CPU",
        "RDS connections",
        "retail SalesCount",
        "retail SalesAmount",
    ]
    assert all(w["properties"]["region"] == harness.REGION for w in widgets.values())
    assert widgets["API 5xx"]["properties"]["metrics"] == [
        ["AWS/ApiGateway", "5xx", "ApiId", "api123", "Stage", "$default"]
    ]
    assert widgets["API latency p99"]["properties"]["stat"] == "p99"
    assert widgets["Lambda errors"]["properties"]["metrics"] == [
        ["AWS/Lambda", "Errors", "FunctionName", "retail-products-fn", {"label": "products"}],
        ["AWS/Lambda", "Errors", "FunctionName", "retail-sales-fn", {"label": "sales"}],
    ]
    assert widgets["RDS connections"]["properties"]["metrics"] == [
        ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", "retail-db"]
    ]
    (search,) = widgets["retail SalesCount"]["properties"]["metrics"]
    assert search[0]["expression"] == "SEARCH('{\"retail\",service} MetricName=\"SalesCount\"', 'Sum', 300)"


def test_dashboard_resolves_outputs_and_lays_widgets_out_without_overlap(mocks) -> None:
    dashboard(api_id=pulumi.Output.from_input("api-from-output"), region=pulumi.Output.from_input("eu-west-1"))
    body = json.loads(mocks.one(DASHBOARD).inputs["dashboardBody"])
    assert body["widgets"][0] == {
        "type": "text",
        "x": 0,
        "y": 0,
        "width": 24,
        "height": 1,
        "properties": {"markdown": "# retail-dev"},
    }
    metric = [w for w in body["widgets"] if w["type"] == "metric"]
    assert {w["properties"]["metrics"][0][3] for w in metric} == {"api-from-output"}
    assert {w["properties"]["region"] for w in metric} == {"eu-west-1"}
    cells = {(w["x"], w["y"]) for w in body["widgets"]}
    assert len(cells) == len(body["widgets"])
    assert all(w["x"] + w["width"] <= 24 for w in body["widgets"])


def test_dashboard_only_has_widgets_for_what_is_given(mocks) -> None:
    dashboard(db_instance_id="retail-db")
    assert list(metric_widgets(mocks)) == ["RDS CPU", "RDS connections"]


def test_a_dashboard_transform_applies(mocks) -> None:
    dashboard(db_instance_id="db", transforms={"dashboard": lambda p: {**p, "dashboard_name": "renamed"}})
    assert mocks.one(DASHBOARD).inputs["dashboardName"] == "renamed"


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"title": "retail dev"}, "title"),
        ({"title": ""}, "title"),
        ({"region": ""}, "region"),
        ({"function_names": {"Sales": "fn"}}, "function_names"),
        ({"custom_metrics": [("retail",)]}, "custom_metrics"),
        ({"custom_metrics": [("retail", "")]}, "custom_metrics"),
        ({"custom_metrics": [("retail", "Sales'Count")]}, "custom_metrics"),
    ],
)
def test_invalid_dashboard_arguments_name_the_argument(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: "):
        DashboardArgs(**{"title": "retail-dev", "region": harness.REGION, "api_id": "api123", **kwargs})


def test_an_empty_dashboard_is_rejected() -> None:
    with pytest.raises(ValueError, match="^api_id, db_instance_id, function_names, custom_metrics: give at least"):
        DashboardArgs(title="retail-dev", region=harness.REGION)
