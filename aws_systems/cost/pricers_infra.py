"""Prices of what runs all month whatever the traffic: clusters and nodes, databases and proxies, load balancers,
VPC endpoints and NAT, and the storage they keep. Quantities are read from the resource's own inputs."""

from __future__ import annotations

import re

from aws_systems.cost.context import Context, CostResource, NotPriced, Pricer, count, get, num, text
from aws_systems.cost.model import Item

EKS_DEFAULT_NODES = 2  # pulumi-eks's desiredCapacity when the program sets none
EKS_DEFAULT_ROOT_GB = 20  # pulumi-eks's nodeRootVolumeSize when unset
LOG_EXPORT_GROUPS = "one log group per exported log"


def eks_cluster(r: CostResource, ctx: Context) -> list[Item]:
    """pulumi-eks's Cluster: the control plane, the default node group's nodes and their root volumes. Its children
    (the EKS cluster, the node group's instances) are priced here; the control-plane log group is a resource of the
    program's own, priced as a log group."""
    items = [ctx.fixed("control plane", "eks.cluster", ctx.hours)]
    if get(r, "skipDefaultNodeGroup") is not True:
        nodes = num(get(r, "desiredCapacity"), EKS_DEFAULT_NODES)
        items += _nodes(ctx, text(get(r, "instanceType"), "t3.medium"), nodes)
        volume = text(get(r, "nodeRootVolumeType"), "gp2")
        size = num(get(r, "nodeRootVolumeSize"), EKS_DEFAULT_ROOT_GB)
        items.append(ctx.fixed(f"node root volumes ({nodes:g} × {size:g} GB {volume})", f"ebs.{volume}", nodes * size))
    return items


def eks_node_group(r: CostResource, ctx: Context) -> list[Item]:
    types = get(r, "instanceTypes")
    instance = text(types[0]) if count(types) else "t3.medium"
    return _nodes(ctx, instance, num(get(r, "scalingConfig", "desiredSize"), 1))


def eks_control_plane(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.fixed("control plane", "eks.cluster", ctx.hours)]


def _nodes(ctx: Context, instance: str, nodes: float) -> list[Item]:
    return [ctx.fixed(f"nodes ({nodes:g} × {instance})", f"ec2.{instance}", nodes * ctx.hours)]


def rds_instance(r: CostResource, ctx: Context) -> list[Item]:
    """The instance class per hour and the storage per GB-month, both twice with Multi-AZ (a standby in a second
    AZ); the master password secret RDS manages; one log group per exported log."""
    engine = text(get(r, "engine"), "mysql")
    family = "mysql" if engine in ("mysql", "mariadb") else engine
    klass = text(get(r, "instanceClass"))
    copies = 2 if get(r, "multiAz") is True else 1
    az = "Multi-AZ" if copies == 2 else "Single-AZ"
    storage_type = text(get(r, "storageType"), "gp2")
    gb = num(get(r, "allocatedStorage"), 20)
    items = [
        ctx.fixed(f"{klass} {engine}, {az}", f"rds.{family}.{klass}", copies * ctx.hours),
        ctx.fixed(f"{gb:g} GB {storage_type}, {az}", f"rds.storage.{storage_type}", copies * gb),
    ]
    if get(r, "manageMasterUserPassword") is True:
        items.append(ctx.fixed("master password secret (managed by RDS)", "secrets.secret", 1))
    exports = count(get(r, "enabledCloudwatchLogsExports"))
    if exports:
        items.append(_logs(ctx, f"exported logs ({LOG_EXPORT_GROUPS})", exports))
    return items


def rds_proxy(r: CostResource, ctx: Context) -> list[Item]:
    """Billed per vCPU of the instance behind it (the instance in the same component), at least two."""
    vcpus = 2.0
    for db in ctx.siblings(r, "aws:rds/instance:Instance"):
        engine = text(get(db, "engine"), "mysql")
        family = "mysql" if engine in ("mysql", "mariadb") else engine
        entry = ctx.prices.find(f"rds.{family}.{text(get(db, 'instanceClass'))}")
        vcpus = max(vcpus, float(entry.vcpu or 2) if entry else 2.0)
    return [ctx.fixed(f"proxy ({vcpus:g} vCPUs)", "rds.proxy", vcpus * ctx.hours)]


def load_balancer(r: CostResource, ctx: Context) -> list[Item]:
    kind = text(get(r, "loadBalancerType"), "application")
    if kind not in ("network", "application"):
        raise NotPriced(f"no price for a {kind} load balancer")
    lcus = ctx.assume.load_balancer_lcus
    return [
        ctx.fixed(f"{kind} load balancer", f"elb.{kind}", ctx.hours),
        ctx.usage("capacity units", f"elb.{kind}.lcu", lcus * ctx.hours, "load_balancer_lcus"),
    ]


def vpc_endpoint(r: CostResource, ctx: Context) -> list[Item]:
    """Interface endpoints are billed per AZ they sit in (one subnet each) and per GB; gateway endpoints are free."""
    if text(get(r, "vpcEndpointType"), "Gateway") != "Interface":
        return []
    service = re.sub(r"^com\.amazonaws\.[a-z0-9-]+\.", "", text(get(r, "serviceName"))) or r.name
    azs = max(count(get(r, "subnetIds")), 1)
    gb = ctx.assume.endpoint_gb_monthly
    return [
        ctx.fixed(f"{service} endpoint in {azs} AZ{'s' if azs > 1 else ''}", "vpce.interface", azs * ctx.hours),
        ctx.usage("data processed", "vpce.gb", gb, "endpoint_gb_monthly"),
    ]


def nat_gateway(r: CostResource, ctx: Context) -> list[Item]:
    """The gateway per hour and per GB; its public address is priced on its Elastic IP."""
    return [
        ctx.fixed("NAT gateway", "vpc.nat", ctx.hours),
        ctx.usage("data processed", "vpc.nat.gb", ctx.assume.nat_gb_monthly, "nat_gb_monthly"),
    ]


def elastic_ip(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.fixed("public IPv4 address", "vpc.ipv4", ctx.hours)]


def ec2_instance(r: CostResource, ctx: Context) -> list[Item]:
    return _nodes(ctx, text(get(r, "instanceType"), "t3.micro"), 1)


def ecr_repository(r: CostResource, ctx: Context) -> list[Item]:
    return [ctx.usage("image storage", "ecr.storage", ctx.assume.ecr_stored_gb, "ecr_stored_gb")]


def backup_plan(r: CostResource, ctx: Context) -> list[Item]:
    """The recovery points the plan keeps, at the RDS snapshot rate of warm storage."""
    return [ctx.usage("backup storage", "backup.rds", ctx.assume.backup_stored_gb, "backup_stored_gb")]


def _logs(ctx: Context, what: str, groups: int) -> Item:
    gb = ctx.assume.log_ingested_gb_monthly * groups
    return ctx.usage(f"{what} ingested", "cloudwatch.logs.ingest", gb, "log_ingested_gb_monthly")


PRICERS: dict[str, Pricer] = {
    "eks:index:Cluster": eks_cluster,
    "aws:eks/cluster:Cluster": eks_control_plane,
    "aws:eks/nodeGroup:NodeGroup": eks_node_group,
    "aws:ec2/instance:Instance": ec2_instance,
    "aws:rds/instance:Instance": rds_instance,
    "aws:rds/proxy:Proxy": rds_proxy,
    "aws:lb/loadBalancer:LoadBalancer": load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": load_balancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpc_endpoint,
    "aws:ec2/natGateway:NatGateway": nat_gateway,
    "aws:ec2/eip:Eip": elastic_ip,
    "aws:ecr/repository:Repository": ecr_repository,
    "aws:backup/plan:Plan": backup_plan,
}
"""Each priced type and how; the docstrings say what is counted."""
