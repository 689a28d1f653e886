"""Every stack file synthesizes offline, and the synthesized systems obey the architecture rules.

The rules are checked on what the program actually declares (the recorded resources), not on the declarations alone:
every route is authorized unless public, every subscription and schedule has retries and a DLQ, every function's IAM
is exactly what its service declares, and events and rules match each other.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator

import pytest

from architectures import SYSTEMS, topology
from architectures.spec import LambdaAuthorizer, Service, System
from tests.harness import Recorded, RecordingMocks
from tools.offline import Synthesis, stack_config, stack_names, synthesize

TOP_LEVEL_TYPES = {
    "awssystems:system:SystemComponent",
    "awssystems:network:NetworkComponent",
    "aws:lambda/layerVersion:LayerVersion",
    "pulumi:providers:aws",
}


@pytest.fixture(scope="module")
def synthesized() -> dict[str, Synthesis]:
    """Each stack, synthesized once for this module."""
    return {stack: synthesize(stack) for stack in stack_names()}


@pytest.fixture(scope="module")
def dev(synthesized) -> RecordingMocks:
    return synthesized["dev"].mocks


def test_the_four_environments_exist():
    assert stack_names() == ["dev", "prod", "qa", "stage"]


@pytest.mark.parametrize("stack", ["dev", "qa", "stage", "prod"])
def test_stack_synthesizes_every_enabled_system(synthesized, stack):
    mocks = synthesized[stack].mocks
    enabled = json.loads(stack_config(stack)["aws-systems:systems"])
    systems = [r.name for r in mocks.of_type("awssystems:system:SystemComponent")]
    assert sorted(systems) == sorted(enabled)
    assert len(mocks.of_type("aws:lambda/function:Function")) > 20
    assert set(mocks.calls) <= {
        "aws:index/getAvailabilityZones:getAvailabilityZones",
        "aws:index/getCallerIdentity:getCallerIdentity",
    }, "the program must not depend on unexpected data sources"


@pytest.mark.parametrize("stack", stack_names())
def test_the_preflight_finds_nothing_that_aws_would_refuse(synthesized, stack):
    """The policy pack (policy/) on the whole stack, as `pulumi preview --policy-pack policy` runs it."""
    violations = synthesized[stack].preflight()
    assert not violations, "\n".join(map(str, violations))


def test_every_child_is_parented_and_named_from_its_parent(dev):
    by_name = {r.name: r for r in dev.resources}
    for r in dev.resources:
        if not r.parent_name or r.parent_name == "aws-systems-dev":
            assert r.type in TOP_LEVEL_TYPES, f"{r.type} {r.name} is not inside a component"
            continue
        if r.parent_name in by_name and r.type.startswith(("aws:", "awssystems:")):
            assert r.name.startswith(r.parent_name), f"{r.name} is not named from its parent {r.parent_name}"


def test_prod_is_hardened_and_dev_is_cheap(synthesized):
    dev_db = synthesized["dev"].mocks.one("aws:rds/instance:Instance", "moving-db-instance")
    prod_db = synthesized["prod"].mocks.one("aws:rds/instance:Instance", "moving-db-instance")
    assert dev_db.inputs["multiAz"] is False and prod_db.inputs["multiAz"] is True
    assert prod_db.inputs["deletionProtection"] is True and prod_db.inputs["skipFinalSnapshot"] is False
    assert prod_db.inputs["finalSnapshotIdentifier"] == "moving-db-final"
    assert prod_db.inputs["backupRetentionPeriod"] == 35
    assert not synthesized["dev"].mocks.of_type("aws:ec2/natGateway:NatGateway")
    assert synthesized["prod"].mocks.of_type("aws:wafv2/webAcl:WebAcl")
    assert not synthesized["dev"].mocks.of_type("aws:wafv2/webAcl:WebAcl")
    dev_logs = synthesized["dev"].mocks.one("aws:cloudwatch/logGroup:LogGroup", "moving-moves-api-logs")
    prod_logs = synthesized["prod"].mocks.one("aws:cloudwatch/logGroup:LogGroup", "moving-moves-api-logs")
    assert dev_logs.inputs["retentionInDays"] < prod_logs.inputs["retentionInDays"]


def test_unchanged_code_gives_identical_archives(dev):
    second = synthesize("dev").mocks
    hashes = {r.name: r.inputs.get("sourceCodeHash") for r in dev.of_type("aws:lambda/function:Function")}
    again = {r.name: r.inputs.get("sourceCodeHash") for r in second.of_type("aws:lambda/function:Function")}
    assert hashes == again and all(hashes.values())


def test_no_plain_output_carries_a_secret(synthesized):
    for stack, result in synthesized.items():
        for r in result.mocks.of_type("aws:lambda/function:Function"):
            variables = r.inputs.get("environment", {}).get("variables", {})
            assert not any("PASSWORD" in k for k in variables), (stack, r.name)


def test_only_the_customers_pools_allow_self_sign_up_and_the_staff_pool_does_not(dev):
    pools = {r.name: r.inputs for r in dev.of_type("aws:cognito/userPool:UserPool")}
    admin_only = {name.split("-")[0]: inputs["adminCreateUserConfig"]["allowAdminCreateUserOnly"]
                  for name, inputs in pools.items()}  # fmt: skip
    assert admin_only == {"moving": False, "shop": False, "retail": True}


# --- routes ------------------------------------------------------------------------------------------------------
def system_routes(mocks: RecordingMocks, system: System) -> Iterator[tuple[Service, str, Recorded]]:
    recorded = {(r.parent_name, r.inputs["routeKey"]): r for r in mocks.of_type("aws:apigatewayv2/route:Route")}
    for service, route in system.routes:
        yield service, route.key, recorded[(f"{system.name}-{service.name}", route.key)]


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_every_route_has_an_authorizer_unless_declared_public(dev, name):
    system = SYSTEMS[name]
    routes = list(system_routes(dev, system))
    assert len(routes) == len(system.routes)
    expected_type = "CUSTOM" if isinstance(system.authorizer, LambdaAuthorizer) else "JWT"
    for service, key, recorded in routes:
        declared = next(r for r in service.routes if r.key == key)
        if declared.public:
            assert recorded.inputs["authorizationType"] == "NONE", key
        else:
            assert recorded.inputs["authorizationType"] == expected_type, key
            assert recorded.inputs.get("authorizerId"), key


def test_lambda_routes_may_be_invoked_only_from_their_own_route(dev):
    permissions = dev.of_type("aws:lambda/permission:Permission")
    route_permissions = [p for p in permissions if "-route-" in p.name]
    assert route_permissions
    for p in route_permissions:
        assert p.inputs["principal"] == "apigateway.amazonaws.com"
        assert re.search(r"/[^/]+/[A-Z]+/", p.inputs["sourceArn"]), p.name  # a stage, then the route's method


# --- events ------------------------------------------------------------------------------------------------------
def rules_of(mocks: RecordingMocks, system: System) -> list[dict]:
    bus = f"{system.name}-{system.bus}-bus"
    return [
        json.loads(r.inputs["eventPattern"])
        for r in mocks.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.inputs.get("eventBusName") == bus
    ]


@pytest.mark.parametrize("name", [n for n in sorted(SYSTEMS) if SYSTEMS[n].bus])
def test_published_events_match_a_rule_and_rules_match_declared_events(dev, name):
    system = SYSTEMS[name]
    patterns = rules_of(dev, system)
    assert len(patterns) == sum(len(s.subscriptions) for s in system.services)
    for service in system.services:
        for detail_type in service.needs.publishes:
            source = system.source(service)
            assert any(source in p["source"] and detail_type in p["detail-type"] for p in patterns), (
                f"{source} {detail_type} reaches no rule"
            )
    declared = {(system.source(s), e) for s in system.services for e in s.needs.publishes}
    for pattern in patterns:
        for detail_type in pattern["detail-type"]:
            assert any((source, detail_type) in declared for source in pattern["source"]), pattern


@pytest.mark.parametrize("name", [n for n in sorted(SYSTEMS) if SYSTEMS[n].bus])
def test_cloud_rules_match_the_shared_topology(dev, name):
    """The local runtime builds its rules from architectures.topology; the cloud's must be the same."""
    system = SYSTEMS[name]
    rules = {
        r.parent_name: json.loads(r.inputs["eventPattern"]) for r in dev.of_type("aws:cloudwatch/eventRule:EventRule")
    }
    for service, sub in topology.subscriptions(system):
        assert rules[f"{system.name}-{service.name}-sub-{sub.name}"] == topology.subscription_pattern(system, sub)


def test_every_subscription_has_a_dlq_and_a_retry_policy(dev):
    targets = dev.of_type("aws:cloudwatch/eventTarget:EventTarget")
    subscriptions = [sub for system in SYSTEMS.values() for s in system.services for sub in s.subscriptions]
    assert len(targets) == len(subscriptions)
    for target in targets:
        assert target.inputs["retryPolicy"]["maximumRetryAttempts"] > 0, target.name
        assert target.inputs["deadLetterConfig"]["arn"], target.name
    queues = {q.name: q for q in dev.of_type("aws:sqs/queue:Queue")}
    for name, queue in queues.items():
        if name.endswith("-queue"):
            redrive = json.loads(queue.inputs["redrivePolicy"])
            assert redrive["deadLetterTargetArn"].endswith(name.removesuffix("-queue") + "-dlq"), name
    for mapping in dev.of_type("aws:lambda/eventSourceMapping:EventSourceMapping"):
        assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"], mapping.name


def test_declared_concurrency_reaches_every_function_and_mapping(dev):
    """A service's ``reserved_concurrency`` caps each of its functions but the deploy-time migration, and a
    subscription's ``max_concurrency`` is its mapping's maximum concurrency."""
    functions = dev.of_type("aws:lambda/function:Function")
    mappings = {m.name: m for m in dev.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")}
    for system in SYSTEMS.values():
        for service in system.services:
            prefix = f"{system.name}-{service.name}"
            for fn in (f for f in functions if f.parent_name == prefix):
                expected = None if fn.name == f"{prefix}-migrate" else service.reserved_concurrency
                assert fn.inputs.get("reservedConcurrentExecutions") == expected, fn.name
            for sub in service.subscriptions:
                mapping = mappings[f"{prefix}-sub-{sub.name}-mapping"]
                assert mapping.inputs.get("scalingConfig", {}).get("maximumConcurrency") == sub.max_concurrency, sub
    reserved = {f.name: f.inputs.get("reservedConcurrentExecutions") for f in functions}
    assert {n: r for n, r in reserved.items() if r is not None} == {
        "retail-sales-api": 10,
        "retail-sales-sched-outbox-relay": 10,
        "retail-reports-api": 5,
        "retail-reports-sched-reports": 5,
    }
    capped = {
        n: m.inputs["scalingConfig"]["maximumConcurrency"] for n, m in mappings.items() if "scalingConfig" in m.inputs
    }
    assert capped == {"retail-catalog-sub-low-stock-alerts-mapping": 2}


def test_every_schedule_has_retries_and_a_dlq(dev):
    schedules = dev.of_type("aws:scheduler/schedule:Schedule")
    declared = [sch for system in SYSTEMS.values() for s in system.services for sch in s.schedules]
    assert len(schedules) == len(declared)
    for schedule in schedules:
        target = schedule.inputs["target"]
        assert target["retryPolicy"]["maximumRetryAttempts"] > 0, schedule.name
        function = schedule.name.removesuffix("-schedule")
        assert target["deadLetterConfig"]["arn"].endswith(f"{function}-dlq"), schedule.name
        assert target["arn"].endswith(function), schedule.name


# --- IAM: exactly what the service declares ------------------------------------------------------------------------
def grants_by_role(mocks: RecordingMocks) -> dict[str, set[tuple[str, str]]]:
    """(action, resource) pairs granted to each role name by its inline policies."""
    grants: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for policy in mocks.of_type("aws:iam/rolePolicy:RolePolicy"):
        for st in json.loads(policy.inputs["policy"])["Statement"]:
            assert st["Effect"] == "Allow"
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            grants[policy.inputs["role"]] |= {(a, r) for a in actions for r in resources}
    return grants


def arn_of(mocks: RecordingMocks, typ: str, parent: str) -> str:
    return next(r.outputs["arn"] for r in mocks.of_type(typ) if r.parent_name == parent)


def expected_grants(mocks: RecordingMocks, system: System, service: Service, role: str) -> set[tuple[str, str]]:
    """What the declaration says the function ``role`` of ``service`` may do, with the recorded ARNs."""
    from aws_systems import iam

    prefix = f"{system.name}-{service.name}"
    log_group = mocks.one("aws:cloudwatch/logGroup:LogGroup", f"{prefix}-{role}-logs").outputs["arn"]
    out = {(a, f"{log_group}:*") for a in ("logs:CreateLogStream", "logs:PutLogEvents")}
    out |= {(a, "*") for a in iam.XRAY}
    needs = service.needs
    if needs.database:
        out |= {(a, "*") for a in iam.VPC_ACCESS}
    if role == "migrate":
        secret = arn_of(mocks, "aws:secretsmanager/secret:Secret", system.name)
        own = next(
            r.outputs["arn"]
            for r in mocks.of_type("aws:secretsmanager/secret:Secret")
            if r.name == f"{system.name}-{service.schema_name}-db-credentials"
        )
        master = next(
            r.outputs["masterUserSecrets"][0]["secretArn"]
            for r in mocks.of_type("aws:rds/instance:Instance")
            if r.name == f"{system.name}-db-instance"
        )
        assert secret
        out |= {
            (a, s) for a in ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret") for s in (own, master)
        }
        out.add(("secretsmanager:PutSecretValue", own))
        return out
    if needs.database:
        secret = next(
            r.outputs["arn"]
            for r in mocks.of_type("aws:secretsmanager/secret:Secret")
            if r.name == f"{system.name}-{needs.database}-db-credentials"
        )
        out.add(("secretsmanager:GetSecretValue", secret))
    for table, access in needs.tables.items():
        arn = arn_of(mocks, "aws:dynamodb/table:Table", f"{system.name}-table-{table}")
        actions = iam.TABLE_WRITE if access == "write" else iam.TABLE_READ
        out |= {(a, r) for a in actions for r in (arn, f"{arn}/index/*")}
    for bucket, access in needs.buckets.items():
        arn = arn_of(mocks, "aws:s3/bucket:Bucket", f"{system.name}-bucket-{bucket}")
        actions = iam.BUCKET_WRITE if access == "write" else iam.BUCKET_READ
        out |= {(a, f"{arn}/*") for a in actions}
    for topic in needs.topics:
        out.add(("sns:Publish", arn_of(mocks, "aws:sns/topic:Topic", f"{system.name}-topic-{topic}")))
    if needs.user_pool:
        pool = arn_of(mocks, "aws:cognito/userPool:UserPool", f"{system.name}-auth")
        out |= {(f"cognito-idp:{a}", pool) for a in needs.user_pool}
    if needs.publishes:
        bus = arn_of(mocks, "aws:cloudwatch/eventBus:EventBus", f"{system.name}-{system.bus}")
        out.add(("events:PutEvents", bus))
    if role.startswith("sub-"):
        queue = mocks.one("aws:sqs/queue:Queue", f"{prefix}-{role}-queue").outputs["arn"]
        out |= {
            (a, queue)
            for a in (
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            )
        }
    return out


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_each_function_role_grants_exactly_what_its_service_declares(dev, name):
    system = SYSTEMS[name]
    grants = grants_by_role(dev)
    checked = 0
    for service in system.services:
        prefix = f"{system.name}-{service.name}"
        for function in dev.of_type("aws:lambda/function:Function"):
            if function.parent_name != prefix:
                continue
            role = function.name.removeprefix(prefix + "-")
            role_name = f"{function.name}-role"
            assert function.inputs["role"].endswith(role_name)
            assert grants[role_name] == expected_grants(dev, system, service, role), function.name
            checked += 1
    assert checked >= len([s for s in system.services if s.runtime == "lambda"])


def test_no_policy_grants_wildcard_actions(dev):
    for role, pairs in grants_by_role(dev).items():
        for action, resource in pairs:
            assert action != "*" and not action.endswith(":*"), (role, action)
            if resource == "*":
                assert action.split(":")[0] in {"xray", "ec2", "kms", "ecr"}, (role, action)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_public_sign_up_and_login_have_a_tighter_throttle_than_the_stage(synthesized, stack):
    mocks = synthesized[stack].mocks
    stage = mocks.one("aws:apigatewayv2/stage:Stage", "shop-api-stage")
    default = stage.inputs["defaultRouteSettings"]
    settings = {s["routeKey"]: s for s in stage.inputs["routeSettings"]}
    for key in ("POST /users/login", "POST /users/signup"):
        assert settings[key]["throttlingRateLimit"] < default["throttlingRateLimit"], key
        assert settings[key]["throttlingBurstLimit"] < default["throttlingBurstLimit"], key
        assert settings[key]["detailedMetricsEnabled"] is True, key
    routes = {r.inputs["routeKey"]: r.urn for r in mocks.of_type("aws:apigatewayv2/route:Route")}
    assert {routes["POST /users/login"], routes["POST /users/signup"]} <= set(stage.dependencies)
    for system in ("moving", "retail"):  # no public writes there
        assert not mocks.one("aws:apigatewayv2/stage:Stage", f"{system}-api-stage").inputs.get("routeSettings")
