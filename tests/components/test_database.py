"""DatabaseComponent under strict recording mocks."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from aws_systems.database import (
    DatabaseArgs,
    DatabaseComponent,
    parameter_group_family,
    performance_insights_supported,
)
from tests import harness

INSTANCE = "aws:rds/instance:Instance"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
KEY = "aws:kms/key:Key"
PROXY = "aws:rds/proxy:Proxy"
TARGET_GROUP = "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup"
TARGET = "aws:rds/proxyTarget:ProxyTarget"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
COMPONENT = "awssystems:database:DatabaseComponent"

SUBNETS = ["subnet-a", "subnet-b"]
SECRET_ARN = f"arn:aws:secretsmanager:{harness.REGION}:{harness.ACCOUNT}:secret:db-instance-master"


def _args(**overrides: Any) -> DatabaseArgs:
    return DatabaseArgs(**{"vpc_id": "vpc-1", "subnet_ids": SUBNETS, **overrides})


def _build(**overrides: Any) -> dict[str, Any]:
    """Build ``db`` and return its resolved outputs."""
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output:
        db = DatabaseComponent("db", _args(**overrides))
        seen["engine"] = db.engine
        seen["instance"] = db.instance
        seen["component"] = db
        return pulumi.Output.all(
            endpoint=db.endpoint,
            port=db.port,
            secret=db.master_secret_arn,
            proxy=db.proxy_endpoint,
            sg=db.security_group.id,
        ).apply(seen.update)

    harness.run(program)
    return seen


def _instance(mocks: harness.RecordingMocks) -> dict[str, Any]:
    return mocks.one(INSTANCE, "db-instance").inputs


def test_standard_defaults(mocks, warnings):
    out = _build()
    db = _instance(mocks)
    assert db["engine"] == "mysql" and db["engineVersion"] == "8.4"
    assert db["instanceClass"] == "db.t4g.micro" and db["allocatedStorage"] == 20
    assert "maxAllocatedStorage" not in db
    assert db["storageEncrypted"] is True and "kmsKeyId" not in db
    assert db["publiclyAccessible"] is False
    assert db["manageMasterUserPassword"] is True and db["username"] == "admin"
    assert "password" not in db
    assert db["iamDatabaseAuthenticationEnabled"] is True
    assert db["multiAz"] is False and db["deletionProtection"] is False
    assert db["backupRetentionPeriod"] == 7
    assert db["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in db
    assert db["copyTagsToSnapshot"] is True
    assert db["autoMinorVersionUpgrade"] is True and db["applyImmediately"] is False
    assert db["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    assert db["enabledCloudwatchLogsExports"] == ["error", "slowquery"]  # no audit without an option group
    assert db["performanceInsightsEnabled"] is False  # not offered on db.t4g.micro
    assert db["dbSubnetGroupName"] == "db-subnets" and db["parameterGroupName"] == "db-params"
    assert db["vpcSecurityGroupIds"] == ["db-sg-id"] and db["port"] == 3306
    assert mocks.of_type(KEY) == [] and mocks.of_type(PROXY) == []
    expected = {"endpoint": "db-instance.rds.local", "port": 3306, "secret": SECRET_ARN, "proxy": None}
    assert {key: out[key] for key in expected} == expected
    assert out["engine"] == "mysql"
    assert warnings == []


def test_hardened_defaults(mocks, warnings):
    _build(protection="hardened", instance_class="db.m7g.large")
    db = _instance(mocks)
    key_arn = mocks.one(KEY, "db-kms-key").outputs["arn"]
    assert db["multiAz"] is True and db["deletionProtection"] is True
    assert db["backupRetentionPeriod"] == 35
    assert db["skipFinalSnapshot"] is False and db["finalSnapshotIdentifier"] == "db-final"
    assert db["kmsKeyId"] == key_arn and db["masterUserSecretKmsKeyId"] == key_arn
    assert db["performanceInsightsEnabled"] is True
    assert db["performanceInsightsKmsKeyId"] == key_arn and db["performanceInsightsRetentionPeriod"] == 7
    key = mocks.one(KEY, "db-kms-key").inputs
    assert key["enableKeyRotation"] is True and key["deletionWindowInDays"] == 30
    assert warnings == []


def test_parameter_group_requires_tls(mocks):
    _build()
    params = mocks.one(PARAMS, "db-params").inputs
    assert params["family"] == "mysql8.4"
    values = {p["name"]: p["value"] for p in params["parameters"]}
    assert values["require_secure_transport"] == "1"
    assert values["log_output"] == "FILE" and values["slow_query_log"] == "1"


def test_mariadb_family_and_log_exports(mocks):
    out = _build(engine="mariadb")
    assert mocks.one(PARAMS).inputs["family"] == "mariadb10.11"
    db = _instance(mocks)
    assert db["engine"] == "mariadb" and db["engineVersion"] == "10.11"
    assert db["enabledCloudwatchLogsExports"] == ["error", "slowquery", "audit"]
    assert out["engine"] == "mariadb"


def test_security_group_admits_clients_only(mocks):
    _build(client_security_group_ids=["sg-app", "sg-eks"])
    sg = mocks.one(SG, "db-sg").inputs
    assert sg["vpcId"] == "vpc-1" and sg["egress"] == []
    [rule] = sg["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 3306, 3306)
    assert rule["securityGroups"] == ["sg-app", "sg-eks"]
    assert "cidrBlocks" not in rule
    assert mocks.one(SUBNET_GROUP, "db-subnets").inputs["subnetIds"] == SUBNETS


def test_proxy_knows_every_user_and_clients_wait_for_its_target(mocks):
    users = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:moves", "arn:aws:secretsmanager:::secret:fleet"]
    db = _build(proxy=True, proxy_user_secret_arns=users)["component"]
    auths = mocks.one(PROXY, "db-proxy").inputs["auths"]
    assert [a["secretArn"] for a in auths] == [SECRET_ARN, *users]
    assert all(a["authScheme"] == "SECRETS" and a["iamAuth"] == "DISABLED" for a in auths)
    [grant] = harness.statements(mocks.one(ROLE_POLICY, "db-proxy-policy").inputs["policy"])
    assert grant["Resource"] == [SECRET_ARN, *users]
    assert db.proxy_target is not None and db.ready == [db.proxy_target]


def test_a_hardened_master_secret_names_the_key_its_readers_need(mocks):
    db = _build(protection="hardened")["component"]
    assert harness.resolved(db.master_secret_kms_key_arn) == mocks.one(KEY, "db-kms-key").outputs["arn"]


def test_without_a_proxy_clients_wait_for_the_instance(mocks):
    db = _build()["component"]
    assert db.ready == [db.instance] and db.master_secret_kms_key_arn is None


def test_no_clients_means_no_ingress(mocks):
    _build()
    assert mocks.one(SG, "db-sg").inputs["ingress"] == []


def test_proxy_requires_tls_and_reads_only_the_master_secret(mocks):
    out = _build(proxy=True, client_security_group_ids=["sg-app"])
    proxy = mocks.one(PROXY, "db-proxy").inputs
    assert proxy["requireTls"] is True and proxy["engineFamily"] == "MYSQL"
    assert proxy["vpcSubnetIds"] == SUBNETS and proxy["vpcSecurityGroupIds"] == ["db-sg-id"]
    [auth] = proxy["auths"]
    assert auth["authScheme"] == "SECRETS" and auth["secretArn"] == SECRET_ARN
    assert proxy["roleArn"] == mocks.one(ROLE, "db-proxy-role").outputs["arn"]
    assume = json.loads(mocks.one(ROLE, "db-proxy-role").inputs["assumeRolePolicy"])
    assert assume["Statement"][0]["Principal"] == {"Service": "rds.amazonaws.com"}
    assert assume["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": harness.ACCOUNT}}
    policy = mocks.one(ROLE_POLICY, "db-proxy-policy")
    assert policy.inputs["role"] == "db-proxy-role-id"
    assert harness.statements(policy.inputs["policy"]) == [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [SECRET_ARN]}
    ]
    assert mocks.one(TARGET_GROUP, "db-proxy-target-group").inputs["dbProxyName"] == "db-proxy"
    target = mocks.one(TARGET, "db-proxy-target").inputs
    assert target["dbProxyName"] == "db-proxy" and target["targetGroupName"] == "db-proxy-target-group"
    # The proxy shares the database group and reaches the database through a self rule.
    sg = mocks.one(SG, "db-sg").inputs
    assert any(r.get("self") is True and r["fromPort"] == 3306 for r in sg["ingress"])
    assert [(r["fromPort"], r.get("self")) for r in sg["egress"]] == [(3306, True)]
    assert out["proxy"] == "db-proxy.proxy.rds.local"


def test_proxy_may_decrypt_with_the_customer_key(mocks):
    _build(proxy=True, kms_key=True)
    statements = harness.statements(mocks.one(ROLE_POLICY, "db-proxy-policy").inputs["policy"])
    key_arn = mocks.one(KEY, "db-kms-key").outputs["arn"]
    assert {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn} in statements


def test_storage_autoscaling(mocks):
    _build(allocated_storage_gb=50, max_allocated_storage_gb=200)
    db = _instance(mocks)
    assert (db["allocatedStorage"], db["maxAllocatedStorage"]) == (50, 200)


def test_children_are_named_by_role_and_parented(mocks):
    _build(protection="hardened", proxy=True)
    assert harness.child_names(mocks, COMPONENT, "db") == sorted(
        f"db-{role}"
        for role in (
            "kms-key",
            "subnets",
            "sg",
            "params",
            "instance",
            "proxy-role",
            "proxy-policy",
            "proxy",
            "proxy-target-group",
            "proxy-target",
        )
    )


def test_transform_overrides_a_child(mocks):
    _build(transforms={"instance": lambda props: {**props, "storage_type": "io2", "iops": 3000}})
    db = _instance(mocks)
    assert (db["storageType"], db["iops"]) == ("io2", 3000)


def test_unknown_transform_role_is_rejected(mocks):
    with pytest.raises(ValueError, match="transforms: unknown child role"):
        _build(transforms={"proxy": lambda props: props})  # no proxy was built


def test_hardened_weakened_defaults_warn(mocks, warnings):
    _build(
        protection="hardened",
        instance_class="db.r7g.large",
        multi_az=False,
        deletion_protection=False,
        skip_final_snapshot=True,
        backup_retention_days=14,
        performance_insights=False,
        kms_key=False,
    )
    db = _instance(mocks)
    assert db["multiAz"] is False and db["deletionProtection"] is False
    assert db["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in db
    assert db["backupRetentionPeriod"] == 14 and db["performanceInsightsEnabled"] is False
    assert mocks.of_type(KEY) == []
    settings = ("multi_az", "deletion_protection", "skip_final_snapshot", "backup_retention_days")
    settings += ("performance_insights", "kms_key")
    assert len(warnings) == len(settings)
    for setting in settings:
        assert any(w.startswith(f"DatabaseComponent: {setting} ") for w in warnings), setting


def test_stronger_choices_in_standard_do_not_warn(mocks, warnings):
    _build(multi_az=True, deletion_protection=True, skip_final_snapshot=False, backup_retention_days=35, kms_key=True)
    db = _instance(mocks)
    assert db["multiAz"] is True and db["deletionProtection"] is True
    assert db["finalSnapshotIdentifier"] == "db-final" and db["backupRetentionPeriod"] == 35
    assert mocks.one(KEY, "db-kms-key")
    assert warnings == []


def test_final_snapshot_identifier_is_stable_and_valid(mocks):
    def program() -> None:
        DatabaseComponent("Retail_DB", _args(protection="hardened"))

    harness.run(program)
    assert mocks.one(INSTANCE).inputs["finalSnapshotIdentifier"] == "retail-db-final"


def test_helpers():
    assert parameter_group_family("mysql", "8.0.39") == "mysql8.0"
    assert parameter_group_family("mariadb", "11.4") == "mariadb11.4"
    assert not performance_insights_supported("db.t4g.micro")
    assert not performance_insights_supported("db.t3.small")
    assert performance_insights_supported("db.t4g.medium")
    assert performance_insights_supported("db.r7g.large")


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"protection": "prod"}, "protection"),
        ({"engine": "postgres"}, "engine"),
        ({"engine_version": "eight"}, "engine_version"),
        ({"engine_version": "5.7"}, "engine_version"),
        ({"engine": "mariadb", "engine_version": "10.4"}, "engine_version"),
        ({"instance_class": "t4g.micro"}, "instance_class"),
        ({"allocated_storage_gb": 19}, "allocated_storage_gb"),
        ({"allocated_storage_gb": 65537}, "allocated_storage_gb"),
        ({"allocated_storage_gb": True}, "allocated_storage_gb"),
        ({"allocated_storage_gb": 100, "max_allocated_storage_gb": 50}, "max_allocated_storage_gb"),
        ({"max_allocated_storage_gb": 70000}, "max_allocated_storage_gb"),
        ({"backup_retention_days": 6}, "backup_retention_days"),
        ({"backup_retention_days": 0}, "backup_retention_days"),
        ({"backup_retention_days": 36}, "backup_retention_days"),
        ({"subnet_ids": ["subnet-a"]}, "subnet_ids"),
        ({"client_security_group_ids": "sg-app"}, "client_security_group_ids"),
        ({"performance_insights": True}, "performance_insights"),  # not on db.t4g.micro
        ({"proxy_user_secret_arns": ["arn:aws:secretsmanager:::secret:a"]}, "proxy_user_secret_arns"),
    ],
)
def test_invalid_arguments_are_rejected(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}:"):
        _args(**kwargs)
