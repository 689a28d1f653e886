"""KubernetesClusterComponent and KubernetesServiceComponent under the strict recording mocks."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pulumi
import pytest

from aws_systems import defaults
from aws_systems.kube_apply import apply
from aws_systems.kube_apply.kube import ref_of
from aws_systems.kubernetes import (
    NODE_PORT_RANGE,
    KubernetesClusterArgs,
    KubernetesClusterComponent,
    KubernetesServiceArgs,
    KubernetesServiceComponent,
    context_hash,
    fitted_name,
)
from tests import harness

VPC = "vpc-123"
SUBNETS = ["subnet-a", "subnet-b"]
EKS = "eks:index:Cluster"
INVOCATION = "aws:lambda/invocation:Invocation"
IMAGE = "repo/users@sha256:1"


@pytest.fixture
def context(tmp_path: Path) -> Path:
    """A minimal build context with a Dockerfile."""
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY app.py /app/\n")
    (tmp_path / "app.py").write_text("print('users')\n")
    return tmp_path


def cluster_args(**overrides: Any) -> KubernetesClusterArgs:
    return KubernetesClusterArgs(**{"vpc_id": VPC, "private_subnet_ids": SUBNETS, **overrides})


def make_cluster(**overrides: Any) -> KubernetesClusterComponent:
    return KubernetesClusterComponent("shop", cluster_args(**overrides))


def service_args(cluster: KubernetesClusterComponent, **overrides: Any) -> KubernetesServiceArgs:
    base: dict[str, Any] = {"cluster": cluster, "vpc_id": VPC, "subnet_ids": SUBNETS, "image_uri": IMAGE}
    return KubernetesServiceArgs(**{**base, **overrides})


def make_service(
    service: dict[str, Any] | None = None, cluster: dict[str, Any] | None = None, name: str = "users"
) -> KubernetesServiceComponent:
    c = make_cluster(**(cluster or {}))
    return KubernetesServiceComponent(name, service_args(c, **(service or {})))


def resolve(build: Any, *attrs: str) -> dict[str, Any]:
    """Build under the mocks and return the resolved values of the component's output attributes."""
    values: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        component = build()
        outputs = [getattr(component, a) for a in attrs]
        return pulumi.Output.all(*outputs).apply(lambda v: values.update(zip(attrs, v, strict=True)))

    harness.run(program)
    return values


def applied(mocks: harness.RecordingMocks) -> dict[str, Any]:
    """The input the apply function is invoked with."""
    return json.loads(mocks.one(INVOCATION).inputs["input"])


def kinds(mocks: harness.RecordingMocks) -> list[str]:
    return [m["kind"] for m in applied(mocks)["manifests"]]


def manifest(mocks: harness.RecordingMocks, kind: str) -> dict[str, Any]:
    [found] = [m for m in applied(mocks)["manifests"] if m["kind"] == kind]
    return found


def pod_spec(mocks: harness.RecordingMocks) -> dict[str, Any]:
    return manifest(mocks, "Deployment")["spec"]["template"]["spec"]


# ======================================================================================================== cluster
def test_cluster_secure_defaults_standard(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    harness.run(make_cluster)
    c = mocks.one(EKS, "shop-cluster").inputs
    key = mocks.one("aws:kms/key:Key", "shop-secrets-key")
    assert c["endpointPrivateAccess"] is True
    assert c["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in c
    assert c["createOidcProvider"] is True
    assert c["encryptionConfigKeyArn"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    assert c["enabledClusterLogTypes"] == list(defaults.EKS_CONTROL_PLANE_LOGS)
    assert c["nodeSubnetIds"] == SUBNETS and c["privateSubnetIds"] == SUBNETS
    assert c["nodeAssociatePublicIpAddress"] is False
    assert c["nodeRootVolumeEncrypted"] is True
    assert c["authenticationMode"] == "API"
    assert c["name"] == "shop-dev" and c["version"] == "1.36" and c["instanceType"] == "t3.medium"
    assert (c["minSize"], c["desiredCapacity"], c["maxSize"]) == (1, 1, 2)
    assert c["deletionProtection"] is False
    logs = mocks.one("aws:cloudwatch/logGroup:LogGroup", "shop-log-group").inputs
    assert logs == {"name": "/aws/eks/shop-dev/cluster", "retentionInDays": defaults.log_retention_days("standard")}
    assert [r.type for r in mocks.resources if r.type.startswith("pulumi:providers:")] == []
    assert warnings == []


def test_cluster_hardened_sizing_and_protection(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_cluster(protection="hardened"))
    c = mocks.one(EKS).inputs
    assert (c["minSize"], c["desiredCapacity"], c["maxSize"]) == (2, 3, 6)
    assert c["deletionProtection"] is True
    assert mocks.one("aws:kms/key:Key").inputs["deletionWindowInDays"] == defaults.KMS_KEY_DELETION_WINDOW_DAYS
    assert mocks.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 365


def test_cluster_explicit_node_counts_and_name(mocks: harness.RecordingMocks) -> None:
    harness.run(
        lambda: make_cluster(desired_nodes=4, min_nodes=3, max_nodes=8, cluster_name="shop-eks", log_retention_days=30)
    )
    c = mocks.one(EKS).inputs
    assert (c["minSize"], c["desiredCapacity"], c["maxSize"]) == (3, 4, 8)
    assert c["name"] == "shop-eks"
    assert mocks.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 30


def test_cluster_children_are_named_by_role_and_parented(mocks: harness.RecordingMocks) -> None:
    harness.run(make_cluster)
    children = harness.child_names(mocks, "awssystems:kubernetes:KubernetesClusterComponent", "shop")
    assert children == ["shop-cluster", "shop-log-group", "shop-secrets-key"]


def test_cluster_outputs(mocks: harness.RecordingMocks) -> None:
    out = resolve(
        make_cluster,
        "cluster_name",
        "oidc_provider_arn",
        "oidc_provider_url",
        "node_security_group_id",
        "node_group_asg_name",
        "endpoint",
        "certificate_authority",
        "cluster_security_group_id",
    )
    assert out["cluster_name"] == "shop-dev"
    assert out["endpoint"] == "https://mock.eks.local"  # from the kubeconfig pulumi-eks builds
    assert out["certificate_authority"] == harness.KUBECONFIG["clusters"][0]["cluster"]["certificate-authority-data"]
    assert out["cluster_security_group_id"] == "sg-shop-cluster-cluster"
    assert out["oidc_provider_arn"].startswith("arn:aws:iam::") and ":oidc-provider/" in out["oidc_provider_arn"]
    assert out["oidc_provider_url"] == "oidc.eks.us-east-1.amazonaws.com/id/shop-cluster"
    assert out["node_security_group_id"] == "sg-shop-cluster-nodes"
    assert out["node_group_asg_name"] == "shop-cluster-asg"


def test_public_endpoint_warns_and_passes_cidrs(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    harness.run(lambda: make_cluster(endpoint_public_access=True, public_access_cidrs=["203.0.113.0/24"]))
    c = mocks.one(EKS).inputs
    assert c["endpointPublicAccess"] is True and c["endpointPrivateAccess"] is True
    assert c["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert len(warnings) == 1 and "endpoint_public_access" in warnings[0]


def test_public_endpoint_open_to_the_world_warns_twice(mocks: harness.RecordingMocks, warnings: list[str]) -> None:
    harness.run(lambda: make_cluster(endpoint_public_access=True))
    assert len(warnings) == 2 and "0.0.0.0/0" in warnings[1]


def test_api_access_cidrs_open_only_https_to_the_cluster_security_group(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_cluster(api_access_cidrs=["10.20.0.0/16", "fd00::/8"]))
    v4 = mocks.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "shop-api-access-10-20-0-0-16")
    v6 = mocks.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "shop-api-access-fd00---8")
    assert v4.inputs["securityGroupId"] == "sg-shop-cluster-cluster"
    assert (v4.inputs["cidrIpv4"], v4.inputs["ipProtocol"], v4.inputs["fromPort"], v4.inputs["toPort"]) == (
        "10.20.0.0/16",
        "tcp",
        443,
        443,
    )
    assert v6.inputs["cidrIpv6"] == "fd00::/8" and "cidrIpv4" not in v6.inputs
    assert {v4.parent_name, v6.parent_name} == {"shop"}


def test_cluster_transform_overrides_a_child(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_cluster(transforms={"cluster": lambda p: {**p, "instance_type": "m7i.large"}}))
    assert mocks.one(EKS).inputs["instanceType"] == "m7i.large"


@pytest.mark.parametrize(
    ("overrides", "arg"),
    [
        ({"protection": "prod"}, "protection"),
        ({"desired_nodes": 0}, "desired_nodes"),
        ({"min_nodes": 0}, "min_nodes"),
        ({"desired_nodes": 2, "min_nodes": 3}, "min_nodes"),
        ({"desired_nodes": 3, "max_nodes": 2}, "max_nodes"),
        ({"protection": "hardened", "max_nodes": 2}, "max_nodes"),
        ({"public_access_cidrs": ["10.0.0.0/8"]}, "public_access_cidrs"),
        ({"endpoint_public_access": True, "public_access_cidrs": ["not-a-cidr"]}, "public_access_cidrs"),
        ({"api_access_cidrs": ["10.0.0.0/33"]}, "api_access_cidrs"),
        ({"api_access_cidrs": "10.0.0.0/8"}, "api_access_cidrs"),
        ({"api_access_cidrs": ["10.0.0.0/8", "10.0.0.0/8"]}, "api_access_cidrs"),
        ({"version": "latest"}, "version"),
        ({"node_instance_type": "medium"}, "node_instance_type"),
        ({"log_retention_days": 10}, "log_retention_days"),
        ({"cluster_name": "-bad name"}, "cluster_name"),
    ],
)
def test_cluster_args_validation(overrides: dict[str, Any], arg: str) -> None:
    with pytest.raises(ValueError, match=rf"^{arg}:"):
        cluster_args(**overrides)


def test_cluster_unknown_transform_role_is_refused(mocks: harness.RecordingMocks) -> None:
    with pytest.raises(ValueError, match=r"^transforms: unknown child role\(s\) nodes"):
        harness.run(lambda: make_cluster(transforms={"nodes": lambda p: p}))


# ======================================================================================================== service
def test_irsa_role_trusts_exactly_the_service_account(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_service({"namespace": "shop"}))
    policy = json.loads(mocks.one("aws:iam/role:Role", "users-role").inputs["assumeRolePolicy"])
    [statement] = policy["Statement"]
    issuer = "oidc.eks.us-east-1.amazonaws.com/id/shop-cluster"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::{harness.ACCOUNT}:oidc-provider/{issuer}"}
    assert statement["Condition"] == {
        "StringEquals": {
            f"{issuer}:sub": "system:serviceaccount:shop:users",
            f"{issuer}:aud": "sts.amazonaws.com",
        }
    }
    assert not [p for p in mocks.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == "users-role-id"]
    sa = manifest(mocks, "ServiceAccount")
    assert sa["metadata"]["name"] == "users" and sa["metadata"]["namespace"] == "shop"
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == mocks.named("users-role").outputs["arn"]
    assert sa["automountServiceAccountToken"] is False
    assert pod_spec(mocks)["serviceAccountName"] == "users"


def test_policy_statements_become_the_role_policy(mocks: harness.RecordingMocks) -> None:
    statement = {"Effect": "Allow", "Action": ["cognito-idp:AdminGetUser"], "Resource": "arn:aws:cognito-idp:x"}
    harness.run(lambda: make_service({"policy_statements": [statement]}))
    policy = mocks.one("aws:iam/rolePolicy:RolePolicy", "users-role-policy").inputs
    assert harness.statements(policy["policy"]) == [statement]
    assert policy["role"] == "users-role-id"


def test_deployment_is_hardened_standard(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_service({"environment": {"USER_POOL_ID": "pool", "DB_SECRET_ARN": "arn:secret"}}))
    deployment = manifest(mocks, "Deployment")
    spec = pod_spec(mocks)
    [container] = spec["containers"]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["metadata"]["namespace"] == "users"
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert spec["automountServiceAccountToken"] is False
    assert container["securityContext"] == {
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert container["env"] == [
        {"name": "DB_SECRET_ARN", "value": "arn:secret"},
        {"name": "USER_POOL_ID", "value": "pool"},
    ]
    assert container["image"] == "repo/users@sha256:1"
    assert "topologySpreadConstraints" not in spec
    assert kinds(mocks) == ["Namespace", "ServiceAccount", "Deployment", "Service"]  # one replica: no budget


def test_hardened_service_spreads_replicas_with_a_disruption_budget(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_service({"protection": "hardened"}))
    assert manifest(mocks, "Deployment")["spec"]["replicas"] == 2
    keys = [t["topologyKey"] for t in pod_spec(mocks)["topologySpreadConstraints"]]
    assert keys == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    pdb = manifest(mocks, "PodDisruptionBudget")
    assert pdb["metadata"]["name"] == "users" and pdb["metadata"]["namespace"] == "users"
    assert pdb["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "users"}}}
    assert mocks.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is True
    assert mocks.one("aws:ecr/repository:Repository").inputs["forceDelete"] is False


def test_custom_probes_resources_and_replicas(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_service({"replicas": 3, "health_path": "/ready", "cpu_limit": "1", "port": 9000}))
    [container] = pod_spec(mocks)["containers"]
    assert manifest(mocks, "Deployment")["spec"]["replicas"] == 3
    assert container["livenessProbe"]["httpGet"]["path"] == "/ready"
    assert container["resources"]["limits"]["cpu"] == "1"
    assert mocks.one("aws:lb/listener:Listener").inputs["port"] == 9000
    assert mocks.one("aws:lb/targetGroup:TargetGroup").inputs["healthCheck"]["path"] == "/ready"


def test_namespace_enforces_restricted_pod_security(mocks: harness.RecordingMocks) -> None:
    harness.run(make_service)
    ns = manifest(mocks, "Namespace")["metadata"]
    assert ns["name"] == "users"
    assert ns["labels"] == {f"pod-security.kubernetes.io/{m}": "restricted" for m in ("enforce", "warn", "audit")}


def test_nothing_talks_to_the_kubernetes_api_from_where_pulumi_runs(mocks: harness.RecordingMocks) -> None:
    """No Kubernetes provider and no Kubernetes resource: the objects are manifests the apply function applies."""
    harness.run(make_service)
    assert [r.name for r in mocks.resources if r.type.startswith(("kubernetes:", "pulumi:providers:kubernetes"))] == []
    assert kinds(mocks) == ["Namespace", "ServiceAccount", "Deployment", "Service"]


# --- the apply function ------------------------------------------------------------------------------------
def test_apply_function_runs_in_the_private_subnets_with_least_privilege(
    mocks: harness.RecordingMocks, tmp_path: Path
) -> None:
    harness.run(lambda: make_service({"build_dir": tmp_path}))
    fn = mocks.one("aws:lambda/function:Function", "users-apply").inputs
    assert fn["runtime"] == "python3.12" and fn["handler"] == "aws_systems.kube_apply.apply.handler"
    assert fn["timeout"] == 900 and fn["tracingConfig"] == {"mode": "Active"}
    assert fn["vpcConfig"] == {"subnetIds": SUBNETS, "securityGroupIds": ["users-apply-sg-id"]}
    assert fn["role"] == mocks.named("users-apply-role").outputs["arn"]
    logs = mocks.named("users-apply-logs")
    assert fn["loggingConfig"] == {"logFormat": "JSON", "logGroup": logs.outputs["name"]}
    assert logs.inputs["retentionInDays"] == defaults.log_retention_days("standard")
    trust = json.loads(mocks.named("users-apply-role").inputs["assumeRolePolicy"])["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    policy = mocks.named("users-apply-policy").inputs
    assert policy["role"] == mocks.named("users-apply-role").outputs["name"]
    granted = {
        (st["Sid"], a, r) for st in harness.statements(policy["policy"]) for a in st["Action"] for r in st["Resource"]
    }
    assert {sid for sid, _, _ in granted} == {"Logs", "Tracing", "VpcAccess"}  # no AWS API beyond these
    assert {(a, r) for sid, a, r in granted if sid == "Logs"} == {
        ("logs:CreateLogStream", f"{logs.outputs['arn']}:*"),
        ("logs:PutLogEvents", f"{logs.outputs['arn']}:*"),
    }


def test_apply_function_reaches_the_api_server_on_443_only(mocks: harness.RecordingMocks) -> None:
    harness.run(make_service)

    def rule(name: str) -> tuple[Any, ...]:
        i = mocks.named(name).inputs
        return i["securityGroupId"], i["referencedSecurityGroupId"], i["ipProtocol"], i["fromPort"], i["toPort"]

    assert rule("users-apply-egress") == ("users-apply-sg-id", "sg-shop-cluster-cluster", "tcp", 443, 443)
    assert rule("users-apply-api-ingress") == ("sg-shop-cluster-cluster", "users-apply-sg-id", "tcp", 443, 443)
    sg = mocks.named("users-apply-sg").inputs
    assert sg["vpcId"] == VPC and "ingress" not in sg and "egress" not in sg


def test_cluster_access_is_an_access_entry_scoped_to_the_namespace(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_service({"namespace": "shop"}))
    role_arn = mocks.named("users-apply-role").outputs["arn"]
    entry = mocks.one("aws:eks/accessEntry:AccessEntry", "users-apply-access").inputs
    assert entry == {"clusterName": "shop-dev", "principalArn": role_arn, "type": "STANDARD"}
    association = mocks.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs
    assert association == {
        "clusterName": "shop-dev",
        "principalArn": role_arn,
        "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        "accessScope": {"type": "namespace", "namespaces": ["shop"]},
    }


def test_the_invocation_hands_the_manifests_and_the_cluster_to_the_function(mocks: harness.RecordingMocks) -> None:
    out = resolve(make_service, "manifests", "namespace")
    invocation = mocks.one(INVOCATION, "users-apply-run")
    payload = applied(mocks)
    assert set(payload) == {"manifests", "kubernetes_version", "apply_set", "cluster"}
    assert payload["manifests"] == out["manifests"] and out["namespace"] == "users"
    assert payload["kubernetes_version"] == "1.36" and payload["apply_set"] == "users"
    assert payload["cluster"] == {"name": "shop-dev", "endpoint": "https://mock.eks.local", "certificate_authority": ""}
    assert invocation.inputs["functionName"] == mocks.named("users-apply").outputs["name"]
    assert invocation.inputs["lifecycleScope"] == "CRUD"
    assert invocation.inputs["triggers"] == {"code": mocks.named("users-apply").inputs["sourceCodeHash"]}
    waits_for = {urn.rsplit("::", 1)[-1] for urn in invocation.dependencies}
    assert {"users-apply-access-policy", "users-apply-egress", "users-apply-api-ingress", "shop-cluster"} <= waits_for


def test_the_apply_function_accepts_what_the_component_sends(mocks: harness.RecordingMocks) -> None:
    """The handler's own input check passes on the invocation's input (with a CA, which the mocks leave empty)."""
    harness.run(lambda: make_service({"protection": "hardened"}))
    payload = applied(mocks)
    ca = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()
    request = apply.parse({**payload, "cluster": {**payload["cluster"], "certificate_authority": ca}})
    assert [str(ref_of(m)) for m in request.manifests] == [
        "Namespace users",
        "ServiceAccount users/users",
        "Deployment users/users",
        "Service users/users",
        "PodDisruptionBudget users/users",
    ]


def test_the_apply_code_archive_holds_the_apply_function_only(mocks: harness.RecordingMocks, tmp_path: Path) -> None:
    harness.run(lambda: make_service({"build_dir": tmp_path}))
    fn = mocks.one("aws:lambda/function:Function", "users-apply").inputs
    archive = Path(fn["code"].path)
    assert archive.parent == tmp_path
    digest = base64.b64encode(hashlib.sha256(archive.read_bytes()).digest()).decode()
    assert fn["sourceCodeHash"] == digest
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    assert "aws_systems/kube_apply/apply.py" in names and "aws_systems/__init__.py" in names
    assert {n.split("/")[1] for n in names if n.count("/") > 1} == {"kube_apply"}  # no other library code


def test_node_port_service_nlb_listener_and_vpc_link(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_service({"node_port": 30080}))
    service = manifest(mocks, "Service")["spec"]
    assert service["type"] == "NodePort"
    assert service["selector"] == {"app.kubernetes.io/name": "users"}
    assert service["ports"] == [
        {"name": "http", "protocol": "TCP", "port": 8080, "targetPort": "http", "nodePort": 30080}
    ]
    nlb = mocks.one("aws:lb/loadBalancer:LoadBalancer", "users-nlb")
    nlb_sg = mocks.named("users-nlb-sg")
    link_sg = mocks.named("users-vpc-link-sg")
    assert nlb.inputs["loadBalancerType"] == "network" and nlb.inputs["internal"] is True
    assert nlb.inputs["subnets"] == SUBNETS and nlb.inputs["securityGroups"] == ["users-nlb-sg-id"]
    tg = mocks.one("aws:lb/targetGroup:TargetGroup", "users-target-group").inputs
    assert (tg["targetType"], tg["protocol"], tg["port"], tg["vpcId"]) == ("instance", "TCP", 30080, VPC)
    assert tg["preserveClientIp"] == "false"
    assert tg["healthCheck"]["protocol"] == "HTTP" and tg["healthCheck"]["port"] == "traffic-port"
    listener = mocks.one("aws:lb/listener:Listener", "users-listener").inputs
    assert listener["loadBalancerArn"] == nlb.outputs["arn"] and listener["protocol"] == "TCP"
    assert listener["defaultActions"] == [
        {"type": "forward", "targetGroupArn": mocks.named("users-target-group").outputs["arn"]}
    ]
    attachment = mocks.one("aws:autoscaling/attachment:Attachment", "users-asg-attachment").inputs
    assert attachment["autoscalingGroupName"] == "shop-cluster-asg"
    link = mocks.one("aws:apigatewayv2/vpcLink:VpcLink", "users-vpc-link").inputs
    assert link["subnetIds"] == SUBNETS and link["securityGroupIds"] == ["users-vpc-link-sg-id"]
    assert nlb_sg.inputs["vpcId"] == link_sg.inputs["vpcId"] == VPC
    assert "ingress" not in nlb_sg.inputs and "egress" not in nlb_sg.inputs


def test_security_groups_open_only_the_needed_ports(mocks: harness.RecordingMocks) -> None:
    harness.run(lambda: make_service({"node_port": 30080}))

    def rule(name: str) -> tuple[Any, ...]:
        i = mocks.named(name).inputs
        return i["securityGroupId"], i["referencedSecurityGroupId"], i["ipProtocol"], i["fromPort"], i["toPort"]

    nodes = "sg-shop-cluster-nodes"
    assert rule("users-vpc-link-egress") == ("users-vpc-link-sg-id", "users-nlb-sg-id", "tcp", 8080, 8080)
    assert rule("users-nlb-ingress") == ("users-nlb-sg-id", "users-vpc-link-sg-id", "tcp", 8080, 8080)
    assert rule("users-nlb-egress") == ("users-nlb-sg-id", nodes, "tcp", 30080, 30080)
    assert rule("users-node-ingress") == (nodes, "users-nlb-sg-id", "tcp", 30080, 30080)
    assert not [r for r in mocks.resources if "cidrIpv4" in r.inputs]


def test_derived_node_port_is_stable_and_in_range(mocks: harness.RecordingMocks) -> None:
    ports: list[int] = []
    harness.run(lambda: ports.extend([make_service().node_port]))
    low, high = NODE_PORT_RANGE
    assert low <= ports[0] <= high
    assert mocks.one("aws:lb/targetGroup:TargetGroup").inputs["port"] == ports[0]
    mocks2 = harness.install()
    harness.run(lambda: ports.extend([make_service().node_port, make_service(name="orders").node_port]))
    assert ports[1] == ports[0] and ports[2] != ports[0]
    assert mocks2.one("aws:lb/targetGroup:TargetGroup", "orders-target-group").inputs["port"] == ports[2]


# The longest name AWS accepts for each type the service creates; auto-naming adds "-" and 7 characters.
AWS_NAME_LIMITS = {
    "aws:lb/loadBalancer:LoadBalancer": 32,
    "aws:lb/targetGroup:TargetGroup": 32,
    "aws:iam/role:Role": 64,
    "aws:iam/rolePolicy:RolePolicy": 128,
    "aws:lambda/function:Function": 64,
    "aws:ec2/securityGroup:SecurityGroup": 255,
    "aws:ecr/repository:Repository": 256,
    "aws:apigatewayv2/vpcLink:VpcLink": 128,
    "aws:cloudwatch/logGroup:LogGroup": 512,
}
LONGEST_NAME = "customer-profiles-preferences-and-loyalty-programme-service-api"  # 63: the longest DNS label


def test_every_aws_name_fits_with_the_longest_instance_name(mocks: harness.RecordingMocks) -> None:
    assert len(LONGEST_NAME) == 63
    statement = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:x"}
    harness.run(lambda: make_service({"policy_statements": [statement]}, name=LONGEST_NAME))
    named = [r for r in mocks.resources if r.type in AWS_NAME_LIMITS]
    assert {r.type for r in named} == set(AWS_NAME_LIMITS)  # the table covers what the service creates
    for r in named:
        final = r.inputs.get("name") or f"{r.name}-1234567"
        assert len(final) <= AWS_NAME_LIMITS[r.type], (r.type, final)
    nlb = mocks.one("aws:lb/loadBalancer:LoadBalancer").inputs["name"]
    tg = mocks.one("aws:lb/targetGroup:TargetGroup").inputs["name"]
    assert re.fullmatch(r"customer-profiles-prefe-[0-9a-f]{8}", nlb) and nlb != tg
    assert re.fullmatch(r"[A-Za-z0-9-]+", nlb) and not nlb.startswith("-") and not nlb.endswith("-")


def test_fitted_names_are_stable_distinct_per_stack_and_follow_replacements() -> None:
    def name(stack: str, logical: str, *replaced_by: object) -> str:
        harness.install(stack=stack)
        return fitted_name(logical, 32, *replaced_by)

    long = "shop-users-workload-target-group"
    assert name("dev", long) == name("dev", long)
    assert len(name("dev", long)) == 32 and name("dev", long).startswith("shop-users-workload-tar-")
    assert name("dev", long) != name("qa", long)
    assert name("dev", long) != name("dev", long + "-2")  # same first 23 characters, different children
    assert name("dev", long, "TCP", 30080) != name("dev", long, "TCP", 30081)
    assert name("dev", "users-nlb").startswith("users-nlb-")
    with pytest.raises(ValueError, match=r"^limit:"):
        fitted_name(long, 9)


def test_target_group_name_changes_with_the_node_port(mocks: harness.RecordingMocks) -> None:
    """A new node port replaces the target group: the replacement needs a name the old one does not hold."""
    names = []
    for port in (30080, 30081, 30080):
        runs = harness.install()
        harness.run(lambda port=port: make_service({"node_port": port}))
        names.append(runs.one("aws:lb/targetGroup:TargetGroup").inputs["name"])
    assert names[0] != names[1] and names[0] == names[2]


def test_ecr_repository_defaults(mocks: harness.RecordingMocks) -> None:
    harness.run(make_service)
    repo = mocks.one("aws:ecr/repository:Repository", "users-repo").inputs
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS"}]
    assert repo["forceDelete"] is True
    lifecycle = mocks.one("aws:ecr/lifecyclePolicy:LifecyclePolicy", "users-lifecycle-policy").inputs
    [rule] = json.loads(lifecycle["policy"])["rules"]
    assert rule["selection"]["countType"] == "imageCountMoreThan"
    assert rule["selection"]["countNumber"] == defaults.ECR_KEEP_LAST_IMAGES
    assert rule["action"] == {"type": "expire"}


def test_image_uri_means_no_build(mocks: harness.RecordingMocks) -> None:
    out = resolve(make_service, "image_ref", "repository_url")
    assert mocks.of_type("docker-build:index:Image") == []
    assert "aws:ecr/getAuthorizationToken:getAuthorizationToken" not in mocks.calls
    assert out["image_ref"] == "repo/users@sha256:1"
    assert out["repository_url"].endswith(".dkr.ecr.us-east-1.amazonaws.com/users-repo")


def test_build_context_is_built_and_pushed_with_a_content_tag(mocks: harness.RecordingMocks, context: Path) -> None:
    out = resolve(lambda: make_service({"image_uri": None, "build_context": context}), "image_ref")
    image = mocks.one("docker-build:index:Image", "users-image").inputs
    url = f"{harness.ACCOUNT}.dkr.ecr.{harness.REGION}.amazonaws.com/users-repo"
    tag = context_hash(context.resolve(), "Dockerfile", "linux/amd64")
    assert image["tags"] == [f"{url}:{tag}"]
    assert not image["tags"][0].endswith(":latest")
    assert image["push"] is True and image["platforms"] == ["linux/amd64"]
    assert image["context"] == {"location": str(context.resolve()), "named": {}}
    assert image["dockerfile"] == {"location": str(context.resolve() / "Dockerfile")}
    assert image["registries"] == [{"address": url, "username": "AWS", "password": "mock-token"}]
    assert out["image_ref"].startswith(f"{url}:{tag}@sha256:")
    [container] = pod_spec(mocks)["containers"]
    assert container["image"] == out["image_ref"]


def test_context_hash_follows_content_and_dockerignore(context: Path) -> None:
    first = context_hash(context, "Dockerfile", "linux/amd64")
    assert first == context_hash(context, "Dockerfile", "linux/amd64")
    assert first != context_hash(context, "Dockerfile", "linux/arm64")
    (context / ".dockerignore").write_text("# local junk\n__pycache__\n*.log\n")
    ignored = context_hash(context, "Dockerfile", "linux/amd64")
    (context / "debug.log").write_text("noise")
    (context / "__pycache__").mkdir()
    (context / "__pycache__" / "app.pyc").write_bytes(b"\0")
    assert context_hash(context, "Dockerfile", "linux/amd64") == ignored
    (context / "app.py").write_text("print('changed')\n")
    assert context_hash(context, "Dockerfile", "linux/amd64") != ignored


def test_named_contexts_reach_the_build_and_count_in_the_tag(
    mocks: harness.RecordingMocks, context: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "declarations"
    shared.mkdir()
    (shared / "spec.py").write_text("ROUTES = 1\n")
    resolve(lambda: make_service({"image_uri": None, "build_context": context, "named_contexts": {"decl": shared}}))
    image = mocks.one("docker-build:index:Image", "users-image").inputs
    assert image["context"]["named"] == {"decl": {"location": str(shared.resolve())}}
    first = context_hash(context, "Dockerfile", "linux/amd64", {"decl": shared})
    assert image["tags"][0].endswith(f":{first}")
    (shared / "spec.py").write_text("ROUTES = 2\n")
    assert context_hash(context, "Dockerfile", "linux/amd64", {"decl": shared}) != first
    with pytest.raises(ValueError, match=r"named_contexts.decl: must be an existing directory"):
        make_service({"image_uri": None, "build_context": context, "named_contexts": {"decl": tmp_path / "nope"}})


def test_service_outputs(mocks: harness.RecordingMocks) -> None:
    out = resolve(make_service, "role_arn", "listener_arn", "vpc_link_id", "namespace")
    assert out["role_arn"].endswith(":users-role")
    assert out["listener_arn"].endswith(":users-listener")
    assert out["vpc_link_id"] == "users-vpc-link-id"
    assert out["namespace"] == "users"


def test_service_children_are_named_by_role_and_parented(mocks: harness.RecordingMocks) -> None:
    harness.run(
        lambda: make_service(
            {
                "protection": "hardened",
                "policy_statements": [
                    {
                        "Effect": "Allow",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": "arn:aws:secretsmanager:x",
                    }
                ],
            }
        )
    )
    children = [r for r in mocks.resources if r.parent_name == "users"]
    roles = sorted(r.name.removeprefix("users-") for r in children)
    assert roles == sorted(
        [
            "repo",
            "lifecycle-policy",
            "role",
            "role-policy",
            "vpc-link-sg",
            "nlb-sg",
            "vpc-link-egress",
            "nlb-ingress",
            "nlb-egress",
            "node-ingress",
            "nlb",
            "target-group",
            "listener",
            "asg-attachment",
            "vpc-link",
            "apply-sg",
            "apply-egress",
            "apply-api-ingress",
            "apply-logs",
            "apply-role",
            "apply-policy",
            "apply",
            "apply-access",
            "apply-access-policy",
            "apply-run",
        ]
    )
    assert kinds(mocks) == ["Namespace", "ServiceAccount", "Deployment", "Service", "PodDisruptionBudget"]
    assert mocks.one("awssystems:kubernetes:KubernetesServiceComponent", "users").parent_name != "shop"


def test_service_transform_overrides_the_deployment(mocks: harness.RecordingMocks) -> None:
    def more_replicas(props: dict[str, Any]) -> dict[str, Any]:
        return {**props, "spec": {**props["spec"], "replicas": 5}}

    harness.run(lambda: make_service({"transforms": {"deployment": more_replicas}}))
    assert manifest(mocks, "Deployment")["spec"]["replicas"] == 5


def test_service_unknown_transform_role_is_refused(mocks: harness.RecordingMocks) -> None:
    with pytest.raises(ValueError, match=r"^transforms: unknown child role\(s\) image"):
        harness.run(lambda: make_service({"transforms": {"image": lambda p: p}}))  # no build with image_uri


@pytest.mark.parametrize(
    ("overrides", "arg"),
    [
        ({"protection": "max"}, "protection"),
        ({"image_uri": None}, "build_context"),
        ({"build_context": "."}, "build_context"),
        ({"image_uri": None, "build_context": "/nonexistent/dir"}, "build_context"),
        ({"image_uri": None, "build_context": "CONTEXT", "dockerfile": "Missing.Dockerfile"}, "dockerfile"),
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"node_port": 8080}, "node_port"),
        ({"replicas": 0}, "replicas"),
        ({"keep_images": 0}, "keep_images"),
        ({"environment": {"BAD-NAME": "x"}}, "environment"),
        ({"policy_statements": [{"Effect": "Allow", "Action": "s3:GetObject"}]}, "policy_statements"),
        ({"policy_statements": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "policy_statements"),
        ({"policy_statements": [{"Effect": "Allow", "Action": ["s3:*", "*"], "Resource": "x"}]}, "policy_statements"),
        ({"policy_statements": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "x"}]}, "policy_statements"),
        ({"health_path": "health"}, "health_path"),
        ({"cpu_request": "lots"}, "cpu_request"),
        ({"memory_limit": "1XB"}, "memory_limit"),
        ({"cpu_request": "2", "cpu_limit": "500m"}, "cpu_limit"),
        ({"memory_request": "1Gi", "memory_limit": "256Mi"}, "memory_limit"),
        ({"namespace": "Shop_NS"}, "namespace"),
    ],
)
def test_service_args_validation(
    mocks: harness.RecordingMocks, context: Path, overrides: dict[str, Any], arg: str
) -> None:
    overrides = {k: context if v == "CONTEXT" else v for k, v in overrides.items()}
    with pytest.raises(ValueError, match=rf"^{arg}:"):
        harness.run(lambda: service_args(make_cluster(), **overrides))


def test_service_needs_a_cluster_component() -> None:
    with pytest.raises(ValueError, match=r"^cluster:"):
        KubernetesServiceArgs(cluster="shop", vpc_id=VPC, subnet_ids=SUBNETS, image_uri="x")  # type: ignore[arg-type]


def test_service_name_must_be_a_dns_label(mocks: harness.RecordingMocks) -> None:
    with pytest.raises(ValueError, match=r"^name:"):
        harness.run(lambda: make_service(name="Users_Service"))
