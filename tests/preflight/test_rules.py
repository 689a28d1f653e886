"""Each preflight rule fires on the kind of mistake it exists for, and stays silent on the corrected resource.

Resources are written by hand as the engine would hand them to the policy pack, and run through the same
``pulumi_policy`` policies as ``pulumi preview --policy-pack policy``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from aws_systems.cost import CostSettings
from aws_systems.cost.settings import from_config
from aws_systems.preflight import RULES, evaluate, lifecycle
from aws_systems.preflight import budget as budget_rule
from aws_systems.preflight import concurrency as concurrency_rule
from aws_systems.preflight.model import UNKNOWN, Resource

ACCOUNT = "123456789012"


def res(type_: str, logical: str, /, *, deps: tuple[str, ...] = (), **props: Any) -> Resource:
    return Resource(type_, logical, f"urn:pulumi:test::p::{type_}::{logical}", props, "", deps)


def fired(rule: str, *resources: Resource) -> list[str]:
    """The messages of ``rule`` on these resources (inputs and outputs alike)."""
    [chosen] = [r for r in RULES if r.name == rule]
    return [v.message for v in evaluate([chosen], list(resources))]


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:us-east-1:{ACCOUNT}:{resource}"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def role(name: str, *statements: dict[str, Any], trust: dict[str, Any] | None = None) -> list[Resource]:
    trust = trust or {"Service": "lambda.amazonaws.com"}
    assume = policy({"Effect": "Allow", "Principal": trust, "Action": "sts:AssumeRole"})
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    return [
        res("aws:iam/role:Role", name, id=name, name=name, arn=role_arn, assumeRolePolicy=assume),
        res("aws:iam/rolePolicy:RolePolicy", f"{name}-policy", role=name, policy=policy(*statements)),
    ]


def allow(actions: list[str], resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


# --- names ---------------------------------------------------------------------------------------------------------
def test_an_auto_name_too_long_for_a_target_group_is_refused():
    [message] = fired("aws-names", res("aws:lb/targetGroup:TargetGroup", "shop-users-workload-target-group"))
    assert "40 characters, more than 32" in message and "auto-name" in message


def test_a_short_logical_name_or_an_explicit_name_passes():
    assert fired("aws-names", res("aws:lb/targetGroup:TargetGroup", "users-tg")) == []
    long_logical = res("aws:lb/targetGroup:TargetGroup", "x" * 40, name="users-tg-1a2b3c4d")
    assert fired("aws-names", long_logical) == []


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        ("aws:s3/bucket:Bucket", {"bucket": "Reports_Bucket"}, "does not match"),
        ("aws:iam/role:Role", {"name": "a role"}, "does not match"),
        ("aws:iam/role:Role", {"namePrefix": "r" * 40}, "more than 64"),
        ("aws:backup/vault:Vault", {"name": "v" * 51}, "does not match"),
        ("aws:cloudwatch/eventArchive:EventArchive", {"name": "a" * 49}, "more than 48"),
        ("aws:rds/proxy:Proxy", {"name": "db_proxy"}, "does not match"),
    ],
)
def test_names_aws_refuses_are_refused(type_, props, expected):
    messages = fired("aws-names", res(type_, "n", **props))
    assert any(expected in m for m in messages), messages


# --- values --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 13}, "retentionInDays: 13 is not one of"),
        ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 15}, "AWS::Logs::LogGroup.RetentionInDays"),
        ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 5000}, "retentionInDays: 5000 is not one of"),
        ("aws:lambda/function:Function", {"architectures": ["arm"]}, "architectures[0]: 'arm' is not one of"),
        ("aws:lambda/function:Function", {"architectures": ["arm64", "x86_64"]}, "2 items, more than 1"),
        ("aws:lambda/function:Function", {"memorySize": 64}, "below the minimum 128"),
        ("aws:sqs/queue:Queue", {"visibilityTimeoutSeconds": 50000}, "above the maximum 43200"),
        ("aws:dynamodb/table:Table", {"billingMode": "ON_DEMAND"}, "billingMode: 'ON_DEMAND' is not one of"),
        ("aws:lambda/function:Function", {"runtime": "python3.99"}, "runtime: 'python3.99' is not one of"),
        ("aws:apigatewayv2/route:Route", {"authorizationType": "COGNITO"}, "botocore apigatewayv2 CreateRoute"),
        (
            "aws:lambda/function:Function",
            {"environment": {"variables": {"A": "x" * 3000, "CONFIG_STORE": "y" * 1100}}},
            "over Lambda's 4096 (largest: A)",
        ),
    ],
)
def test_values_aws_refuses_are_refused(type_, props, expected):
    messages = fired("aws-values", res(type_, "r", **props))
    assert any(expected in m for m in messages), messages


def test_accepted_values_and_unknown_ones_pass():
    from aws_systems.preflight.model import UNKNOWN

    env = {"variables": {"A": "x" * 4000, "TABLE": UNKNOWN}}  # 4,009 bytes as JSON: just under the limit
    fn = res(
        "aws:lambda/function:Function", "f", architectures=["arm64"], memorySize=512, role=UNKNOWN, environment=env
    )
    assert fired("aws-values", fn, res("aws:cloudwatch/logGroup:LogGroup", "l", retentionInDays=14)) == []


@pytest.mark.parametrize("days", [1, 14, 365, 3653, 0])
def test_every_cloudwatch_retention_passes_and_zero_is_never_expire(days):
    """pulumi-aws takes 0 as "never expire"; CloudFormation leaves the property out instead, so its enum lacks 0."""
    assert fired("aws-values", res("aws:cloudwatch/logGroup:LogGroup", "l", retentionInDays=days)) == []


# --- keys ----------------------------------------------------------------------------------------------------------
KEY_ARN = arn("kms", "key/1234")
TABLE_ARN = arn("dynamodb", "table/settings")


def encrypted_table() -> list[Resource]:
    return [
        res("aws:kms/key:Key", "settings-key", id="1234", arn=KEY_ARN),
        res(
            "aws:dynamodb/table:Table",
            "settings",
            arn=TABLE_ARN,
            serverSideEncryption={"enabled": True, "kmsKeyArn": KEY_ARN},
        ),
    ]


def test_a_reader_of_a_cmk_encrypted_table_without_the_key_is_refused():
    reader = role("catalog", allow(["dynamodb:GetItem"], [TABLE_ARN]))
    [message] = fired("kms-key-access", *encrypted_table(), *reader)
    assert "catalog" in message and "kms:Decrypt" in message and "settings-key" in message


def test_a_reader_granted_the_key_through_the_service_passes():
    via = {"StringLike": {"kms:ViaService": ["dynamodb.*.amazonaws.com"]}}
    reader = role("catalog", allow(["dynamodb:GetItem"], [TABLE_ARN]), allow(["kms:Decrypt"], [KEY_ARN], Condition=via))
    assert fired("kms-key-access", *encrypted_table(), *reader) == []


def test_a_service_writing_to_a_cmk_encrypted_queue_needs_the_key_policy():
    queue_arn, url = arn("sqs", "orders"), "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    key = res("aws:kms/key:Key", "queue-key", id="k1", arn=KEY_ARN)
    queue = res("aws:sqs/queue:Queue", "orders", arn=queue_arn, url=url, kmsMasterKeyId=KEY_ARN)
    sender = {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage"}
    queue_policy = res("aws:sqs/queuePolicy:QueuePolicy", "orders-policy", queueUrl=url, policy=policy(sender))
    messages = fired("kms-key-access", key, queue, queue_policy)
    assert messages and all("events.amazonaws.com" in m and "default policy" in m for m in messages)
    root = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    events = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
    }
    key_policy = res("aws:kms/keyPolicy:KeyPolicy", "queue-key-policy", keyId="k1", policy=policy(root, events))
    assert fired("kms-key-access", key, queue, queue_policy, key_policy) == []


# --- reachability --------------------------------------------------------------------------------------------------
def network(*endpoints: str, nat: bool = False) -> list[Resource]:
    out = [
        res("aws:ec2/vpc:Vpc", "vpc", id="vpc-1"),
        res("aws:ec2/subnet:Subnet", "private-a", id="subnet-a", vpcId="vpc-1"),
        *(
            res("aws:ec2/vpcEndpoint:VpcEndpoint", f"ep-{e}", vpcId="vpc-1", serviceName=f"com.amazonaws.us-east-1.{e}")
            for e in endpoints
        ),
    ]
    if nat:
        out.append(res("aws:ec2/natGateway:NatGateway", "nat", subnetId="subnet-a"))
    return out


def function_in_vpc(*statements: dict[str, Any]) -> list[Resource]:
    fn_role = role("fn-role", *statements)
    fn = res(
        "aws:lambda/function:Function",
        "fn",
        role=fn_role[0].arn,
        vpcConfig={"subnetIds": ["subnet-a"], "securityGroupIds": ["sg-1"]},
    )
    return [*fn_role, fn]


def test_a_function_calling_an_api_without_an_endpoint_is_refused():
    calls = [
        allow(["secretsmanager:GetSecretValue"], [arn("secretsmanager", "secret:db")]),
        allow(["xray:PutTraceSegments"], ["*"]),  # sent by Lambda itself: needs no endpoint
        allow(["sqs:ReceiveMessage"], [arn("sqs", "q")]),  # the event source mapping polls, not the function
    ]
    [message] = fired("private-reachability", *network("sts"), *function_in_vpc(*calls))
    assert "fn" in message and "calls secretsmanager" in message


def test_an_endpoint_or_a_nat_gateway_makes_it_reachable():
    calls = allow(["secretsmanager:GetSecretValue"], [arn("secretsmanager", "secret:db")])
    assert fired("private-reachability", *network("secretsmanager"), *function_in_vpc(calls)) == []
    assert fired("private-reachability", *network(nat=True), *function_in_vpc(calls)) == []


def test_eks_nodes_need_ec2_and_irsa_pods_need_sts():
    oidc = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X"
    cluster = res("eks:index:Cluster", "cluster", vpcId="vpc-1", oidcProviderArn=oidc)
    pod_role = role(
        "users", allow(["cognito-idp:AdminGetUser"], [arn("cognito-idp", "userpool/p")]), trust={"Federated": oidc}
    )
    endpoints = ("ecr.api", "ecr.dkr", "s3", "logs")
    messages = fired("private-reachability", *network(*endpoints), cluster, *pod_role)
    assert any("cluster" in m and "ec2, sts" in m for m in messages), messages
    assert any("users" in m and "cognito-idp, sts" in m for m in messages), messages
    full = (*endpoints, "ec2", "sts", "cognito-idp")
    assert fired("private-reachability", *network(*full), cluster, *pod_role) == []


def test_kubernetes_objects_through_a_private_cluster_api_are_refused():
    private = res("eks:index:Cluster", "cluster", endpointPublicAccess=False)
    namespace = res("kubernetes:core/v1:Namespace", "ns", apiVersion="v1", kind="Namespace", metadata={"name": "a"})
    [message] = fired("private-reachability", private, namespace)
    assert "private API endpoint" in message and "ns" in message
    assert fired("private-reachability", private) == []  # nothing created through the API: applied from inside
    opened = res("eks:index:Cluster", "cluster", endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"])
    assert fired("private-reachability", opened, namespace) == []


# --- proxy ---------------------------------------------------------------------------------------------------------
MASTER, USER = arn("secretsmanager", "secret:master"), arn("secretsmanager", "secret:svc_moves")


def proxied(*, auths: list[str], waits: bool) -> list[Resource]:
    target_urn = "urn:pulumi:test::p::aws:rds/proxyTarget:ProxyTarget::target"
    proxy_role = role(
        "proxy-role", allow(["secretsmanager:GetSecretValue"], auths), trust={"Service": "rds.amazonaws.com"}
    )
    return [
        *proxy_role,
        res(
            "aws:rds/proxy:Proxy",
            "proxy",
            name="proxy",
            endpoint="proxy.proxy-abc.us-east-1.rds.amazonaws.com",
            roleArn=proxy_role[0].arn,
            auths=[{"authScheme": "SECRETS", "secretArn": a} for a in auths],
        ),
        res("aws:rds/proxyTarget:ProxyTarget", "target", dbProxyName="proxy"),
        res(
            "aws:lambda/function:Function",
            "migrate",
            name="migrate",
            environment={"variables": {"DB_HOST": "proxy.proxy-abc.us-east-1.rds.amazonaws.com", "SECRET": USER}},
        ),
        res(
            "aws:lambda/invocation:Invocation",
            "migrate-run",
            functionName="migrate",
            deps=(target_urn,) if waits else (),
        ),
    ]


def test_a_user_the_proxy_does_not_know_and_a_deploy_that_does_not_wait_are_refused():
    messages = fired("rds-proxy-users", *proxied(auths=[MASTER], waits=False))
    assert any("svc_moves" in m and "auths do not list" in m for m in messages), messages
    assert any("migrate-run" in m and "does not wait" in m for m in messages), messages


def test_a_proxy_that_knows_every_user_and_a_deploy_that_waits_pass():
    assert fired("rds-proxy-users", *proxied(auths=[MASTER, USER], waits=True)) == []


# --- CORS ----------------------------------------------------------------------------------------------------------
def site(connect_src: str, allow_origins: list[str]) -> list[Resource]:
    csp = f"default-src 'self'; connect-src {connect_src}"
    return [
        res(
            "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
            "headers",
            id="hp-1",
            securityHeadersConfig={"contentSecurityPolicy": {"contentSecurityPolicy": csp}},
        ),
        res(
            "aws:cloudfront/distribution:Distribution",
            "site",
            domainName="d111.cloudfront.net",
            defaultCacheBehavior={"responseHeadersPolicyId": "hp-1"},
        ),
        res(
            "aws:apigatewayv2/api:Api",
            "api",
            apiEndpoint="https://abc.execute-api.us-east-1.amazonaws.com",
            corsConfiguration={"allowOrigins": allow_origins},
        ),
    ]


def test_an_api_that_the_site_calls_but_whose_cors_omits_the_site_origin_is_refused():
    direct = "'self' https://abc.execute-api.us-east-1.amazonaws.com"
    [message] = fired("site-cors", *site(direct, ["https://store.example.com"]))
    assert "https://d111.cloudfront.net" in message


def test_cors_that_admits_the_site_or_an_api_on_the_site_origin_passes():
    direct = "'self' https://abc.execute-api.us-east-1.amazonaws.com"
    assert fired("site-cors", *site(direct, ["https://d111.cloudfront.net"])) == []
    assert fired("site-cors", *site("'self'", [])) == []


# --- confused deputy ----------------------------------------------------------------------------------------------
def trusting(service: str, condition: dict[str, Any] | None = None) -> Resource:
    trust: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        trust["Condition"] = condition
    return res("aws:iam/role:Role", "r", assumeRolePolicy=policy(trust))


def key_granting(service: str | list[str], condition: dict[str, Any] | None = None) -> Resource:
    grant: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "kms:Decrypt"}
    if condition:
        grant["Condition"] = condition
    return res("aws:kms/keyPolicy:KeyPolicy", "k", keyId="k", policy=policy(grant))


SOURCE_ACCOUNT = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


@pytest.mark.parametrize(
    "resource",
    [
        trusting("scheduler.amazonaws.com"),
        trusting("backup.amazonaws.com", {"StringEquals": {"aws:PrincipalTag/team": "x"}}),
        trusting("rds.amazonaws.com"),
        key_granting(["cloudwatch.amazonaws.com", "backup.amazonaws.com"]),
        key_granting("lambda.amazonaws.com"),
        res(
            "aws:kms/key:Key",
            "k",
            policy=policy(allow(["kms:Decrypt"], ["*"], Principal={"Service": "sns.amazonaws.com"})),
        ),
    ],
)
def test_a_service_principal_with_no_source_condition_is_refused(resource):
    messages = fired("confused-deputy", resource)
    assert messages and all("no aws:SourceAccount or aws:SourceArn condition" in m for m in messages), messages


def test_a_service_principal_bound_to_the_account_or_a_documented_exception_passes():
    arn_only = {"ArnLike": {"aws:SourceArn": arn("scheduler", "schedule-group/default")}}
    logs = {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": arn("logs", "log-group:g")}}
    bound = [
        trusting("scheduler.amazonaws.com", {**SOURCE_ACCOUNT, **arn_only}),
        trusting("scheduler.amazonaws.com", arn_only),
        trusting("backup.amazonaws.com", {"StringLike": {"AWS:SourceAccount": ACCOUNT}}),  # keys are case-blind
        trusting("lambda.amazonaws.com"),  # execution roles: Lambda sets no source keys
        trusting("ec2.amazonaws.com"),
        key_granting("cloudwatch.amazonaws.com", SOURCE_ACCOUNT),
        key_granting("events.amazonaws.com"),  # EventBridge's KMS requests carry no source keys
        key_granting("logs.us-east-1.amazonaws.com", logs),
        res("aws:iam/role:Role", "web", assumeRolePolicy=policy({"Effect": "Allow", "Principal": {"Federated": "x"}})),
    ]
    assert fired("confused-deputy", *bound) == []


# --- standard support ----------------------------------------------------------------------------------------------
def test_versions_past_standard_support_are_refused():
    mysql80 = res("aws:rds/instance:Instance", "db", engine="mysql", engineVersion="8.0")
    [message] = lifecycle.check(mysql80, today=dt.date(2026, 8, 1))
    assert "mysql 8.0 left AWS standard support on 2026-07-31" in message
    assert lifecycle.check(mysql80, today=dt.date(2026, 7, 31)) == []
    eks = res("eks:index:Cluster", "c", version="1.33")
    assert lifecycle.check(eks, today=dt.date(2026, 12, 2))
    assert lifecycle.check(res("eks:index:Cluster", "c", version="1.99"), today=dt.date(2030, 1, 1)) == []


def test_the_policy_wraps_the_same_check():
    assert fired("standard-support", res("aws:lambda/function:Function", "f", runtime="python3.8"))


# --- relations ----------------------------------------------------------------------------------------------------
def consumer(visibility: float, timeout: float, batch: float = 10, window: float = 0) -> list[Resource]:
    queue_arn = arn("sqs", "moves")
    return [
        res("aws:sqs/queue:Queue", "moves", arn=queue_arn, visibilityTimeoutSeconds=visibility),
        res("aws:lambda/function:Function", "sub", name="sub", timeout=timeout),
        res(
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            "mapping",
            eventSourceArn=queue_arn,
            functionName="sub",
            batchSize=batch,
            maximumBatchingWindowInSeconds=window,
        ),
    ]


def test_a_queue_hiding_messages_shorter_than_its_consumer_runs_is_refused():
    [message] = fired("aws-relations", *consumer(visibility=30, timeout=60))
    assert "30 s, less than the 60 s" in message
    assert fired("aws-relations", *consumer(visibility=360, timeout=60)) == []


def test_a_large_batch_needs_a_window_and_cold_backups_need_90_days():
    assert fired("aws-relations", *consumer(visibility=360, timeout=60, batch=100))
    assert fired("aws-relations", *consumer(visibility=360, timeout=60, batch=100, window=5)) == []
    rule = {"ruleName": "daily", "lifecycle": {"coldStorageAfter": 30, "deleteAfter": 35}}
    [message] = fired("aws-relations", res("aws:backup/plan:Plan", "plan", rules=[rule]))
    assert "90 days" in message
    rule["lifecycle"]["deleteAfter"] = 120
    assert fired("aws-relations", res("aws:backup/plan:Plan", "plan", rules=[rule])) == []


def test_a_lambda_authorizer_s_identity_sources_are_ones_api_gateway_accepts_and_key_its_cache():
    def authorizer(*sources: str, ttl: int = 300, kind: str = "REQUEST") -> Resource:
        return res("aws:apigatewayv2/authorizer:Authorizer", "authz", authorizerType=kind,
                   identitySources=list(sources), authorizerResultTtlInSeconds=ttl)  # fmt: skip

    assert fired("aws-relations", authorizer("$request.header.Authorization", "$context.routeKey")) == []
    [message] = fired("aws-relations", authorizer("$request.header.Authorization", "request.header.X-Tenant"))
    assert message.startswith("identity source 'request.header.X-Tenant' is not $request.header.<name>")
    [message] = fired("aws-relations", authorizer())
    assert message == "answers are cached for 300 s but no identity source is given to key the cache"
    assert fired("aws-relations", authorizer(ttl=0)) == []  # no cache, no key needed
    assert fired("aws-relations", authorizer("anything", kind="JWT")) == []  # the JWT rules are not these


# --- secure defaults ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "props", "checkov"),
    [
        ("aws:lambda/function:Function", {"tracingConfig": {"mode": "PassThrough"}}, "CKV_AWS_50"),
        ("aws:lambda/function:Function", {"environment": {"variables": {"DB_PASSWORD": "hunter2"}}}, "CKV_AWS_45"),
        ("aws:lambda/permission:Permission", {"principal": "*"}, "CKV_AWS_301"),
        ("aws:rds/instance:Instance", {"publiclyAccessible": True, "storageEncrypted": True}, "CKV_AWS_17"),
        ("aws:rds/instance:Instance", {"backupRetentionPeriod": 1.0, "storageEncrypted": True}, "CKV_AWS_133"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {"blockPublicAcls": False}, "CKV_AWS_53"),
        ("aws:sqs/queue:Queue", {}, "CKV_AWS_27"),
        ("aws:kms/key:Key", {"enableKeyRotation": False}, "CKV_AWS_7"),
        ("aws:iam/role:Role", {"assumeRolePolicy": policy({"Effect": "Allow", "Principal": "*"})}, "CKV_AWS_60"),
        ("eks:index:Cluster", {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}, "CKV_AWS_39"),
        (
            "aws:cloudfront/distribution:Distribution",
            {"defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all", "responseHeadersPolicyId": "h"}},
            "CKV_AWS_34",
        ),
    ],
)
def test_a_weakened_secure_default_is_refused_with_its_checkov_id(type_, props, checkov):
    messages = fired("secure-defaults", res(type_, "r", **props))
    assert any(m.startswith(checkov + ":") for m in messages), messages


def test_secure_settings_and_values_not_known_yet_pass():
    from aws_systems.preflight.model import UNKNOWN

    fn = res("aws:lambda/function:Function", "f", tracingConfig={"mode": "Active"}, environment=UNKNOWN)
    env = {"variables": {"DB_SECRET_ARN": arn("secretsmanager", "secret:x"), "TOKEN_ISSUER": "https://idp"}}
    fn2 = res("aws:lambda/function:Function", "g", tracingConfig={"mode": "Active"}, environment=env)
    assert fired("secure-defaults", fn, fn2, res("aws:sqs/queue:Queue", "q", sqsManagedSseEnabled=True)) == []


# --- Kubernetes ---------------------------------------------------------------------------------------------------
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "users", "namespace": "shop"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "users"}},
        "template": {
            "metadata": {"labels": {"app": "users"}},
            "spec": {"containers": [{"name": "users", "image": "users:1", "ports": [{"containerPort": 8080}]}]},
        },
    },
}


def apply_invocation(*manifests: dict[str, Any], version: str = "1.36") -> Resource:
    payload = {"manifests": list(manifests), "kubernetes_version": version}
    return res("aws:lambda/invocation:Invocation", "apply", input=json.dumps(payload))


def test_a_manifest_with_a_wrong_type_or_an_unknown_field_is_refused():
    wrong = json.loads(json.dumps(DEPLOYMENT))
    wrong["spec"]["replicas"] = "two"
    [message] = fired("kubernetes-schema", apply_invocation(wrong))
    assert "Deployment users: spec.replicas" in message and "Kubernetes 1.36" in message
    typo = json.loads(json.dumps(DEPLOYMENT))
    typo["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    assert fired("kubernetes-schema", apply_invocation(typo))
    namespace = res("kubernetes:core/v1:Namespace", "ns", apiVersion="v1", kind="Namespace", metadata={"nam": "x"})
    assert fired("kubernetes-schema", namespace)


def test_valid_manifests_pass():
    assert fired("kubernetes-schema", apply_invocation(DEPLOYMENT)) == []


# --- cost budget ---------------------------------------------------------------------------------------------------
def over_budget(budget: float | None, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The budget rule on a stack of one EKS cluster (control plane $73.00, two t3.medium nodes $60.74, their root
    volumes $4.00: $137.74 a month), with ``budget`` as the stack config's budgetMonthlyUsd."""
    settings = CostSettings(budget_monthly_usd=budget)
    monkeypatch.setattr(budget_rule, "from_pulumi", lambda: (settings, "us-east-1"))
    cluster = res("eks:index:Cluster", "cluster", instanceType="t3.medium", desiredCapacity=2)
    return fired("cost-budget", cluster)


def test_an_estimate_over_the_budget_is_refused(monkeypatch):
    [message] = over_budget(100, monkeypatch)
    assert "$137.74 is over budgetMonthlyUsd $100.00" in message and "cluster $137.74" in message


def test_an_estimate_within_the_budget_or_no_budget_passes(monkeypatch):
    assert over_budget(150, monkeypatch) == []
    assert over_budget(None, monkeypatch) == []


def test_the_budget_is_read_from_the_stack_config_pulumi_hands_the_pack():
    raw = {"aws:region": "us-east-1", "aws-systems:budgetMonthlyUsd": "250", "other:budgetMonthlyUsd": "1"}
    raw["aws-systems:costAssumptions"] = '{"apiRequestsMonthly": 5}'
    settings, region = from_config(raw, "aws-systems")
    assert (settings.budget_monthly_usd, settings.cost_assumptions.api_requests_monthly, region) == (
        250,
        5,
        "us-east-1",
    )


# --- Lambda concurrency --------------------------------------------------------------------------------------------
FN_ARN = arn("lambda", "function:sales-api-1a2b3c4")


def reserving(*reservations: int | None, quota: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The concurrency rule on functions with these reservations (None: unreserved), under an account quota. The
    numbers are floats, as the engine hands them to the pack."""
    monkeypatch.setattr(concurrency_rule, "from_pulumi", lambda: quota)
    functions = [
        res("aws:lambda/function:Function", f"fn-{i}", name=f"fn-{i}", reservedConcurrentExecutions=n)
        for i, n in enumerate(float(n) if n is not None else None for n in reservations)
    ]
    return fired("lambda-concurrency", *functions)


def test_reservations_that_leave_fewer_than_100_unreserved_are_refused(monkeypatch):
    [message] = reserving(500, 300, 150, 10, None, quota=1000, monkeypatch=monkeypatch)
    assert "reserve 960 concurrent executions, leaving 40 of lambda.accountConcurrency 1000 unreserved" in message
    assert "keeps 100 unreserved" in message and "(biggest: fn-0 500, fn-1 300, fn-2 150)" in message
    assert reserving(5, quota=10, monkeypatch=monkeypatch), "a new account's quota of 10 can reserve nothing"


def test_reservations_within_the_pool_or_none_at_all_pass(monkeypatch):
    assert reserving(500, 300, 100, quota=1000, monkeypatch=monkeypatch) == []  # exactly 100 left
    assert reserving(None, -1, quota=10, monkeypatch=monkeypatch) == []  # -1: the provider's "unreserved"
    assert reserving(quota=10, monkeypatch=monkeypatch) == []


def queue_consumer(reserved: int | None, cap: int | None, function_name: object = FN_ARN) -> list[Resource]:
    fn = res("aws:lambda/function:Function", "sales-api", name="sales-api-1a2b3c4", arn=FN_ARN,
             reservedConcurrentExecutions=reserved)  # fmt: skip
    scaling = {"scalingConfig": {"maximumConcurrency": cap}} if cap is not None else {}
    mapping = res("aws:lambda/eventSourceMapping:EventSourceMapping", "mapping", deps=(fn.urn,),
                  functionName=function_name, **scaling)  # fmt: skip
    return [fn, mapping]


# By ARN, by name, by an alias's ARN, and in a first preview (the ARN not assigned yet) by what the mapping depends on.
@pytest.mark.parametrize("function_name", [FN_ARN, "sales-api-1a2b3c4", f"{FN_ARN}:live", UNKNOWN])
def test_a_mapping_handling_more_batches_than_its_function_may_run_is_refused(function_name):
    [message] = fired("lambda-concurrency", *queue_consumer(reserved=5, cap=10, function_name=function_name))
    assert "maximum concurrency 10 is above the reserved concurrency 5 of function sales-api" in message


def test_a_mapping_within_its_function_reservation_or_an_unreserved_function_passes():
    assert fired("lambda-concurrency", *queue_consumer(reserved=5, cap=5)) == []
    assert fired("lambda-concurrency", *queue_consumer(reserved=None, cap=100)) == []
    assert fired("lambda-concurrency", *queue_consumer(reserved=5, cap=None)) == []
    other = arn("lambda", "function:other")
    assert fired("lambda-concurrency", *queue_consumer(reserved=5, cap=10, function_name=other)) == []


def test_a_function_reserved_to_zero_is_a_kill_switch_and_passes():
    assert fired("lambda-concurrency", *queue_consumer(reserved=0, cap=None)) == []


def test_the_account_quota_is_read_from_the_stack_config_pulumi_hands_the_pack():
    raw = {"aws-systems:lambda": '{"memoryMb": 1024, "accountConcurrency": 50}'}
    raw["other:lambda"] = '{"accountConcurrency": 7}'
    assert concurrency_rule.account_concurrency(raw, "aws-systems") == 50
    assert concurrency_rule.account_concurrency({"aws-systems:lambda": '{"accountConcurrency": 400}'}, "policy") == 400
    assert concurrency_rule.account_concurrency({"aws-systems:lambda": '{"memoryMb": 1024}'}, "aws-systems") == 1000
    assert concurrency_rule.account_concurrency({}, "aws-systems") == concurrency_rule.DEFAULT_ACCOUNT_CONCURRENCY


# --- every rule is tested above --------------------------------------------------------------------------------------
def test_every_rule_has_a_test_that_makes_it_fire():
    source = open(__file__).read()  # noqa: PTH123, SIM115
    untested = [r.name for r in RULES if f'"{r.name}"' not in source]
    assert untested == []


# --- schedules -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        ("aws:scheduler/schedule:Schedule", {"scheduleExpression": "cron(0 6 * * * *)"}, "exactly one of day-of-month"),
        ("aws:scheduler/schedule:Schedule", {"scheduleExpression": "cron(0 6 * * ?)"}, "six fields are needed"),
        ("aws:scheduler/schedule:Schedule", {"scheduleExpression": "cron(0 24 * * ? *)"}, "hours '24'"),
        ("aws:scheduler/schedule:Schedule", {"scheduleExpression": "rate(1 minutes)"}, "use 'minute' for 1"),
        (
            "aws:scheduler/schedule:Schedule",
            {"scheduleExpression": "rate(1 hour)", "scheduleExpressionTimezone": "Lima"},
            "'Lima' is not an IANA time zone",
        ),
        ("aws:cloudwatch/eventRule:EventRule", {"scheduleExpression": "rate(5 minute)"}, "use 'minutes' for 5"),
        ("aws:backup/plan:Plan", {"rules": [{"schedule": "cron(0 5 * JAN-XYZ ? *)"}]}, "rules[].schedule: month"),
    ],
)
def test_schedule_expressions_aws_refuses_are_refused(type_, props, expected):
    messages = fired("aws-schedules", res(type_, "s", **props))
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize("expression", ["cron(5 * * * ? *)", "cron(0 6 ? * MON-FRI *)", "cron(15 10 ? * 6L 2026-2027)",
                                        "cron(0 3 ? * 3#2 *)", "cron(0 5 15W * ? *)", "rate(1 minute)",
                                        "rate(12 hours)", "at(2026-12-03T10:00:00)"])  # fmt: skip
def test_schedule_expressions_aws_accepts_pass(expression):
    schedule = res("aws:scheduler/schedule:Schedule", "s", scheduleExpression=expression,
                   scheduleExpressionTimezone="America/Lima")  # fmt: skip
    assert fired("aws-schedules", schedule) == []
