"""NetworkComponent under strict recording mocks."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from aws_systems import defaults
from aws_systems.network import NetworkArgs, NetworkComponent, subnet_cidrs
from tests import harness

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
IGW = "aws:ec2/internetGateway:InternetGateway"
SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _build(**kwargs: Any) -> dict[str, Any]:
    """Build ``net`` and return its resolved outputs."""
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output:
        net = NetworkComponent("net", NetworkArgs(**kwargs))
        return pulumi.Output.all(
            private=net.private_subnet_ids,
            public=net.public_subnet_ids,
            app=net.app_security_group_id,
            endpoints=net.endpoint_security_group_id,
            vpc=net.vpc_id,
            cidr=net.vpc_cidr,
        ).apply(seen.update)

    harness.run(program)
    return seen


def _names(mocks: harness.RecordingMocks, typ: str) -> list[str]:
    return sorted(r.name for r in mocks.of_type(typ))


def test_standard_defaults_are_cheap_and_private(mocks, warnings):
    out = _build()
    vpc = mocks.one(VPC, "net-vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    assert _names(mocks, SUBNET) == ["net-private-a", "net-private-b"]
    assert _names(mocks, ROUTE_TABLE) == ["net-private-rt-a", "net-private-rt-b"]
    assert mocks.of_type(NAT) == [] and mocks.of_type(EIP) == [] and mocks.of_type(IGW) == []
    assert mocks.of_type(ROUTE) == []  # no default route: nothing leaves the VPC except through endpoints
    assert out["private"] == ["net-private-a-id", "net-private-b-id"]
    assert out["public"] == []
    assert out["app"] == "net-app-sg-id" and out["endpoints"] == "net-endpoints-sg-id"
    assert out["vpc"] == "net-vpc-id" and out["cidr"] == "10.0.0.0/16"
    a, b = mocks.one(SUBNET, "net-private-a").inputs, mocks.one(SUBNET, "net-private-b").inputs
    assert (a["availabilityZone"], a["cidrBlock"]) == ("us-east-1a", "10.0.0.0/19")
    assert (b["availabilityZone"], b["cidrBlock"]) == ("us-east-1b", "10.0.32.0/19")
    assert a["mapPublicIpOnLaunch"] is False
    # Interface endpoints in one AZ only (cheap dev), every one with private DNS and the endpoints group.
    interface = [r for r in mocks.of_type(ENDPOINT) if r.inputs["vpcEndpointType"] == "Interface"]
    assert len(interface) == len(defaults.VPC_INTERFACE_ENDPOINTS)
    for endpoint in interface:
        assert endpoint.inputs["subnetIds"] == ["net-private-a-id"]
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert endpoint.inputs["securityGroupIds"] == ["net-endpoints-sg-id"]
    assert mocks.one(ENDPOINT, "net-endpoint-ecr-api").inputs["serviceName"] == "com.amazonaws.us-east-1.ecr.api"
    assert mocks.one(LOG_GROUP).inputs["retentionInDays"] == 14
    assert warnings == []


def test_hardened_defaults_spread_over_three_azs(mocks):
    _build(protection="hardened")
    assert _names(mocks, SUBNET) == ["net-private-a", "net-private-b", "net-private-c"]
    assert mocks.one(SUBNET, "net-private-c").inputs["availabilityZone"] == "us-east-1c"
    for endpoint in mocks.of_type(ENDPOINT):
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            assert endpoint.inputs["subnetIds"] == ["net-private-a-id", "net-private-b-id", "net-private-c-id"]
    assert mocks.one(LOG_GROUP).inputs["retentionInDays"] == 365
    assert mocks.calls.count("aws:index/getAvailabilityZones:getAvailabilityZones") == 1


def test_gateway_endpoints_attach_to_every_private_route_table(mocks):
    _build(protection="hardened")
    for service in ("s3", "dynamodb"):
        endpoint = mocks.one(ENDPOINT, f"net-endpoint-{service}")
        assert endpoint.inputs["vpcEndpointType"] == "Gateway"
        assert endpoint.inputs["serviceName"] == f"com.amazonaws.us-east-1.{service}"
        assert endpoint.inputs["routeTableIds"] == [f"net-private-rt-{s}-id" for s in "abc"]


def test_security_groups_are_least_privilege(mocks):
    _build()
    default_sg = mocks.one(DEFAULT_SG, "net-default-sg")
    assert default_sg.inputs["ingress"] == [] and default_sg.inputs["egress"] == []
    endpoints = mocks.one(SG, "net-endpoints-sg").inputs
    assert endpoints["egress"] == []
    [ingress] = endpoints["ingress"]
    assert (ingress["fromPort"], ingress["toPort"], ingress["cidrBlocks"]) == (443, 443, ["10.0.0.0/16"])
    app = mocks.one(SG, "net-app-sg").inputs
    assert app["ingress"] == []
    rules = {(r["fromPort"], tuple(r.get("cidrBlocks", ())), tuple(r.get("prefixListIds", ()))) for r in app["egress"]}
    assert rules == {
        (443, ("10.0.0.0/16",), ()),
        (3306, ("10.0.0.0/16",), ()),
        (443, (), ("pl-net-endpoint-s3", "pl-net-endpoint-dynamodb")),
    }
    assert all(r["protocol"] == "tcp" and r["fromPort"] == r["toPort"] for r in app["egress"])


def test_app_group_has_no_prefix_list_rule_without_gateway_endpoints(mocks):
    _build(gateway_endpoints=())
    assert all("prefixListIds" not in r for r in mocks.one(SG, "net-app-sg").inputs["egress"])
    assert [r.inputs["vpcEndpointType"] for r in mocks.of_type(ENDPOINT)] == ["Interface"] * 10


def test_flow_logs_capture_all_traffic_through_a_scoped_role(mocks):
    _build()
    flow = mocks.one(FLOW_LOG, "net-flow-log").inputs
    assert flow["trafficType"] == "ALL"
    assert flow["vpcId"] == "net-vpc-id"
    assert flow["logDestinationType"] == "cloud-watch-logs"
    group_arn = mocks.one(LOG_GROUP).outputs["arn"]
    assert flow["logDestination"] == group_arn
    assume = json.loads(mocks.one(ROLE, "net-flow-log-role").inputs["assumeRolePolicy"])
    [statement] = assume["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": harness.ACCOUNT}
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"] == (
        f"arn:aws:ec2:{harness.REGION}:{harness.ACCOUNT}:vpc-flow-log/*"
    )
    policy = mocks.one(ROLE_POLICY, "net-flow-log-policy")
    assert policy.inputs["role"] == "net-flow-log-role-id"
    statements = harness.statements(policy.inputs["policy"])
    assert statements[0]["Resource"] == [group_arn, f"{group_arn}:*"]
    for st in statements:
        assert "*" not in st["Action"] and st["Resource"] != "*"


def test_nat_gateways_add_public_subnets_and_routes(mocks):
    out = _build(protection="hardened", nat_gateways=2)
    assert out["public"] == ["net-public-a-id", "net-public-b-id", "net-public-c-id"]
    assert mocks.one(SUBNET, "net-public-a").inputs["cidrBlock"] == "10.0.128.0/19"
    assert mocks.one(SUBNET, "net-public-a").inputs["mapPublicIpOnLaunch"] is False
    assert _names(mocks, NAT) == ["net-nat-a", "net-nat-b"]
    assert _names(mocks, EIP) == ["net-eip-a", "net-eip-b"]
    assert mocks.one(NAT, "net-nat-b").inputs["subnetId"] == "net-public-b-id"
    assert mocks.one(ROUTE, "net-public-default-route").inputs["gatewayId"] == "net-igw-id"
    # Each AZ uses its own NAT gateway; the AZ without one falls back to the first.
    nat_of = {r.name: r.inputs["natGatewayId"] for r in mocks.of_type(ROUTE) if "natGatewayId" in r.inputs}
    assert nat_of == {
        "net-private-nat-route-a": "net-nat-a-id",
        "net-private-nat-route-b": "net-nat-b-id",
        "net-private-nat-route-c": "net-nat-a-id",
    }


def test_explicit_zones_name_subnets_by_their_letter(mocks):
    _build(availability_zones=["eu-west-1b", "eu-west-1c"], endpoint_az_count=2, flow_log_retention_days=30)
    assert _names(mocks, SUBNET) == ["net-private-b", "net-private-c"]
    assert mocks.one(SUBNET, "net-private-c").inputs["availabilityZone"] == "eu-west-1c"
    assert mocks.one(ENDPOINT, "net-endpoint-sqs").inputs["subnetIds"] == ["net-private-b-id", "net-private-c-id"]
    assert mocks.one(LOG_GROUP).inputs["retentionInDays"] == 30
    assert "aws:index/getAvailabilityZones:getAvailabilityZones" not in mocks.calls


def test_children_are_named_by_role_and_parented(mocks):
    _build(nat_gateways=1)
    children = [r for r in mocks.resources if r.type != "awssystems:network:NetworkComponent"]
    assert children
    for child in children:
        assert child.parent_name == "net", child.name
        assert child.name.startswith("net-"), child.name
    assert mocks.one("awssystems:network:NetworkComponent", "net")


def test_transform_overrides_a_child(mocks):
    _build(transforms={"app-sg": lambda props: {**props, "description": "custom"}})
    assert mocks.one(SG, "net-app-sg").inputs["description"] == "custom"


def test_unknown_transform_role_is_rejected(mocks):
    with pytest.raises(ValueError, match="transforms: unknown child role"):
        _build(transforms={"nope": lambda props: props})


def test_subnet_layout_is_stable_when_adding_an_az():
    two_private, two_public = subnet_cidrs("10.1.0.0/20", 2)
    three_private, three_public = subnet_cidrs("10.1.0.0/20", 3)
    assert three_private[:2] == two_private and three_public[:2] == two_public
    assert two_private == ["10.1.0.0/23", "10.1.2.0/23"] and two_public == ["10.1.8.0/23", "10.1.10.0/23"]
    assert subnet_cidrs("10.1.2.0/24", 4)[1][-1] == "10.1.2.224/27"  # /24 still leaves valid /27 subnets


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"protection": "prod"}, "protection"),
        ({"cidr": "not-a-cidr"}, "cidr"),
        ({"cidr": "10.0.0.1/16"}, "cidr"),  # host bits set
        ({"cidr": "10.0.0.0/8"}, "cidr"),
        ({"cidr": "10.0.0.0/25"}, "cidr"),
        ({"cidr": "fd00::/16"}, "cidr"),
        ({"az_count": 1}, "az_count"),
        ({"az_count": 5}, "az_count"),
        ({"az_count": True}, "az_count"),
        ({"availability_zones": ["us-east-1a"]}, "availability_zones"),
        ({"availability_zones": "us-east-1a"}, "availability_zones"),
        ({"availability_zones": ["us-east-1a", "us-east-1a"]}, "availability_zones"),
        ({"availability_zones": ["us-west-2a", "us-west-2-lax-1a"]}, "availability_zones"),
        ({"availability_zones": ["us-east-1a", "us-east-1b"], "az_count": 3}, "az_count"),
        ({"nat_gateways": -1}, "nat_gateways"),
        ({"nat_gateways": 3}, "nat_gateways"),  # more than the 2 standard AZs
        ({"endpoint_az_count": 0}, "endpoint_az_count"),
        ({"endpoint_az_count": 3}, "endpoint_az_count"),
        ({"interface_endpoints": ["sqs", "sqs"]}, "interface_endpoints"),
        ({"interface_endpoints": ["SQS!"]}, "interface_endpoints"),
        ({"interface_endpoints": "sqs"}, "interface_endpoints"),
        ({"gateway_endpoints": ["sqs"]}, "gateway_endpoints"),
        ({"flow_log_retention_days": 10}, "flow_log_retention_days"),
        ({"flow_log_retention_days": 0}, "flow_log_retention_days"),
    ],
)
def test_invalid_arguments_are_rejected(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}:"):
        NetworkArgs(**kwargs)


def test_valid_edges_are_accepted():
    assert NetworkArgs(cidr="192.168.0.0/24", az_count=4, nat_gateways=4).resolved_az_count == 4
    assert NetworkArgs(protection="hardened", az_count=2).resolved_endpoint_az_count == 2
    assert NetworkArgs(availability_zones=["a-1a", "a-1b", "a-1c"]).resolved_az_count == 3


def test_shorter_flow_log_retention_warns(mocks, warnings):
    _build(protection="hardened", flow_log_retention_days=90)
    assert mocks.one(LOG_GROUP).inputs["retentionInDays"] == 90
    [message] = warnings
    assert "flow_log_retention_days" in message and "365" in message


def test_longer_flow_log_retention_does_not_warn(mocks, warnings):
    _build(flow_log_retention_days=365)
    assert mocks.one(LOG_GROUP).inputs["retentionInDays"] == 365
    assert warnings == []
