"""A private VPC for Lambdas, EKS and RDS: private subnets, VPC endpoints instead of NAT, flow logs.

The cheap path (no NAT gateway) is the default: workloads reach AWS services through interface and
gateway endpoints, so a dev stack pays for a few endpoint ENIs rather than a NAT gateway per AZ. NAT
gateways, public subnets and an internet gateway appear only when ``nat_gateways > 0``.

Subnet layout: the VPC CIDR is cut into eight equal blocks; private subnets take blocks 0-3 and public
subnets blocks 4-7, one per AZ in AZ order. A subnet's CIDR depends only on its AZ's position, so adding
an AZ later never moves an existing subnet.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, R, Transforms
from aws_systems.defaults import Protection, by_protection, check_protection
from aws_systems.iam import assume_role_policy, policy_document
from aws_systems.validation import CLOUDWATCH_RETENTION_DAYS, check_int, check_one_of

MIN_AZS = 2  # an RDS subnet group needs subnets in two AZs
MAX_AZS = 4  # the eight-block layout leaves room for four private and four public subnets
PREFIX_RANGE = (16, 24)  # /24 still gives /27 subnets, above AWS's /28 minimum
SUBNET_BLOCKS_BITS = 3  # 2**3 = 8 blocks
PUBLIC_BLOCK_OFFSET = MAX_AZS
AZ_SUFFIXES = "abcd"
HTTPS = 443
MYSQL = 3306
GATEWAY_SERVICES = ("s3", "dynamodb")
FLOW_LOGS_PRINCIPAL = "vpc-flow-logs.amazonaws.com"
_SERVICE_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_AZ_SUFFIX = re.compile(r"[a-z]+$")


@dataclass(kw_only=True)
class NetworkArgs:
    """How to build a :class:`NetworkComponent`. Every field has a default: ``NetworkArgs()`` is a dev VPC."""

    protection: Protection = "standard"
    """``standard`` (dev/qa, cheap) or ``hardened`` (stage/prod). Default ``standard``."""
    cidr: str = "10.0.0.0/16"
    """The VPC's IPv4 range, a /16 to /24 network. Default ``10.0.0.0/16``."""
    az_count: int | None = None
    """How many AZs (2-4). Default: ``len(availability_zones)`` if given, else 2 (standard) / 3 (hardened)."""
    nat_gateways: int = 0
    """NAT gateways, 0..az_count. Default 0: no internet egress; AWS is reached through VPC endpoints."""
    interface_endpoints: Sequence[str] = defaults.VPC_INTERFACE_ENDPOINTS
    """Interface endpoint service suffixes (``com.amazonaws.<region>.<suffix>``). Default: the services the
    handlers call (Secrets Manager, EventBridge, SNS, SQS, STS, Logs, CloudWatch, Cognito, ECR)."""
    gateway_endpoints: Sequence[str] = defaults.VPC_GATEWAY_ENDPOINTS
    """Gateway endpoints (free), a subset of ``s3`` and ``dynamodb``. Default both."""
    endpoint_az_count: int | None = None
    """How many AZs get interface endpoint ENIs (1..az_count). Default 1 (standard) / az_count (hardened)."""
    flow_log_retention_days: int | None = None
    """Flow log group retention, a CloudWatch retention value. Default ``defaults.log_retention_days``;
    a shorter one warns."""
    availability_zones: Sequence[str] | None = None
    """AZ names to use. Default: the region's available AZs (opt-in zones excluded), taken in order;
    subnets are then named by position (``-private-a``, ``-private-b``...)."""
    transforms: Transforms | None = None
    """Per-child overrides by role (``vpc``, ``private-a``, ``app-sg``, ``endpoint-sqs``...). Default none."""

    def __post_init__(self) -> None:
        check_protection(self.protection)
        self._validate_cidr()
        self._validate_zones()
        az_count = self.resolved_az_count
        check_int("nat_gateways", self.nat_gateways, 0, az_count)  # at most one per AZ
        if self.endpoint_az_count is not None:
            check_int("endpoint_az_count", self.endpoint_az_count, 1, az_count)
        self._validate_endpoints()
        if self.flow_log_retention_days is not None:
            check_one_of("flow_log_retention_days", self.flow_log_retention_days, CLOUDWATCH_RETENTION_DAYS)

    def _validate_cidr(self) -> None:
        try:
            network = ipaddress.ip_network(self.cidr, strict=True)
        except (TypeError, ValueError) as error:
            raise ValueError(f"cidr: must be an IPv4 network such as 10.0.0.0/16 (got {self.cidr!r})") from error
        low, high = PREFIX_RANGE
        if network.version != 4 or not low <= network.prefixlen <= high:
            raise ValueError(f"cidr: must be an IPv4 network from /{low} to /{high} (got {self.cidr!r})")

    def _validate_zones(self) -> None:
        if self.az_count is not None:
            check_int("az_count", self.az_count, MIN_AZS, MAX_AZS)
        zones = self.availability_zones
        if zones is None:
            return
        if isinstance(zones, str) or not MIN_AZS <= len(zones) <= MAX_AZS:
            raise ValueError(f"availability_zones: must list {MIN_AZS} to {MAX_AZS} AZ names (got {zones!r})")
        suffixes = [_zone_suffix(z) for z in zones]
        if None in suffixes or len(set(suffixes)) != len(suffixes):
            raise ValueError(
                f"availability_zones: must be distinct AZ names ending in distinct letters, "
                f"such as us-east-1a (got {list(zones)!r})"
            )
        if self.az_count is not None and self.az_count != len(zones):
            raise ValueError(
                f"az_count: must equal the number of availability_zones ({len(zones)}) when both are given "
                f"(got {self.az_count})"
            )

    def _validate_endpoints(self) -> None:
        for argument, services in (
            ("interface_endpoints", self.interface_endpoints),
            ("gateway_endpoints", self.gateway_endpoints),
        ):
            if isinstance(services, str) or len(set(services)) != len(services):
                raise ValueError(f"{argument}: must be a sequence of distinct service names (got {services!r})")
            bad = [s for s in services if not isinstance(s, str) or not _SERVICE_NAME.match(s)]
            if bad:
                raise ValueError(f"{argument}: service names are like 'sqs' or 'ecr.api' (got {bad!r})")
        unknown = sorted(set(self.gateway_endpoints) - set(GATEWAY_SERVICES))
        if unknown:
            raise ValueError(f"gateway_endpoints: must be among {', '.join(GATEWAY_SERVICES)} (got {unknown!r})")

    @property
    def resolved_az_count(self) -> int:
        """The number of AZs after defaults."""
        if self.az_count is not None:
            return self.az_count
        if self.availability_zones is not None:
            return len(self.availability_zones)
        return by_protection(self.protection, standard=2, hardened=3)

    @property
    def resolved_endpoint_az_count(self) -> int:
        """The number of AZs that get interface endpoint ENIs, after defaults."""
        if self.endpoint_az_count is not None:
            return self.endpoint_az_count
        return by_protection(self.protection, standard=1, hardened=self.resolved_az_count)

    def resolved_flow_log_retention_days(self) -> int:
        """Flow log retention after defaults; a retention shorter than the secure default warns."""
        default = defaults.log_retention_days(self.protection)
        return defaults.secure_at_least(
            "NetworkComponent", "flow_log_retention_days", default, self.flow_log_retention_days
        )


def _zone_suffix(zone: object) -> str | None:
    """``us-east-1a`` -> ``a``: the stable part of a child's name."""
    match = _AZ_SUFFIX.search(zone) if isinstance(zone, str) else None
    return match.group(0) if match else None


def subnet_cidrs(cidr: str, az_count: int) -> tuple[list[str], list[str]]:
    """The private and public subnet CIDRs for ``az_count`` AZs (see the module docstring for the layout)."""
    network = ipaddress.ip_network(cidr)
    blocks = [str(b) for b in network.subnets(prefixlen_diff=SUBNET_BLOCKS_BITS)]
    return blocks[:az_count], blocks[PUBLIC_BLOCK_OFFSET : PUBLIC_BLOCK_OFFSET + az_count]


def _role_key(service: str) -> str:
    """``ecr.api`` -> ``ecr-api``: endpoint child roles keep only name-safe characters."""
    return service.replace(".", "-")


class NetworkComponent(Component):
    """A VPC with private subnets, VPC endpoints, locked-down default security group and flow logs.

    Attributes: ``vpc``, ``vpc_id``, ``vpc_cidr``, ``private_subnet_ids``, ``public_subnet_ids`` (empty
    without NAT), ``app_security_group_id`` (for Lambdas in the VPC: egress 443 and 3306 inside the VPC, 443
    to gateway endpoints), ``endpoint_security_group_id``; the children (``private_subnets``,
    ``route_tables``, ``interface_endpoints``, ``gateway_endpoints``...) are exposed too.
    """

    def __init__(self, name: str, args: NetworkArgs | None = None, opts: pulumi.ResourceOptions | None = None):
        args = args or NetworkArgs()
        super().__init__("awssystems:network:NetworkComponent", name, args.transforms, opts)
        self._args = args
        self._zones = self._resolve_zones()
        self._create_vpc()
        self._lock_default_security_group()
        self._create_private_subnets()
        self._create_public_egress()
        self._create_gateway_endpoints()
        self._create_interface_endpoints()
        self._create_app_security_group()
        self._create_flow_logs()
        self._check_transforms_used()
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
                "app_security_group_id": self.app_security_group_id,
                "endpoint_security_group_id": self.endpoint_security_group_id,
            }
        )

    def _resolve_zones(self) -> list[tuple[str, pulumi.Input[str]]]:
        """(name suffix, AZ) per AZ. Suffixes are known now, so child names never wait on a lookup."""
        count = self._args.resolved_az_count
        if self._args.availability_zones is not None:
            return [(_zone_suffix(z) or "", z) for z in self._args.availability_zones]
        names = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self),
        ).names

        def pick(index: int) -> pulumi.Output[str]:
            def nth(found: list[str]) -> str:
                if index >= len(found):
                    raise ValueError(f"az_count: the region has {len(found)} available AZs (asked for {count})")
                return found[index]

            return names.apply(nth)

        return [(AZ_SUFFIXES[i], pick(i)) for i in range(count)]

    def _create_vpc(self) -> None:
        """The VPC, with the DNS settings private endpoints need; its ARN gives region, account, partition."""
        self.vpc = self._tagged(
            aws.ec2.Vpc, "vpc", cidr_block=self._args.cidr, enable_dns_support=True, enable_dns_hostnames=True
        )
        self.vpc_id: pulumi.Output[str] = self.vpc.id
        self.vpc_cidr: pulumi.Output[str] = self.vpc.cidr_block
        arn_parts = self.vpc.arn.apply(lambda arn: arn.split(":"))
        self._partition = arn_parts.apply(lambda p: p[1])
        self._region = arn_parts.apply(lambda p: p[3])
        self._account = arn_parts.apply(lambda p: p[4])

    def _lock_default_security_group(self) -> None:
        """Empty the VPC's default security group, so nothing uses it by accident (CKV2_AWS_12)."""
        self.default_security_group = self._child(
            aws.ec2.DefaultSecurityGroup, "default-sg", vpc_id=self.vpc.id, ingress=[], egress=[]
        )

    def _create_private_subnets(self) -> None:
        """A private subnet and a route table per AZ (per-AZ tables let each AZ use its own NAT gateway)."""
        private_cidrs, _ = subnet_cidrs(self._args.cidr, len(self._zones))
        self.private_subnets: list[aws.ec2.Subnet] = []
        self.route_tables: list[aws.ec2.RouteTable] = []
        for (suffix, zone), cidr in zip(self._zones, private_cidrs, strict=True):
            subnet = self._subnet(f"private-{suffix}", zone, cidr, {"kubernetes.io/role/internal-elb": "1"})
            table = self._tagged(aws.ec2.RouteTable, f"private-rt-{suffix}", vpc_id=self.vpc.id)
            self._associate(f"private-rta-{suffix}", subnet, table)
            self.private_subnets.append(subnet)
            self.route_tables.append(table)
        self.private_subnet_ids: pulumi.Output[list[str]] = pulumi.Output.all(*[s.id for s in self.private_subnets])

    def _create_public_egress(self) -> None:
        """Public subnets, an internet gateway and NAT gateways, only when NAT is asked for."""
        self.public_subnets: list[aws.ec2.Subnet] = []
        self.nat_gateways: list[aws.ec2.NatGateway] = []
        self.internet_gateway: aws.ec2.InternetGateway | None = None
        if self._args.nat_gateways == 0:
            self.public_subnet_ids: pulumi.Output[list[str]] = pulumi.Output.from_input([])
            return
        self.internet_gateway = self._tagged(aws.ec2.InternetGateway, "igw", vpc_id=self.vpc.id)
        public_table = self._tagged(aws.ec2.RouteTable, "public-rt", vpc_id=self.vpc.id)
        self._route("public-default-route", public_table, gateway_id=self.internet_gateway.id)
        _, public_cidrs = subnet_cidrs(self._args.cidr, len(self._zones))
        for (suffix, zone), cidr in zip(self._zones, public_cidrs, strict=True):
            subnet = self._subnet(f"public-{suffix}", zone, cidr, {"kubernetes.io/role/elb": "1"})
            self._associate(f"public-rta-{suffix}", subnet, public_table)
            self.public_subnets.append(subnet)
        count = self._args.nat_gateways
        for (suffix, _zone), subnet in zip(self._zones[:count], self.public_subnets[:count], strict=True):
            eip = self._tagged(aws.ec2.Eip, f"eip-{suffix}", domain="vpc", depends_on=[self.internet_gateway])
            self.nat_gateways.append(
                self._tagged(
                    aws.ec2.NatGateway,
                    f"nat-{suffix}",
                    allocation_id=eip.id,
                    subnet_id=subnet.id,
                    depends_on=[self.internet_gateway],
                )
            )
        for index, ((suffix, _zone), table) in enumerate(zip(self._zones, self.route_tables, strict=True)):
            nat = self.nat_gateways[index % len(self.nat_gateways)]  # the AZ's own NAT gateway when it has one
            self._route(f"private-nat-route-{suffix}", table, nat_gateway_id=nat.id)
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in self.public_subnets])

    def _create_gateway_endpoints(self) -> None:
        """Free S3/DynamoDB endpoints on every private route table."""
        self.gateway_endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for service in self._args.gateway_endpoints:
            self.gateway_endpoints[service] = self._endpoint(
                service, "Gateway", route_table_ids=[t.id for t in self.route_tables]
            )

    def _create_interface_endpoints(self) -> None:
        """Interface endpoints with private DNS, in the first ``endpoint_az_count`` private subnets."""
        self.endpoint_security_group = self._tagged(
            aws.ec2.SecurityGroup,
            "endpoints-sg",
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to the interface endpoints",
            ingress=[self._rule(HTTPS, "HTTPS from the VPC", cidr_blocks=[self.vpc.cidr_block])],
            egress=[],
        )
        self.endpoint_security_group_id: pulumi.Output[str] = self.endpoint_security_group.id
        endpoint_subnets = [s.id for s in self.private_subnets[: self._args.resolved_endpoint_az_count]]
        self.interface_endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for service in self._args.interface_endpoints:
            self.interface_endpoints[service] = self._endpoint(
                service,
                "Interface",
                private_dns_enabled=True,
                subnet_ids=endpoint_subnets,
                security_group_ids=[self.endpoint_security_group.id],
            )

    def _create_app_security_group(self) -> None:
        """The group for workloads in the VPC: HTTPS and MySQL inside the VPC, HTTPS to gateway endpoints."""
        egress = [
            self._rule(HTTPS, "HTTPS to interface endpoints in the VPC", cidr_blocks=[self.vpc.cidr_block]),
            self._rule(MYSQL, "MySQL/MariaDB in the VPC", cidr_blocks=[self.vpc.cidr_block]),
        ]
        if self.gateway_endpoints:
            egress.append(
                self._rule(
                    HTTPS,
                    "HTTPS to the S3/DynamoDB gateway endpoints",
                    prefix_list_ids=[e.prefix_list_id for e in self.gateway_endpoints.values()],
                )
            )
        self.app_security_group = self._tagged(
            aws.ec2.SecurityGroup,
            "app-sg",
            vpc_id=self.vpc.id,
            description="Application workloads: egress to AWS endpoints and the database only",
            ingress=[],
            egress=egress,
        )
        self.app_security_group_id: pulumi.Output[str] = self.app_security_group.id

    def _create_flow_logs(self) -> None:
        """Flow logs of ALL traffic to a log group with retention, through a role only this account's VPC flow
        logs can assume (CKV2_AWS_11)."""
        self.flow_log_group = self._child(
            aws.cloudwatch.LogGroup, "flow-log-group", retention_in_days=self._args.resolved_flow_log_retention_days()
        )
        flow_logs = self._arn("ec2", "vpc-flow-log/*")
        condition = {"StringEquals": {"aws:SourceAccount": self._account}, "ArnLike": {"aws:SourceArn": flow_logs}}
        self.flow_log_role = self._child(
            aws.iam.Role, "flow-log-role", assume_role_policy=assume_role_policy(FLOW_LOGS_PRINCIPAL, condition)
        )
        group_arn = self.flow_log_group.arn
        write = {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [group_arn, pulumi.Output.concat(group_arn, ":*")],
        }
        describe = {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": self._arn("logs", "log-group:*")}
        policy = self._child(
            aws.iam.RolePolicy,
            "flow-log-policy",
            role=self.flow_log_role.id,
            policy=policy_document([write, describe]),
        )
        self.flow_log = self._child(
            aws.ec2.FlowLog,
            "flow-log",
            vpc_id=self.vpc.id,
            traffic_type=defaults.VPC_FLOW_LOG_TRAFFIC_TYPE,
            log_destination_type="cloud-watch-logs",
            log_destination=group_arn,
            iam_role_arn=self.flow_log_role.arn,
            depends_on=[policy],
        )

    # --- small builders ------------------------------------------------------------------------------------
    def _tagged(
        self, resource: Callable[..., R], role: str, /, *, tags: Mapping[str, str] | None = None, **props: Any
    ) -> R:
        """A child tagged ``Name`` with its resource name (and ``tags``), so the console shows what it is."""
        return self._child(resource, role, **props, tags={"Name": self._child_name(role), **(tags or {})})

    def _subnet(self, role: str, zone: pulumi.Input[str], cidr: str, tags: dict[str, str]) -> aws.ec2.Subnet:
        return self._tagged(
            aws.ec2.Subnet,
            role,
            vpc_id=self.vpc.id,
            availability_zone=zone,
            cidr_block=cidr,
            map_public_ip_on_launch=False,  # CKV_AWS_130: only the NAT gateways' Elastic IPs are public
            tags=tags,
        )

    def _associate(self, role: str, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable) -> None:
        self._child(aws.ec2.RouteTableAssociation, role, subnet_id=subnet.id, route_table_id=table.id)

    def _route(self, role: str, table: aws.ec2.RouteTable, **target: Any) -> None:
        """A default route through ``target`` (``gateway_id`` or ``nat_gateway_id``)."""
        self._child(aws.ec2.Route, role, route_table_id=table.id, destination_cidr_block="0.0.0.0/0", **target)

    def _arn(self, service: str, resource: str) -> pulumi.Output[str]:
        """An ARN of ``service`` in this VPC's partition, region and account."""
        return pulumi.Output.format(
            "arn:{0}:{1}:{2}:{3}:{4}", self._partition, service, self._region, self._account, resource
        )

    def _endpoint(self, service: str, endpoint_type: str, **placement: Any) -> aws.ec2.VpcEndpoint:
        """The ``Gateway`` or ``Interface`` endpoint of ``service`` (``com.amazonaws.<region>.<service>``)."""
        return self._tagged(
            aws.ec2.VpcEndpoint,
            f"endpoint-{_role_key(service)}",
            vpc_id=self.vpc.id,
            service_name=self._service_name(service),
            vpc_endpoint_type=endpoint_type,
            **placement,
        )

    def _service_name(self, service: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("com.amazonaws.", self._region, ".", service)

    @staticmethod
    def _rule(port: int, description: str, **peer: pulumi.Input[Sequence[pulumi.Input[str]]]) -> dict:
        return {"protocol": "tcp", "from_port": port, "to_port": port, "description": description, **peer}
