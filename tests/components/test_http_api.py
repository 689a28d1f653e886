"""HttpApiComponent under the strict recording mocks: CORS, access logs, stage, throttling, route ARNs."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from aws_systems import defaults
from aws_systems.http_api import HttpApiArgs, HttpApiComponent
from tests import harness

API = "aws:apigatewayv2/api:Api"
STAGE = "aws:apigatewayv2/stage:Stage"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SITE = "https://app.example.com"


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: seen.append(msg))
    return seen


def build(**overrides: Any) -> dict[str, HttpApiComponent]:
    """Build an API named ``moving``; the returned dict holds the component after the run."""
    built: dict[str, HttpApiComponent] = {}
    harness.run(lambda: built.update(api=HttpApiComponent("moving", HttpApiArgs(**overrides))))
    return built


def resolved(output: pulumi.Output[Any]) -> Any:
    box: list[Any] = []
    harness.run(lambda: output.apply(box.append))
    return box[0]


# --- API and CORS -------------------------------------------------------------------------------------------
def test_api_is_http_without_cors_by_default(mocks: harness.RecordingMocks) -> None:
    build()
    api = mocks.one(API, "moving-api").inputs
    assert api["protocolType"] == "HTTP"
    assert "corsConfiguration" not in api


def test_cors_names_origins_methods_headers_and_max_age(mocks: harness.RecordingMocks) -> None:
    build(cors_origins=[SITE])
    cors = mocks.one(API).inputs["corsConfiguration"]
    assert cors["allowOrigins"] == [SITE]
    assert cors["allowMethods"] == ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    assert cors["allowHeaders"] == ["authorization", "content-type", "idempotency-key"]
    assert cors["maxAge"] == defaults.API_CORS_MAX_AGE_SECONDS == 600
    assert "allowCredentials" not in cors


def test_cors_headers_can_be_replaced(mocks: harness.RecordingMocks) -> None:
    build(cors_origins=[SITE], cors_headers=["authorization", "x-trace"])
    assert mocks.one(API).inputs["corsConfiguration"]["allowHeaders"] == ["authorization", "x-trace"]


def test_any_origin_is_allowed_in_standard(mocks: harness.RecordingMocks) -> None:
    build(cors_origins=["*"])
    assert mocks.one(API).inputs["corsConfiguration"]["allowOrigins"] == ["*"]


def test_hardened_refuses_any_origin() -> None:
    with pytest.raises(ValueError, match="^cors_origins: '\\*' allows any origin, which is not allowed when hardened"):
        HttpApiArgs(protection="hardened", cors_origins=[SITE, "*"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"cors_origins": ["https://app.example.com/"]}, "is not an origin"),
        ({"cors_origins": ["app.example.com"]}, "is not an origin"),
        ({"protection": "hardened", "cors_origins": ["http://app.example.com"]}, "only https origins"),
        ({"log_retention_days": 15}, "log_retention_days: must be one of 1, 3, 5, 7, 14"),
    ],
)
def test_origins_and_retention_are_ones_aws_and_browsers_accept(args, expected) -> None:
    with pytest.raises(ValueError, match=expected):
        HttpApiArgs(**args)


def test_hardened_accepts_a_named_origin(mocks: harness.RecordingMocks) -> None:
    build(protection="hardened", cors_origins=[SITE])
    assert mocks.one(API).inputs["corsConfiguration"]["allowOrigins"] == [SITE]


# --- access logs and stage ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("protection", "days"), [("standard", 14), ("hardened", 365)])
def test_access_log_retention_follows_protection(
    mocks: harness.RecordingMocks, warnings: list[str], protection: str, days: int
) -> None:
    build(protection=protection)
    assert mocks.one(LOG_GROUP, "moving-access-logs").inputs["retentionInDays"] == days
    assert warnings == []


def test_longer_retention_is_accepted_without_warning(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    build(log_retention_days=30)
    assert mocks.one(LOG_GROUP).inputs["retentionInDays"] == 30
    assert warnings == []


def test_shorter_retention_than_the_secure_default_warns(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    build(protection="hardened", log_retention_days=30)
    assert mocks.one(LOG_GROUP).inputs["retentionInDays"] == 30
    assert len(warnings) == 1 and "log_retention_days" in warnings[0] and "365" in warnings[0]


def test_default_stage_auto_deploys_with_json_access_logs(mocks: harness.RecordingMocks) -> None:
    build()
    stage = mocks.one(STAGE, "moving-stage").inputs
    assert stage["apiId"] == "moving-api-id"
    assert stage["name"] == "$default"
    assert stage["autoDeploy"] is True
    logs = stage["accessLogSettings"]
    assert logs["destinationArn"] == mocks.one(LOG_GROUP).outputs["arn"]
    fmt = json.loads(logs["format"])
    assert fmt["requestId"] == "$context.requestId"
    assert fmt["status"] == "$context.status"
    assert fmt["routeKey"] == "$context.routeKey"
    assert fmt["authorizerError"] == "$context.authorizer.error"
    assert all(v.startswith("$context.") for v in fmt.values())


def test_stage_throttles_by_default(mocks: harness.RecordingMocks) -> None:
    build()
    route = mocks.one(STAGE).inputs["defaultRouteSettings"]
    assert route["throttlingRateLimit"] == defaults.API_THROTTLE_RATE == 100
    assert route["throttlingBurstLimit"] == defaults.API_THROTTLE_BURST == 200
    assert route["detailedMetricsEnabled"] is True


def test_throttling_can_be_set(mocks: harness.RecordingMocks) -> None:
    build(throttle_rate=5.5, throttle_burst=10)
    route = mocks.one(STAGE).inputs["defaultRouteSettings"]
    assert (route["throttlingRateLimit"], route["throttlingBurstLimit"]) == (5.5, 10)


THROTTLES = {"POST /users/login": (10.0, 20), "POST /users/signup": (2.0, 5)}


def test_throttled_routes_get_their_own_limits_once_they_exist(mocks: harness.RecordingMocks) -> None:
    def program() -> None:
        api = HttpApiComponent("moving", HttpApiArgs(route_throttles=THROTTLES))
        assert not hasattr(api, "stage"), "API Gateway refuses settings for a route it does not know yet"
        routes = {
            key: aws.apigatewayv2.Route(f"route-{n}", api_id=api.api_id, route_key=key)
            for n, key in enumerate([*THROTTLES, "GET /users/me"])
        }
        api.throttle_routes(routes)

    harness.run(program)
    stage = mocks.one(STAGE)
    assert stage.inputs["defaultRouteSettings"]["throttlingRateLimit"] == defaults.API_THROTTLE_RATE
    settings = {s["routeKey"]: s for s in stage.inputs["routeSettings"]}
    assert settings == {
        key: {
            "routeKey": key,
            "throttlingRateLimit": rate,
            "throttlingBurstLimit": burst,
            "detailedMetricsEnabled": True,
        }
        for key, (rate, burst) in THROTTLES.items()
    }
    assert set(stage.dependencies) >= {r.urn for r in mocks.of_type("aws:apigatewayv2/route:Route")[:2]}


def test_a_throttle_for_a_route_that_is_not_there_is_refused(mocks: harness.RecordingMocks) -> None:
    def program() -> None:
        HttpApiComponent("moving", HttpApiArgs(route_throttles=THROTTLES)).throttle_routes({})

    with pytest.raises(ValueError, match="routes: no route for the throttled"):
        harness.run(program)


def test_stage_transform_overrides_a_property(mocks: harness.RecordingMocks) -> None:
    build(transforms={"stage": lambda props: {**props, "description": "custom", "auto_deploy": False}})
    stage = mocks.one(STAGE).inputs
    assert stage["description"] == "custom" and stage["autoDeploy"] is False
    assert stage["name"] == "$default"


def test_unknown_transform_role_is_refused(mocks: harness.RecordingMocks) -> None:
    with pytest.raises(ValueError, match="^transforms: unknown child role\\(s\\) route"):
        build(transforms={"route": lambda p: p})


# --- naming and outputs -------------------------------------------------------------------------------------
def test_children_are_named_by_role_and_parented(mocks: harness.RecordingMocks) -> None:
    build()
    component = mocks.one("awssystems:api:HttpApiComponent", "moving")
    children = [r for r in mocks.resources if r is not component]
    assert sorted(r.name for r in children) == ["moving-access-logs", "moving-api", "moving-stage"]
    assert {r.parent_name for r in children} == {"moving"}


def test_outputs_come_from_the_api(mocks: harness.RecordingMocks) -> None:
    api = build()["api"]
    values = resolved(pulumi.Output.all(api.api_id, api.execution_arn, api.url))
    recorded = mocks.one(API).outputs
    assert values == ["moving-api-id", recorded["executionArn"], recorded["apiEndpoint"]]


@pytest.mark.parametrize(
    ("route_key", "suffix"),
    [
        ("GET /moves/{id}", "/*/GET/moves/*"),
        ("POST /moves", "/*/POST/moves"),
        ("PUT /moves/{id}/trucks/{truck}", "/*/PUT/moves/*/trucks/*"),
        ("GET /", "/*/GET/"),
    ],
)
def test_route_source_arn_is_exact_with_parameters_as_wildcards(
    mocks: harness.RecordingMocks, route_key: str, suffix: str
) -> None:
    api = build()["api"]
    assert resolved(api.route_source_arn(route_key)) == mocks.one(API).outputs["executionArn"] + suffix


# --- validation ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "arg"),
    [
        ({"protection": "prod"}, "protection"),
        ({"throttle_rate": 0}, "throttle_rate"),
        ({"throttle_rate": -1.0}, "throttle_rate"),
        ({"throttle_burst": 0}, "throttle_burst"),
        ({"protection": "hardened", "cors_origins": ["*"]}, "cors_origins"),
        ({"log_retention_days": 0}, "log_retention_days"),
    ],
)
def test_args_validation(overrides: dict[str, Any], arg: str) -> None:
    with pytest.raises(ValueError, match=rf"^{arg}: "):
        HttpApiArgs(**overrides)
