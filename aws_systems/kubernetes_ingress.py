"""The path from API Gateway to a Kubernetes service's pods, owned by Pulumi.

An HTTP API private integration needs a load balancer *listener ARN* and a VPC link, and Pulumi must know that ARN.
So Pulumi owns the load balancer too:

    HTTP API -> VPC link (its own SG) -> internal NLB (TCP listener, its own SG)
             -> target group of *instance* targets on a fixed NodePort -> kube-proxy -> pods

The target group is attached to the node group's auto scaling group (``aws.autoscaling.Attachment``), so every node,
including those started later, is registered without hand-made steps, and the Kubernetes Service is a ``NodePort``
with that fixed port. This needs no in-cluster controller (the AWS Load Balancer Controller and its TargetGroupBinding
would add Helm, another IRSA role and CRDs for the same result); the cost is one kube-proxy hop and a node port that
must be unique in the cluster (derived from the namespace and name unless given). The target group does not preserve
the client IP, so the nodes see the NLB's address and security-group references work: VPC link SG -> NLB SG on the
listener port only, NLB SG -> node SG on the node port only. The load balancer and the target group have a 32-character
name limit: they get explicit names from :func:`aws_systems.names.fitted_name`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_systems._base import Component
from aws_systems.kubernetes_cluster import KubernetesClusterComponent
from aws_systems.names import LOAD_BALANCER_NAME_LIMIT, fitted_name

NODE_PORT_RANGE = (30000, 32767)
"""Kubernetes' default NodePort range."""


def derived_node_port(namespace: str, name: str) -> int:
    """A stable port in the NodePort range from namespace and name: unique in practice, fixed across runs."""
    low, high = NODE_PORT_RANGE
    digest = int(hashlib.sha256(f"{namespace}/{name}".encode()).hexdigest(), 16)
    return low + digest % (high - low + 1)


def security_group(
    component: Component, role: str, vpc_id: pulumi.Input[str], description: str
) -> aws.ec2.SecurityGroup:
    """A security group with no rules of its own: :func:`group_rule` adds each one."""
    return component._child(aws.ec2.SecurityGroup, role, vpc_id=vpc_id, description=description)


def group_rule(
    component: Component, kind: type, role: str, group: pulumi.Input[str], peer: pulumi.Input[str], port: int
) -> pulumi.CustomResource:
    """One TCP port between ``group`` and the security group ``peer`` (``kind``: an ingress or egress rule)."""
    return component._child(
        kind,
        role,
        security_group_id=group,
        referenced_security_group_id=peer,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=f"{component._name}: TCP {port}",
    )


@dataclass(frozen=True, kw_only=True)
class Ingress:
    """The children of the path: the VPC link and the NLB with their security groups, the target group, the
    listener (its ARN is what the HTTP API integrates with)."""

    vpc_link_sg: aws.ec2.SecurityGroup
    nlb_sg: aws.ec2.SecurityGroup
    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    listener: aws.lb.Listener
    vpc_link: aws.apigatewayv2.VpcLink


@dataclass(frozen=True, kw_only=True)
class IngressArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    port: int
    """The container's port, also the listener's."""
    node_port: int
    health_path: str
    hardened: bool
    """Deletion protection on the load balancer."""


def private_ingress(component: Component, cluster: KubernetesClusterComponent, args: IngressArgs) -> Ingress:
    """The VPC link, the internal NLB and the node registration of one service, children of ``component``."""
    vpc_link_sg, nlb_sg = _security_groups(component, cluster, args)
    load_balancer, target_group, listener = _load_balancer(component, cluster, args, nlb_sg)
    vpc_link = component._child(
        aws.apigatewayv2.VpcLink, "vpc-link", subnet_ids=args.subnet_ids, security_group_ids=[vpc_link_sg.id]
    )
    return Ingress(
        vpc_link_sg=vpc_link_sg,
        nlb_sg=nlb_sg,
        load_balancer=load_balancer,
        target_group=target_group,
        listener=listener,
        vpc_link=vpc_link,
    )


def _security_groups(
    component: Component, cluster: KubernetesClusterComponent, args: IngressArgs
) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
    """VPC link -> NLB on the listener port; NLB -> nodes on the node port; nothing else."""
    name, port, node_port = component._name, args.port, args.node_port
    vpc_link_sg = security_group(component, "vpc-link-sg", args.vpc_id, f"API Gateway VPC link to {name}")
    nlb_sg = security_group(component, "nlb-sg", args.vpc_id, f"Internal NLB of {name}")
    egress, ingress = aws.vpc.SecurityGroupEgressRule, aws.vpc.SecurityGroupIngressRule
    group_rule(component, egress, "vpc-link-egress", vpc_link_sg.id, nlb_sg.id, port)
    group_rule(component, ingress, "nlb-ingress", nlb_sg.id, vpc_link_sg.id, port)
    group_rule(component, egress, "nlb-egress", nlb_sg.id, cluster.node_security_group_id, node_port)
    group_rule(component, ingress, "node-ingress", cluster.node_security_group_id, nlb_sg.id, node_port)
    return vpc_link_sg, nlb_sg


def _load_balancer(
    component: Component, cluster: KubernetesClusterComponent, args: IngressArgs, nlb_sg: aws.ec2.SecurityGroup
) -> tuple[aws.lb.LoadBalancer, aws.lb.TargetGroup, aws.lb.Listener]:
    """The internal NLB, its target group of the nodes' NodePort, the listener, and the nodes' registration."""
    load_balancer = component._child(
        aws.lb.LoadBalancer,
        "nlb",
        name=fitted_name(component._child_name("nlb"), LOAD_BALANCER_NAME_LIMIT, "network", "internal"),
        load_balancer_type="network",
        internal=True,
        subnets=args.subnet_ids,
        security_groups=[nlb_sg.id],
        enable_cross_zone_load_balancing=True,
        enable_deletion_protection=args.hardened,
    )
    target_group = component._child(
        aws.lb.TargetGroup,
        "target-group",
        name=fitted_name(
            component._child_name("target-group"), LOAD_BALANCER_NAME_LIMIT, "instance", "TCP", args.node_port
        ),
        vpc_id=args.vpc_id,
        target_type="instance",
        protocol="TCP",
        port=args.node_port,
        preserve_client_ip="false",
        deregistration_delay=30,
        health_check={
            "protocol": "HTTP",
            "port": "traffic-port",
            "path": args.health_path,
            "matcher": "200-399",
            "interval": 10,
            "healthy_threshold": 2,
            "unhealthy_threshold": 2,
        },
    )
    listener = component._child(
        aws.lb.Listener,
        "listener",
        load_balancer_arn=load_balancer.arn,
        protocol="TCP",
        port=args.port,
        default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
    )
    component._child(
        aws.autoscaling.Attachment,
        "asg-attachment",
        autoscaling_group_name=cluster.node_group_asg_name,
        lb_target_group_arn=target_group.arn,
    )
    return load_balancer, target_group, listener
