"""What every system of a stack shares: its config, the dependency layer, where archives are built, the one network
and the us-east-1 provider; and which systems need the network and what it must offer them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from architectures import spec
from architectures.stack_config import StackConfig
from aws_systems import defaults
from aws_systems.network import NetworkComponent


@dataclass
class Platform:
    """What every system of a stack shares: its config, the dependency layer and where archives are built."""

    config: StackConfig
    stack: str
    layer_arn: pulumi.Input[str]
    build_dir: Path
    network: NetworkComponent | None = None
    """One VPC per stack, shared by the systems that need one (VPC endpoints are billed per VPC and AZ)."""
    us_east_1: aws.Provider | None = None


def needs_network(system: spec.System) -> bool:
    """Databases and Kubernetes live in private subnets."""
    return system.uses_database or runs_kubernetes(system)


def runs_kubernetes(system: spec.System) -> bool:
    return any(s.runtime == "kubernetes" for s in system.services)


def interface_endpoints(systems: list[spec.System]) -> tuple[str, ...]:
    """The VPC's interface endpoints: the library's defaults, plus what EKS nodes call when a system runs on EKS."""
    nodes = defaults.EKS_NODE_INTERFACE_ENDPOINTS if any(runs_kubernetes(s) for s in systems) else ()
    return (*defaults.VPC_INTERFACE_ENDPOINTS, *nodes)
