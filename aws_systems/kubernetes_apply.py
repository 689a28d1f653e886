"""Applying a service's Kubernetes manifests from inside the VPC.

The cluster's API endpoint is private, the VPC is created by the same ``pulumi up``, its private subnets have no NAT,
and deploys run on hosted CI runners outside it: nothing where ``pulumi up`` runs can reach the Kubernetes API, so
Kubernetes objects made by a Pulumi provider would time out on a first deploy. So, as AWS CDK's ``aws-eks`` module does
for private clusters with its kubectl handler, the service renders its Kubernetes objects as plain manifests and a
small function in the cluster's private subnets applies them. An ``aws.lambda_.Invocation`` with lifecycle ``CRUD``
calls it with the manifests whenever they or its code change, and once more on delete. The function signs its own EKS
token (a presigned STS ``GetCallerIdentity``; it calls no AWS API, so it needs no endpoint), trusts only the cluster's
CA, server-side applies each manifest, prunes the objects of its set that the manifests no longer name, and waits for
the Deployment's rollout, failing the deploy with what is not ready. Its role reaches the cluster through an EKS access
entry associated with ``AmazonEKSClusterAdminPolicy`` *scoped to the service's namespace*: the only EKS access policy
that may create a Namespace, and the scope keeps it to that namespace and what is in it. Its security group reaches
the cluster security group on 443 and nothing else. A public endpoint (``endpoint_public_access``) remains an option;
the deploy path is the same. The role and the function have a 64-character name limit: they get explicit names from
:func:`aws_systems.names.fitted_name`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component
from aws_systems.defaults import Protection
from aws_systems.function import LambdaFunction, lambda_function
from aws_systems.kubernetes_cluster import KubernetesClusterComponent
from aws_systems.kubernetes_ingress import group_rule, security_group
from aws_systems.names import IAM_ROLE_NAME_LIMIT, LAMBDA_FUNCTION_NAME_LIMIT, fitted_name
from aws_systems.packaging import BuiltArchive, code_archive

COMPONENTS = Path(__file__).resolve().parent
APPLY_HANDLER = "aws_systems.kube_apply.apply.handler"
APPLY_TIMEOUT_SECONDS = 900  # Lambda's maximum: a first rollout waits for nodes to join and the image to be pulled
# The only EKS access policy that may create a Namespace; associated with the service's namespace as its scope.
APPLY_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"


@dataclass(frozen=True, kw_only=True)
class ApplyArgs:
    vpc_id: pulumi.Input[str]
    namespace: str
    manifests: pulumi.Output[list[dict[str, Any]]]
    protection: Protection
    build_dir: Path
    """Where the function's code archive is written."""


@dataclass(frozen=True, kw_only=True)
class Applier:
    """The children that apply the manifests: the function's security group, role and function, its access entry in
    the cluster, and the invocation that runs it."""

    security_group: aws.ec2.SecurityGroup
    role: aws.iam.Role
    function: aws.lambda_.Function
    access_entry: aws.eks.AccessEntry
    run: aws.lambda_.Invocation


def apply_from_inside_the_vpc(component: Component, cluster: KubernetesClusterComponent, args: ApplyArgs) -> Applier:
    """The function that applies ``args.manifests`` to ``cluster``, and its invocation, as children of
    ``component`` (whose name is the apply set's)."""
    sg, rules = _network(component, cluster, args)
    archive = code_archive("kubernetes-apply", _apply_code(), args.build_dir)
    applier = _function(component, cluster, args, sg, archive)
    access_entry, access_policy = _cluster_access(component, cluster, args, applier.role)
    depends_on = [access_policy, *rules, cluster.cluster]
    run = _invoke(component, cluster, args, applier.function, archive, depends_on=depends_on)
    return Applier(security_group=sg, role=applier.role, function=applier.function, access_entry=access_entry, run=run)


def _apply_code() -> dict[str, Path]:
    """The function's code ships with the library (standard library and botocore only)."""
    return {
        "aws_systems/__init__.py": COMPONENTS / "__init__.py",
        "aws_systems/kube_apply": COMPONENTS / "kube_apply",
    }


def _network(
    component: Component, cluster: KubernetesClusterComponent, args: ApplyArgs
) -> tuple[aws.ec2.SecurityGroup, list[pulumi.CustomResource]]:
    """The function's security group: to the cluster security group on 443, and nothing else. It calls no AWS API
    (Lambda itself writes its logs and traces), so it needs no VPC endpoint either."""
    cluster_sg = cluster.cluster_security_group_id
    sg = security_group(component, "apply-sg", args.vpc_id, f"Manifest apply function of {component._name}")
    egress, ingress = aws.vpc.SecurityGroupEgressRule, aws.vpc.SecurityGroupIngressRule
    rules = [
        group_rule(component, egress, "apply-egress", sg.id, cluster_sg, 443),
        group_rule(component, ingress, "apply-api-ingress", cluster_sg, sg.id, 443),
    ]
    return sg, rules


def _function(
    component: Component,
    cluster: KubernetesClusterComponent,
    args: ApplyArgs,
    sg: aws.ec2.SecurityGroup,
    archive: BuiltArchive,
) -> LambdaFunction:
    """The function, in the cluster's private subnets, with its log group and a role that may write its logs and
    traces and attach to the VPC."""
    what = f"the Kubernetes manifests of {args.namespace}/{component._name}"
    return lambda_function(
        component,
        "apply",
        log_retention_days=defaults.log_retention_days(args.protection),
        vpc=aws.lambda_.FunctionVpcConfigArgs(subnet_ids=cluster.private_subnet_ids, security_group_ids=[sg.id]),
        role_props={
            "name": fitted_name(component._child_name("apply-role"), IAM_ROLE_NAME_LIMIT),
            "description": f"Applies {what}",
        },
        name=fitted_name(component._child_name("apply"), LAMBDA_FUNCTION_NAME_LIMIT),
        description=f"Applies {what} from inside the VPC",
        runtime=defaults.LAMBDA_RUNTIME,
        architectures=[defaults.LAMBDA_ARCHITECTURE],
        handler=APPLY_HANDLER,
        code=pulumi.FileArchive(str(archive.path)),
        source_code_hash=archive.base64_sha256,
        memory_size=defaults.LAMBDA_MEMORY_MB,
        timeout=APPLY_TIMEOUT_SECONDS,
    )


def _cluster_access(
    component: Component, cluster: KubernetesClusterComponent, args: ApplyArgs, role: aws.iam.Role
) -> tuple[aws.eks.AccessEntry, aws.eks.AccessPolicyAssociation]:
    """An access entry for the function's role, allowed everything in the service's namespace and nothing
    outside it."""
    entry = component._child(
        aws.eks.AccessEntry, "apply-access", cluster_name=cluster.cluster_name, principal_arn=role.arn, type="STANDARD"
    )
    partition = role.arn.apply(lambda arn: arn.split(":")[1])
    policy = component._child(
        aws.eks.AccessPolicyAssociation,
        "apply-access-policy",
        cluster_name=cluster.cluster_name,
        principal_arn=entry.principal_arn,
        policy_arn=pulumi.Output.concat("arn:", partition, f":eks::aws:cluster-access-policy/{APPLY_ACCESS_POLICY}"),
        access_scope={"type": "namespace", "namespaces": [args.namespace]},
    )
    return entry, policy


def _invoke(
    component: Component,
    cluster: KubernetesClusterComponent,
    args: ApplyArgs,
    function: aws.lambda_.Function,
    archive: BuiltArchive,
    depends_on: list[pulumi.Resource],
) -> aws.lambda_.Invocation:
    """Invoke the function with the manifests on create, on every change of them or of its code, and on delete.

    The input is the contract with the function (and with checks that read it): ``manifests``,
    ``kubernetes_version``, ``apply_set`` (the label value that marks what it applies) and ``cluster``. The whole
    cluster, default node group included, exists before the rollout is awaited (``depends_on``).
    """
    payload = pulumi.Output.json_dumps(
        {
            "manifests": args.manifests,
            "kubernetes_version": cluster.version,
            "apply_set": component._name,
            "cluster": {
                "name": cluster.cluster_name,
                "endpoint": cluster.endpoint,
                "certificate_authority": cluster.certificate_authority,
            },
        }
    )
    return component._child(
        aws.lambda_.Invocation,
        "apply-run",
        function_name=function.name,
        input=payload,
        lifecycle_scope="CRUD",
        triggers={"code": archive.base64_sha256},
        depends_on=depends_on,
    )
