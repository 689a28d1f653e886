"""ServiceComponent under the strict recording mocks: functions, routes, subscriptions, schedules, migrations and
the Kubernetes runtime."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from aws_systems import defaults
from aws_systems.event_bus import EventBusArgs, EventBusComponent, EventTypeArgs
from aws_systems.http_api import HttpApiArgs, HttpApiComponent
from aws_systems.iam import VPC_ACCESS, XRAY, Permissions
from aws_systems.kubernetes import KubernetesClusterArgs, KubernetesClusterComponent
from aws_systems.service import (
    MIGRATE_HANDLER,
    ApiArgs,
    KubernetesArgs,
    RouteArgs,
    ScheduleArgs,
    SchemaArgs,
    ServiceArgs,
    ServiceComponent,
    SubscriptionArgs,
    VpcArgs,
    route_slug,
)
from tests import harness

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
ROUTE = "aws:apigatewayv2/route:Route"
PERMISSION = "aws:lambda/permission:Permission"
SCHEDULE = "aws:scheduler/schedule:Schedule"
QUEUE = "aws:sqs/queue:Queue"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
INVOCATION = "aws:lambda/invocation:Invocation"

CODE = pulumi.AssetArchive({})
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/moves"
MASTER = "arn:aws:secretsmanager:us-east-1:123456789012:secret:master"
SERVICE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:moves"
VPC = "vpc-123"
SUBNETS = ["subnet-a", "subnet-b"]
TYPES = [
    EventTypeArgs("moving.moves", "MoveRegistered"),
    EventTypeArgs("moving.trucks", "TruckAssigned"),
]
ROUTES = [
    RouteArgs(route_key="POST /moves"),
    RouteArgs(route_key="GET /moves/{id}"),
    RouteArgs(route_key="GET /health", public=True),
]


@dataclass
class Built:
    """What a build made, for assertions after the run."""

    service: ServiceComponent | None = None
    api: HttpApiComponent | None = None
    bus: EventBusComponent | None = None


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: seen.append(msg))
    return seen


@pytest.fixture
def context(tmp_path: Path) -> Path:
    """A build context with a Dockerfile for the Kubernetes runtime."""
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    return tmp_path


def schema(**overrides: Any) -> SchemaArgs:
    base: dict[str, Any] = {
        "schema": "moves",
        "master_secret_arn": MASTER,
        "service_secret_arn": SERVICE_SECRET,
        "host": "db.local",
        "migrations_hash": "m1",
    }
    return SchemaArgs(**{**base, **overrides})


def build(name: str = "moves", *, api: dict[str, Any] | None = None, bus: bool = False, **overrides: Any) -> Built:
    """Build one service under the mocks. ``api`` (ApiArgs overrides, ``{}`` for the defaults) adds an HTTP API
    ``gw`` with a JWT authorizer ``jwt`` and :data:`ROUTES`; ``bus`` adds an event bus ``events``."""
    built = Built()

    def program() -> None:
        api_args = None
        if api is not None:
            built.api = HttpApiComponent("gw", HttpApiArgs())
            authorizer = aws.apigatewayv2.Authorizer(
                "jwt",
                api_id=built.api.api_id,
                authorizer_type="JWT",
                identity_sources=["$request.header.Authorization"],
            )
            api_args = ApiArgs(**{"api": built.api, "routes": ROUTES, "authorizer": authorizer, **api})
        if bus:
            built.bus = EventBusComponent("events", EventBusArgs(event_types=TYPES))
        kwargs: dict[str, Any] = {"code": CODE, "api": api_args, "bus": built.bus, **overrides}
        built.service = ServiceComponent(name, ServiceArgs(**kwargs))

    harness.run(program)
    return built


def statements(mocks: harness.RecordingMocks, name: str) -> dict[str, dict[str, Any]]:
    """The statements of the role policy ``name``, keyed by Sid."""
    policy = json.loads(mocks.one(ROLE_POLICY, name).inputs["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def resolved(output: pulumi.Output[Any]) -> Any:
    box: list[Any] = []
    harness.run(lambda: output.apply(box.append))
    return box[0]


def sub(name: str = "trucks", **overrides: Any) -> SubscriptionArgs:
    return SubscriptionArgs(**{"name": name, "handler": "sub.handler", "detail_types": ["MoveRegistered"], **overrides})


def sched(name: str = "nightly", **overrides: Any) -> ScheduleArgs:
    return ScheduleArgs(**{"name": name, "handler": "sched.handler", "expression": "cron(0 3 * * ? *)", **overrides})


# ======================================================================================================= functions
def test_api_function_secure_defaults(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    build(api={}, code_hash="abc=")
    fn = mocks.one(FUNCTION, "moves-api").inputs
    logs = mocks.one(LOG_GROUP, "moves-api-logs")
    assert fn["runtime"] == defaults.LAMBDA_RUNTIME == "python3.12"
    assert fn["architectures"] == ["arm64"]
    assert fn["handler"] == "api.handler"
    assert fn["memorySize"] == 512 and fn["timeout"] == 10
    assert fn["tracingConfig"] == {"mode": "Active"}
    assert fn["loggingConfig"] == {"logFormat": "JSON", "logGroup": logs.outputs["name"]}
    assert fn["role"] == mocks.one(ROLE, "moves-api-role").outputs["arn"]
    assert fn["sourceCodeHash"] == "abc="
    for absent in ("vpcConfig", "layers", "reservedConcurrentExecutions"):
        assert absent not in fn
    assert logs.inputs["retentionInDays"] == 14
    assert warnings == []


def test_hardened_keeps_function_logs_a_year(mocks: harness.RecordingMocks) -> None:
    build(api={}, protection="hardened")
    assert mocks.one(LOG_GROUP, "moves-api-logs").inputs["retentionInDays"] == 365


def test_longer_log_retention_is_accepted_silently(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    build(api={}, log_retention_days=30)
    assert mocks.one(LOG_GROUP, "moves-api-logs").inputs["retentionInDays"] == 30
    assert warnings == []


def test_shorter_log_retention_warns(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    build(api={}, protection="hardened", log_retention_days=30)
    assert mocks.one(LOG_GROUP, "moves-api-logs").inputs["retentionInDays"] == 30
    assert len(warnings) == 1 and "log_retention_days" in warnings[0] and "365" in warnings[0]


def test_size_architecture_runtime_layers_and_concurrency_pass_through(mocks: harness.RecordingMocks) -> None:
    build(
        api={},
        architecture="x86_64",
        lambda_runtime="python3.13",
        memory_mb=1024,
        timeout_seconds=29,
        layers=["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"],
        reserved_concurrency=5,
    )
    fn = mocks.one(FUNCTION, "moves-api").inputs
    assert fn["architectures"] == ["x86_64"] and fn["runtime"] == "python3.13"
    assert (fn["memorySize"], fn["timeout"]) == (1024, 29)
    assert fn["layers"] == ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"]
    assert fn["reservedConcurrentExecutions"] == 5


def test_every_function_has_its_own_role_policy_and_log_group(mocks: harness.RecordingMocks) -> None:
    built = build(
        api={},
        bus=True,
        subscriptions=[sub()],
        schedules=[sched()],
        functions={"authorizer": "auth.handler"},
        schema=schema(),
    )
    roles = ["migrate", "api", "sub-trucks", "sched-nightly", "authorizer"]
    assert built.service is not None and list(built.service.functions) == roles
    handlers = {r: mocks.one(FUNCTION, f"moves-{r}").inputs["handler"] for r in roles}
    assert handlers == {
        "migrate": MIGRATE_HANDLER,
        "api": "api.handler",
        "sub-trucks": "sub.handler",
        "sched-nightly": "sched.handler",
        "authorizer": "auth.handler",
    }
    for role in roles:
        fn = mocks.one(FUNCTION, f"moves-{role}")
        logs = mocks.one(LOG_GROUP, f"moves-{role}-logs")
        iam_role = mocks.one(ROLE, f"moves-{role}-role")
        policy = mocks.one(ROLE_POLICY, f"moves-{role}-policy")
        assert fn.inputs["role"] == iam_role.outputs["arn"]
        assert fn.inputs["loggingConfig"]["logGroup"] == logs.outputs["name"]
        assert policy.inputs["role"] == iam_role.outputs["name"]
        trust = json.loads(iam_role.inputs["assumeRolePolicy"])["Statement"]
        assert trust == [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]
        logs_statement = statements(mocks, f"moves-{role}-policy")["Logs"]
        assert logs_statement["Resource"] == [logs.outputs["arn"] + ":*"]
        assert logs_statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        for child in (fn, logs, iam_role, policy):
            assert child.parent_name == "moves"


def test_function_waits_for_its_policy(mocks: harness.RecordingMocks, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the dependency the function could start before it may write its logs."""
    captured: dict[str, Any] = {}
    original = aws.lambda_.Function.__init__

    def spy(self, resource_name, *args, opts=None, **kwargs):
        captured[resource_name] = opts.depends_on
        original(self, resource_name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(aws.lambda_.Function, "__init__", spy)
    build(api={})
    [policy] = captured["moves-api"]
    assert isinstance(policy, aws.iam.RolePolicy)


def test_policy_grants_logs_tracing_and_the_declared_permissions_only(mocks: harness.RecordingMocks) -> None:
    build(api={}, permissions=Permissions(tables_write=[TABLE], db_secret_arn=SERVICE_SECRET))
    got = statements(mocks, "moves-api-policy")
    assert set(got) == {"Logs", "Tracing", "TablesWrite", "DatabaseSecret"}
    assert got["Tracing"]["Action"] == sorted(XRAY) and got["Tracing"]["Resource"] == ["*"]
    assert got["TablesWrite"]["Resource"] == [TABLE, f"{TABLE}/index/*"]
    assert got["DatabaseSecret"]["Resource"] == [SERVICE_SECRET]
    every_action = [a for s in got.values() for a in s["Action"]]
    assert not [a for a in every_action if a == "*" or a.endswith(":*")]
    wildcard_resources = {sid for sid, s in got.items() if "*" in s["Resource"]}
    assert wildcard_resources == {"Tracing"}


def test_environment_is_set_on_every_function(mocks: harness.RecordingMocks) -> None:
    build(api={}, functions={"worker": "worker.handler"}, environment={"POWERTOOLS_SERVICE_NAME": "moves"})
    for role in ("api", "worker"):
        env = mocks.one(FUNCTION, f"moves-{role}").inputs["environment"]["variables"]
        assert env == {"POWERTOOLS_SERVICE_NAME": "moves"}


def test_no_vpc_means_no_vpc_config_and_no_eni_actions(mocks: harness.RecordingMocks) -> None:
    build(api={})
    assert "vpcConfig" not in mocks.one(FUNCTION, "moves-api").inputs
    assert "VpcAccess" not in statements(mocks, "moves-api-policy")


def test_vpc_attaches_every_function_and_grants_eni_actions(mocks: harness.RecordingMocks) -> None:
    build(api={}, schema=schema(), vpc=VpcArgs(subnet_ids=SUBNETS, security_group_ids=["sg-fn"]))
    for role in ("api", "migrate"):
        assert mocks.one(FUNCTION, f"moves-{role}").inputs["vpcConfig"] == {
            "subnetIds": SUBNETS,
            "securityGroupIds": ["sg-fn"],
        }
        vpc = statements(mocks, f"moves-{role}-policy")["VpcAccess"]
        assert vpc["Action"] == sorted(VPC_ACCESS) and vpc["Resource"] == ["*"]


def test_function_transform_and_role_transform(mocks: harness.RecordingMocks) -> None:
    transforms = {
        "api": lambda p: {**p, "memory_size": 2048},
        "api-role": lambda p: {**p, "description": "custom"},
    }
    build(api={}, transforms=transforms)
    assert mocks.one(FUNCTION, "moves-api").inputs["memorySize"] == 2048
    assert mocks.one(ROLE, "moves-api-role").inputs["description"] == "custom"


def test_unknown_transform_role_is_refused(mocks: harness.RecordingMocks) -> None:
    with pytest.raises(ValueError, match=r"^transforms: unknown child role\(s\) worker-role"):
        build(api={}, transforms={"worker-role": lambda p: p})


def test_functions_output_names_every_function(mocks: harness.RecordingMocks) -> None:
    built = build(api={}, functions={"authorizer": "auth.handler"})
    assert built.service is not None
    names = resolved(pulumi.Output.all(**{r: f.function.name for r, f in built.service.functions.items()}))
    assert names == {"api": "moves-api", "authorizer": "moves-authorizer"}


# ====================================================================================================== migrations
def test_migrate_function_reads_secrets_and_nothing_else(mocks: harness.RecordingMocks) -> None:
    build(
        schema=schema(port=3307),
        environment={"LOG_LEVEL": "INFO"},
        permissions=Permissions(tables_write=[TABLE], db_secret_arn=SERVICE_SECRET),
    )
    fn = mocks.one(FUNCTION, "moves-migrate").inputs
    assert fn["handler"] == MIGRATE_HANDLER and fn["timeout"] == 300
    assert fn["environment"]["variables"] == {
        "LOG_LEVEL": "INFO",
        "MASTER_SECRET_ARN": MASTER,
        "SERVICE_SECRET_ARN": SERVICE_SECRET,
        "DB_HOST": "db.local",
        "DB_PORT": "3307",
        "DB_SCHEMA": "moves",
        "MIGRATIONS_DIR": "migrations",
    }
    got = statements(mocks, "moves-migrate-policy")
    assert set(got) == {"Logs", "Tracing", "ReadDatabaseSecrets", "WriteServiceSecret"}
    assert got["ReadDatabaseSecrets"]["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert got["ReadDatabaseSecrets"]["Resource"] == [MASTER, SERVICE_SECRET]
    assert got["WriteServiceSecret"] == {
        "Sid": "WriteServiceSecret",
        "Effect": "Allow",
        "Action": ["secretsmanager:PutSecretValue"],
        "Resource": [SERVICE_SECRET],
    }


def test_migrate_function_decrypts_a_master_secret_key_only_through_secrets_manager(mocks) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/master"
    build(schema=schema(master_secret_key_arn=key))
    got = statements(mocks, "moves-migrate-policy")["MasterSecretKey"]
    assert got["Action"] == ["kms:Decrypt"] and got["Resource"] == [key]
    assert got["Condition"] == {"StringLike": {"kms:ViaService": ["secretsmanager.*.amazonaws.com"]}}


def test_migrations_wait_for_what_they_connect_through(mocks: harness.RecordingMocks) -> None:
    def program() -> None:
        target = aws.rds.ProxyTarget("proxy-target", db_proxy_name="p", target_group_name="default")
        ServiceComponent("moves", ServiceArgs(code=CODE, schema=schema(wait_for=[target])))

    harness.run(program)
    run = mocks.one(INVOCATION, "moves-migrate-run")
    target = mocks.one("aws:rds/proxyTarget:ProxyTarget", "proxy-target")
    assert target.urn in run.dependencies


def test_migrate_function_cannot_publish(mocks: harness.RecordingMocks) -> None:
    build(api={}, bus=True, publishes=True, schema=schema())
    grants = [r.name for r in mocks.of_type(ROLE_POLICY) if r.name.endswith("-publish")]
    assert grants == ["moves-api-publish"]


def test_migrations_are_invoked_with_the_schema(mocks: harness.RecordingMocks) -> None:
    build(schema=schema(), code_hash="c1")
    run = mocks.one(INVOCATION, "moves-migrate-run")
    assert run.inputs["functionName"] == mocks.one(FUNCTION, "moves-migrate").outputs["name"]
    assert json.loads(run.inputs["input"]) == {"schema": "moves"}
    assert run.inputs["triggers"] == {"migrations": "m1", "code": "c1"}
    assert run.parent_name == "moves"


@pytest.mark.parametrize(("migrations_hash", "code_hash"), [("m2", "c1"), ("m1", "c2")])
def test_migrations_run_again_when_migrations_or_code_change(migrations_hash: str, code_hash: str) -> None:
    def triggers(m: str, c: str) -> dict[str, str]:
        mocks = harness.install()
        build(schema=schema(migrations_hash=m), code_hash=c)
        return mocks.one(INVOCATION).inputs["triggers"]

    assert triggers("m1", "c1") == triggers("m1", "c1")
    assert triggers(migrations_hash, code_hash) != triggers("m1", "c1")


def test_no_schema_means_no_migrations(mocks: harness.RecordingMocks) -> None:
    build(api={})
    assert mocks.of_type(INVOCATION) == []
    assert [r.name for r in mocks.of_type(FUNCTION)] == ["moves-api"]


# ========================================================================================================== routes
def test_lambda_integration_is_proxy_payload_2(mocks: harness.RecordingMocks) -> None:
    build(api={})
    integration = mocks.one(INTEGRATION, "moves-integration")
    assert integration.inputs["apiId"] == "gw-api-id"
    assert integration.inputs["integrationType"] == "AWS_PROXY"
    assert integration.inputs["payloadFormatVersion"] == "2.0"
    assert integration.inputs["integrationUri"] == mocks.one(FUNCTION, "moves-api").outputs["invokeArn"]
    assert integration.parent_name == "moves"


@pytest.mark.parametrize("authorization_type", ["JWT", "CUSTOM"])
def test_private_routes_use_the_authorizer_and_public_routes_none(
    mocks: harness.RecordingMocks, authorization_type: str
) -> None:
    built = build(api={"authorization_type": authorization_type})
    assert built.service is not None and list(built.service.routes) == [r.route_key for r in ROUTES]
    expected = {
        "moves-route-post-moves": ("POST /moves", authorization_type, "jwt-id"),
        "moves-route-get-moves-id": ("GET /moves/{id}", authorization_type, "jwt-id"),
        "moves-route-get-health": ("GET /health", "NONE", None),
    }
    for name, (key, kind, authorizer) in expected.items():
        route = mocks.one(ROUTE, name)
        assert route.inputs["routeKey"] == key
        assert route.inputs["apiId"] == "gw-api-id"
        assert route.inputs["target"] == "integrations/moves-integration-id"
        assert route.inputs["authorizationType"] == kind
        assert route.inputs.get("authorizerId") == authorizer
        assert route.parent_name == "moves"
    assert len(mocks.of_type(ROUTE)) == 3


def test_one_invoke_permission_per_route_with_the_exact_source_arn(mocks: harness.RecordingMocks) -> None:
    build(api={})
    execution_arn = mocks.one("aws:apigatewayv2/api:Api", "gw-api").outputs["executionArn"]
    expected = {
        "moves-route-post-moves-invoke": "/*/POST/moves",
        "moves-route-get-moves-id-invoke": "/*/GET/moves/*",
        "moves-route-get-health-invoke": "/*/GET/health",
    }
    assert sorted(r.name for r in mocks.of_type(PERMISSION)) == sorted(expected)
    for name, suffix in expected.items():
        permission = mocks.one(PERMISSION, name).inputs
        assert permission["action"] == "lambda:InvokeFunction"
        assert permission["function"] == "moves-api"
        assert permission["principal"] == "apigateway.amazonaws.com"
        assert permission["sourceArn"] == execution_arn + suffix


def test_all_public_routes_need_no_authorizer(mocks: harness.RecordingMocks) -> None:
    build(api={"authorizer": None, "routes": [RouteArgs(route_key="GET /health", public=True)]})
    route = mocks.one(ROUTE).inputs
    assert route["authorizationType"] == "NONE" and "authorizerId" not in route


def test_route_transform(mocks: harness.RecordingMocks) -> None:
    build(api={}, transforms={"route-get-health": lambda p: {**p, "operation_name": "health"}})
    assert mocks.one(ROUTE, "moves-route-get-health").inputs["operationName"] == "health"
    assert "operationName" not in mocks.one(ROUTE, "moves-route-post-moves").inputs


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"routes": []}, "^routes: an API needs at least one route"),
        ({"routes": [RouteArgs(route_key="GET /a"), RouteArgs(route_key="GET /a")]}, "^routes: duplicate route keys"),
        ({"authorizer": None}, r"^authorizer: routes \['POST /moves', 'GET /moves/\{id\}'\] are not public"),
    ],
)
def test_api_args_validation(overrides: dict[str, Any], match: str) -> None:
    api = object.__new__(HttpApiComponent)  # validation never touches the API
    authorizer = object.__new__(aws.apigatewayv2.Authorizer)
    with pytest.raises(ValueError, match=match):
        ApiArgs(**{"api": api, "routes": ROUTES, "authorizer": authorizer, **overrides})


@pytest.mark.parametrize("key", ["ANY /moves", "GET moves", "get /moves", "GET /moves?x=1", "/moves"])
def test_route_key_validation(key: str) -> None:
    with pytest.raises(ValueError, match="^route_key: expected 'METHOD /path'"):
        RouteArgs(route_key=key)


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("GET /moves/{id}", "get-moves-id"),
        ("POST /moves", "post-moves"),
        ("GET /", "get"),
        ("PUT /a_b/c.d", "put-a-b-c-d"),
    ],
)
def test_route_slug(key: str, slug: str) -> None:
    assert route_slug(key) == slug


# =================================================================================================== subscriptions
def test_subscription_gets_its_function_queue_rule_and_mapping(mocks: harness.RecordingMocks) -> None:
    build(bus=True, subscriptions=[sub(timeout_seconds=20, batch_size=5, max_receive_count=3)])
    fn = mocks.one(FUNCTION, "moves-sub-trucks")
    assert fn.inputs["handler"] == "sub.handler" and fn.inputs["timeout"] == 20
    subscription = mocks.one("awssystems:eventbus:EventSubscription", "moves-sub-trucks")
    assert subscription.parent_name == "moves"
    rule = mocks.one("aws:cloudwatch/eventRule:EventRule", "moves-sub-trucks-rule")
    assert json.loads(rule.inputs["eventPattern"]) == {"source": ["moving.moves"], "detail-type": ["MoveRegistered"]}
    assert rule.inputs["eventBusName"] == mocks.one("aws:cloudwatch/eventBus:EventBus").outputs["name"]
    queue = mocks.one(QUEUE, "moves-sub-trucks-queue").inputs
    assert queue["visibilityTimeoutSeconds"] == 6 * 20
    assert json.loads(queue["redrivePolicy"])["maxReceiveCount"] == 3
    mapping = mocks.one("aws:lambda/eventSourceMapping:EventSourceMapping", "moves-sub-trucks-mapping").inputs
    assert mapping["functionName"] == fn.outputs["arn"] and mapping["batchSize"] == 5
    assert "scalingConfig" not in mapping, "no cap unless the subscription asks for one"
    consume = mocks.one(ROLE_POLICY, "moves-sub-trucks-consume-policy").inputs
    assert consume["role"] == mocks.one(ROLE, "moves-sub-trucks-role").outputs["name"]


def test_a_subscription_caps_its_batches_within_the_service_reservation(mocks: harness.RecordingMocks) -> None:
    build(bus=True, reserved_concurrency=5, subscriptions=[sub(max_concurrency=5)])
    mapping = mocks.one("aws:lambda/eventSourceMapping:EventSourceMapping", "moves-sub-trucks-mapping").inputs
    assert mapping["scalingConfig"] == {"maximumConcurrency": 5}
    assert mocks.one(FUNCTION, "moves-sub-trucks").inputs["reservedConcurrentExecutions"] == 5


def test_a_subscription_may_not_handle_more_batches_than_the_service_reserves() -> None:
    bus = object.__new__(EventBusComponent)
    with pytest.raises(
        ValueError, match=r"^subscriptions: max_concurrency of \['trucks'\] is above reserved_concurrency 4"
    ):
        ServiceArgs(code=CODE, bus=bus, reserved_concurrency=4, subscriptions=[sub(max_concurrency=5)])
    ServiceArgs(code=CODE, bus=bus, subscriptions=[sub(max_concurrency=5)])  # unreserved: the account's pool


def test_subscriptions_need_a_declared_detail_type(mocks: harness.RecordingMocks) -> None:
    with pytest.raises(ValueError, match="^detail_types: 'MoveCancelled' is not declared"):
        build(bus=True, subscriptions=[sub(detail_types=["MoveCancelled"])])


def test_publishers_may_put_only_their_sources(mocks: harness.RecordingMocks) -> None:
    build(api={}, bus=True, publishes=True, event_sources=["moving.moves"], subscriptions=[sub()])
    for role in ("api", "sub-trucks"):
        grant = mocks.one(ROLE_POLICY, f"moves-{role}-publish")
        assert grant.parent_name == "moves"
        assert grant.inputs["role"] == mocks.one(ROLE, f"moves-{role}-role").outputs["name"]
        [s] = json.loads(grant.inputs["policy"])["Statement"]
        assert s["Action"] == "events:PutEvents"
        assert s["Resource"] == mocks.one("aws:cloudwatch/eventBus:EventBus").outputs["arn"]
        assert s["Condition"] == {"ForAllValues:StringEquals": {"events:source": ["moving.moves"]}}


def test_publishers_default_to_every_declared_source(mocks: harness.RecordingMocks) -> None:
    build(api={}, bus=True, publishes=True)
    [s] = json.loads(mocks.one(ROLE_POLICY, "moves-api-publish").inputs["policy"])["Statement"]
    assert s["Condition"]["ForAllValues:StringEquals"]["events:source"] == ["moving.moves", "moving.trucks"]


def test_publishing_an_undeclared_source_is_refused(mocks: harness.RecordingMocks) -> None:
    with pytest.raises(ValueError, match="^sources: must be a non-empty subset"):
        build(api={}, bus=True, publishes=True, event_sources=["shop.orders"])


def test_consumers_that_do_not_publish_get_no_grant(mocks: harness.RecordingMocks) -> None:
    build(bus=True, subscriptions=[sub()])
    assert not [r for r in mocks.of_type(ROLE_POLICY) if r.name.endswith("-publish")]


# ======================================================================================================= schedules
def test_schedule_targets_the_function_with_retries_and_a_dlq(mocks: harness.RecordingMocks) -> None:
    build(schedules=[sched(timezone="Europe/Madrid", timeout_seconds=120)], alarm_topic_arn=TOPIC)
    fn = mocks.one(FUNCTION, "moves-sched-nightly")
    assert fn.inputs["timeout"] == 120
    schedule = mocks.one(SCHEDULE, "moves-sched-nightly-schedule")
    dlq = mocks.one(QUEUE, "moves-sched-nightly-dlq")
    invoker = mocks.one(ROLE, "moves-sched-nightly-invoker")
    inputs = schedule.inputs
    assert inputs["scheduleExpression"] == "cron(0 3 * * ? *)"
    assert inputs["scheduleExpressionTimezone"] == "Europe/Madrid"
    assert inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    target = inputs["target"]
    assert target["arn"] == fn.outputs["arn"]
    assert target["roleArn"] == invoker.outputs["arn"]
    assert json.loads(target["input"]) == {"schedule": "nightly"}
    assert target["retryPolicy"] == {
        "maximumRetryAttempts": defaults.SCHEDULE_MAX_RETRY_ATTEMPTS,
        "maximumEventAgeInSeconds": defaults.EVENT_TARGET_MAX_EVENT_AGE_SECONDS,
    }
    assert target["deadLetterConfig"] == {"arn": dlq.outputs["arn"]}
    assert dlq.inputs["sqsManagedSseEnabled"] is True
    assert dlq.inputs["messageRetentionSeconds"] == defaults.SQS_DLQ_RETENTION_SECONDS
    for child in (schedule, dlq, invoker):
        assert child.parent_name == "moves"


def test_schedule_invoker_may_only_invoke_this_function_and_fill_this_dlq(mocks: harness.RecordingMocks) -> None:
    build(schedules=[sched()], functions={"other": "other.handler"})
    invoker = mocks.one(ROLE, "moves-sched-nightly-invoker")
    trust = json.loads(invoker.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"},
            "Action": "sts:AssumeRole",
            # Only this account's schedules in the default group: no other account's schedule can use the role.
            "Condition": {
                "StringEquals": {"aws:SourceAccount": harness.ACCOUNT},
                "ArnLike": {"aws:SourceArn": harness._arn("scheduler", "schedule-group/default")},
            },
        }
    ]
    assert "groupName" not in mocks.one(SCHEDULE, "moves-sched-nightly-schedule").inputs
    policy = mocks.one(ROLE_POLICY, "moves-sched-nightly-invoker-policy")
    assert policy.inputs["role"] == invoker.outputs["name"]
    assert statements(mocks, "moves-sched-nightly-invoker-policy") == {
        "Invoke": {
            "Sid": "Invoke",
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": [mocks.one(FUNCTION, "moves-sched-nightly").outputs["arn"]],
        },
        "DeadLetters": {
            "Sid": "DeadLetters",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [mocks.one(QUEUE, "moves-sched-nightly-dlq").outputs["arn"]],
        },
    }


def test_schedule_dlq_alarm_notifies_the_topic(mocks: harness.RecordingMocks) -> None:
    build(schedules=[sched()], alarm_topic_arn=TOPIC)
    alarm = mocks.one(ALARM, "moves-sched-nightly-dlq-alarm").inputs
    assert alarm["namespace"] == "AWS/SQS" and alarm["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["dimensions"] == {"QueueName": mocks.one(QUEUE, "moves-sched-nightly-dlq").outputs["name"]}
    assert alarm["comparisonOperator"] == "GreaterThanThreshold" and alarm["threshold"] == 0
    assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]


def test_schedule_dlq_alarm_without_topic_has_no_actions(mocks: harness.RecordingMocks) -> None:
    build(schedules=[sched()])
    alarm = mocks.one(ALARM).inputs
    assert alarm.get("alarmActions", []) == [] and alarm.get("okActions", []) == []


def test_schedule_transform(mocks: harness.RecordingMocks) -> None:
    build(schedules=[sched()], transforms={"sched-nightly-schedule": lambda p: {**p, "state": "DISABLED"}})
    assert mocks.one(SCHEDULE).inputs["state"] == "DISABLED"


@pytest.mark.parametrize(("expression", "timezone", "said"), [
    ("every day", "UTC", "expected rate(value unit)"), ("rate 5 minutes", "UTC", "expected rate(value unit)"),
    ("cron()", "UTC", "six fields are needed"), ("cron(0 3 * * * *)", "UTC", "exactly one of day-of-month"),
    ("rate(1 days)", "UTC", "use 'day' for 1"), ("cron(0 3 * * ? *)", "Peru/Lima", "not an IANA time zone"),
])  # fmt: skip
def test_schedule_expression_validation(expression: str, timezone: str, said: str) -> None:
    with pytest.raises(ValueError, match="^expression: ") as raised:
        sched(expression=expression, timezone=timezone)
    assert said in str(raised.value)


# ====================================================================================================== validation
def _kubernetes_args() -> KubernetesArgs:
    cluster = object.__new__(KubernetesClusterComponent)  # ServiceArgs never looks inside the cluster
    return KubernetesArgs(cluster=cluster, image_uri="repo/users@sha256:1", vpc_id=VPC, subnet_ids=SUBNETS)


@pytest.mark.parametrize(
    ("overrides", "arg"),
    [
        ({"protection": "prod"}, "protection"),
        ({"runtime": "ecs"}, "runtime"),
        ({"lambda_runtime": "python3.8"}, "lambda_runtime"),
        ({"architecture": "arm"}, "architecture"),
        ({"memory_mb": 127}, "memory_mb"),
        ({"memory_mb": 10241}, "memory_mb"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": 901}, "timeout_seconds"),
        ({"runtime": "kubernetes"}, "kubernetes"),
        ({"kubernetes": "k8s"}, "kubernetes"),
        ({"runtime": "kubernetes", "kubernetes": "k8s", "schedules": [sched()]}, "subscriptions"),
        ({"subscriptions": [sub()]}, "bus"),
        ({"publishes": True}, "bus"),
        ({"schedules": [sched(name="Nightly")]}, "subscriptions/schedules/functions"),
        ({"functions": {"auth_fn": "auth.handler"}}, "subscriptions/schedules/functions"),
        ({"schedules": [sched(name="x")], "functions": {"x": "x.handler"}}, "subscriptions/schedules/functions"),
        ({"reserved_concurrency": -1}, "reserved_concurrency"),
        ({"log_retention_days": 0}, "log_retention_days"),
    ],
)
def test_service_args_validation(overrides: dict[str, Any], arg: str) -> None:
    kwargs = {"code": CODE, **overrides}
    if kwargs.get("kubernetes") == "k8s":
        kwargs["kubernetes"] = _kubernetes_args()
    with pytest.raises(ValueError, match=rf"^{arg}: "):
        ServiceArgs(**kwargs)


def test_names_are_unique_across_subscriptions_and_schedules() -> None:
    bus = object.__new__(EventBusComponent)
    with pytest.raises(ValueError, match=r"^subscriptions/schedules/functions: names must be unique"):
        ServiceArgs(code=CODE, bus=bus, subscriptions=[sub("x")], schedules=[sched("x")])


def test_zero_reserved_concurrency_is_allowed(mocks: harness.RecordingMocks) -> None:
    """0 is how an operator switches a function off; it is not an error."""
    build(api={}, reserved_concurrency=0)
    assert mocks.one(FUNCTION, "moves-api").inputs["reservedConcurrentExecutions"] == 0


# ====================================================================================================== kubernetes
def build_kubernetes(**kubernetes: Any) -> Built:
    """A ``users`` service on a cluster ``shop``, with the API routes and a user-pool permission."""
    built = Built()

    def program() -> None:
        cluster = KubernetesClusterComponent("shop", KubernetesClusterArgs(vpc_id=VPC, private_subnet_ids=SUBNETS))
        built.api = HttpApiComponent("gw", HttpApiArgs())
        authorizer = aws.apigatewayv2.Authorizer(
            "jwt", api_id=built.api.api_id, authorizer_type="JWT", identity_sources=["$request.header.Authorization"]
        )
        extra = kubernetes.pop("service", {})
        if extra.get("bus"):
            built.bus = extra["bus"] = EventBusComponent("events", EventBusArgs(event_types=TYPES))
        built.service = ServiceComponent(
            "users",
            ServiceArgs(
                code=CODE,
                runtime="kubernetes",
                api=ApiArgs(api=built.api, routes=ROUTES, authorizer=authorizer),
                kubernetes=KubernetesArgs(**{"cluster": cluster, "vpc_id": VPC, "subnet_ids": SUBNETS, **kubernetes}),
                environment={"USER_POOL_ID": "pool"},
                permissions=Permissions(user_pool_arn="arn:pool", user_pool_actions=["AdminGetUser"]),
                **extra,
            ),
        )

    harness.run(program)
    return built


def workload_containers(mocks: harness.RecordingMocks) -> list[dict[str, Any]]:
    """The containers of the Deployment manifest the workload's apply function is invoked with."""
    manifests = json.loads(mocks.one(INVOCATION, "users-workload-apply-run").inputs["input"])["manifests"]
    [deployment] = [m for m in manifests if m["kind"] == "Deployment"]
    return deployment["spec"]["template"]["spec"]["containers"]


def test_kubernetes_service_builds_a_workload_behind_a_vpc_link(mocks: harness.RecordingMocks, context: Path) -> None:
    built = build_kubernetes(build_context=str(context))
    workload = mocks.one("awssystems:kubernetes:KubernetesServiceComponent", "users-workload")
    assert workload.parent_name == "users"
    assert built.service is not None and built.service.workload is not None
    assert mocks.of_type("docker-build:index:Image")  # the context was built
    integration = mocks.one(INTEGRATION, "users-integration").inputs
    assert integration["integrationType"] == "HTTP_PROXY"
    assert integration["integrationMethod"] == "ANY"
    assert integration["connectionType"] == "VPC_LINK"
    assert integration["connectionId"] == "users-workload-vpc-link-id"
    assert (
        integration["integrationUri"] == mocks.one("aws:lb/listener:Listener", "users-workload-listener").outputs["arn"]
    )
    assert integration["payloadFormatVersion"] == "1.0"
    assert [f.name for f in mocks.of_type(FUNCTION)] == ["users-workload-apply"]  # applies the manifests
    assert mocks.of_type(PERMISSION) == []
    private = mocks.one(ROUTE, "users-route-post-moves").inputs
    public = mocks.one(ROUTE, "users-route-get-health").inputs
    assert private["authorizationType"] == "JWT" and private["authorizerId"] == "jwt-id"
    assert private["target"] == "integrations/users-integration-id"
    assert public["authorizationType"] == "NONE"


def test_kubernetes_workload_gets_the_service_permissions_and_environment(
    mocks: harness.RecordingMocks, context: Path
) -> None:
    build_kubernetes(build_context=str(context))
    policy = json.loads(mocks.one(ROLE_POLICY, "users-workload-role-policy").inputs["policy"])
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": ["cognito-idp:AdminGetUser"], "Resource": ["arn:pool"], "Sid": "UserPool"}
    ]
    [container] = workload_containers(mocks)
    assert container["env"] == [{"name": "USER_POOL_ID", "value": "pool"}]
    tg = mocks.one("aws:lb/targetGroup:TargetGroup").inputs
    assert tg["vpcId"] == VPC
    assert mocks.one("aws:apigatewayv2/vpcLink:VpcLink").inputs["subnetIds"] == SUBNETS


@pytest.mark.parametrize("with_context", [True, False])
def test_kubernetes_image_uri_wins_over_the_build_context(
    mocks: harness.RecordingMocks, context: Path, with_context: bool
) -> None:
    """A stack may pin an image CI pushed while the declaration still names its build context."""
    build_kubernetes(build_context=str(context) if with_context else None, image_uri="repo/users@sha256:1")
    assert mocks.of_type("docker-build:index:Image") == []
    [container] = workload_containers(mocks)
    assert container["image"] == "repo/users@sha256:1"


def test_kubernetes_publisher_role_may_put_events(mocks: harness.RecordingMocks, context: Path) -> None:
    build_kubernetes(build_context=str(context), service={"bus": True, "publishes": True})
    grant = mocks.one(ROLE_POLICY, "users-workload-publish")
    assert grant.inputs["role"] == mocks.one(ROLE, "users-workload-role").outputs["name"]
    [s] = json.loads(grant.inputs["policy"])["Statement"]
    assert s["Action"] == "events:PutEvents"


def test_kubernetes_service_may_still_own_a_schema_and_extra_functions(
    mocks: harness.RecordingMocks, context: Path
) -> None:
    build_kubernetes(build_context=str(context), service={"schema": schema(), "functions": {"authorizer": "a.h"}})
    names = sorted(r.name for r in mocks.of_type(FUNCTION))
    assert names == ["users-authorizer", "users-migrate", "users-workload-apply"]
    assert mocks.one(INVOCATION, "users-migrate-run")
