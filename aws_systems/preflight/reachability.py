"""Rule: with no NAT, every AWS API that code in private subnets calls has a VPC endpoint there.

What each workload calls is read from what it may call: its role's actions, by service. Calls the platform makes for
the workload are left out (Lambda writes its logs and traces and polls its queues itself), and calls to KMS that
services make on the caller's behalf (``kms:ViaService``) need no KMS endpoint. Platforms add their own needs: EKS
nodes pull images, join the cluster and run the VPC CNI; pods using IAM roles for service accounts call STS.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_systems.preflight.iam import Role, roles, service_of
from aws_systems.preflight.model import Resource, Stack, as_list

# Called by the Lambda service for the function, not from the function's subnets.
PLATFORM_ACTIONS = {
    "ec2:createnetworkinterface",
    "ec2:describenetworkinterfaces",
    "ec2:deletenetworkinterface",
    "ec2:assignprivateipaddresses",
    "ec2:unassignprivateipaddresses",
    "sqs:receivemessage",
    "sqs:deletemessage",
    "sqs:getqueueattributes",
    "sqs:changemessagevisibility",
}
PLATFORM_SERVICES = {"xray", "logs"}
# IAM action prefix -> VPC endpoint service name, where they differ.
ENDPOINT_NAMES = {"cloudwatch": "monitoring", "execute-api": "execute-api", "ecr": "ecr.api"}
EKS_NODE_NEEDS = ("ec2", "ecr.api", "ecr.dkr", "s3", "sts", "logs")
IRSA_NEEDS = ("sts",)


def calls(role: Role) -> set[str]:
    """The endpoint services a workload with this role calls itself."""
    out: set[str] = set()
    for st in role.statements:
        if st.get("Effect") != "Allow":
            continue
        via_service = isinstance(st.get("Condition"), Mapping) and any(
            "kms:ViaService" in (block or {}) for block in st["Condition"].values() if isinstance(block, Mapping)
        )
        for action in as_list(st.get("Action")):
            if not isinstance(action, str) or action.lower() in PLATFORM_ACTIONS:
                continue
            service = service_of(action)
            if service in PLATFORM_SERVICES or (service == "kms" and via_service):
                continue
            out.add(ENDPOINT_NAMES.get(service, service))
    return out


def _vpcs(stack: Stack) -> dict[str, dict[str, object]]:
    """Per VPC id: its subnet ids, whether it has a NAT gateway, and its endpoint services."""
    vpcs: dict[str, dict[str, object]] = {}
    for vpc in stack.of_type("aws:ec2/vpc:Vpc"):
        if isinstance(vpc.id, str):
            vpcs[vpc.id] = {"subnets": set(), "nat": False, "endpoints": set()}
    subnet_vpc: dict[str, str] = {}
    for subnet in stack.of_type("aws:ec2/subnet:Subnet"):
        vpc_id = subnet.props.get("vpcId")
        if vpc_id in vpcs and isinstance(subnet.id, str):
            vpcs[vpc_id]["subnets"].add(subnet.id)  # type: ignore[attr-defined]
            subnet_vpc[subnet.id] = vpc_id
    for nat in stack.of_type("aws:ec2/natGateway:NatGateway"):
        vpc_id = subnet_vpc.get(nat.props.get("subnetId"))  # type: ignore[arg-type]
        if vpc_id:
            vpcs[vpc_id]["nat"] = True
    for endpoint in stack.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        vpc_id, name = endpoint.props.get("vpcId"), endpoint.props.get("serviceName")
        if vpc_id in vpcs and isinstance(name, str):
            vpcs[vpc_id]["endpoints"].add(name.split(".", 3)[-1])  # type: ignore[attr-defined]
    return vpcs


def _vpc_of_subnets(vpcs: dict[str, dict[str, object]], subnet_ids: object) -> str | None:
    ids = {s for s in as_list(subnet_ids) if isinstance(s, str)}
    return next((vpc for vpc, info in vpcs.items() if ids and ids <= info["subnets"]), None)  # type: ignore[operator]


def workloads(stack: Stack) -> list[tuple[Resource, str | None, set[str]]]:
    """(workload, its VPC id, the endpoint services it needs) for functions, EKS nodes and IRSA pods."""
    vpcs = _vpcs(stack)
    by_arn = {r.arn: r for r in roles(stack) if isinstance(r.arn, str)}
    out: list[tuple[Resource, str | None, set[str]]] = []
    for fn in stack.of_type("aws:lambda/function:Function"):
        vpc = _vpc_of_subnets(vpcs, fn.get("vpcConfig", "subnetIds"))
        role = by_arn.get(fn.props.get("role"))  # type: ignore[arg-type]
        if vpc and role:
            out.append((fn, vpc, calls(role)))
    for cluster in stack.of_type("eks:index:Cluster"):
        vpc = cluster.props.get("vpcId")
        out.append((cluster, vpc if isinstance(vpc, str) else None, set(EKS_NODE_NEEDS)))
        oidc = cluster.props.get("oidcProviderArn")
        for role in by_arn.values():
            if isinstance(oidc, str) and oidc in role.principals("Federated"):
                out.append((role.resource, vpc if isinstance(vpc, str) else None, set(IRSA_NEEDS) | calls(role)))
    return out


def kubernetes_api(stack: Stack) -> list[tuple[str, str]]:
    """Kubernetes objects that Pulumi itself must create through a cluster API that only the VPC reaches.

    ``pulumi up`` runs outside the VPC (a CI runner, a laptop), and the VPC is often created by the same update, so
    a private endpoint times out; such objects must be applied from inside the VPC, or the endpoint opened to the
    runner's networks."""
    private = [c for c in stack.of_type("eks:index:Cluster") if c.props.get("endpointPublicAccess") is not True]
    objects = [r for r in stack.resources if r.type.startswith("kubernetes:")]
    if not private or not objects:
        return []
    names = ", ".join(sorted(o.name for o in objects))
    return [
        (
            cluster.urn,
            f"cluster {cluster.name} has a private API endpoint, but Pulumi creates Kubernetes objects through it "
            f"from outside the VPC ({names})",
        )
        for cluster in private
    ]


def check(stack: Stack) -> list[tuple[str, str]]:
    vpcs = _vpcs(stack)
    out: list[tuple[str, str]] = kubernetes_api(stack)
    for workload, vpc, needs in workloads(stack):
        info = vpcs.get(vpc or "")
        if info is None or info["nat"]:
            continue
        missing = sorted(needs - info["endpoints"])  # type: ignore[operator]
        if missing:
            out.append(
                (
                    workload.urn,
                    f"{workload.name} runs in private subnets with no NAT and calls {', '.join(missing)}, "
                    f"but the VPC has no endpoint for {'it' if len(missing) == 1 else 'them'}",
                )
            )
    return out
