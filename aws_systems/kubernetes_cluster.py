"""An EKS cluster with a private API endpoint, encrypted secrets, control-plane logs, IRSA and private nodes.

``pulumi_eks.Cluster`` with a private API endpoint, Kubernetes secrets envelope-encrypted with a rotating KMS key,
every control-plane log type (into a log group created first, so its retention is ours), an IAM OIDC provider for
IRSA, and access entries (authentication mode ``API``). Nodes are the cluster's *default node group*: a self-managed
auto scaling group in the private subnets only. It is used rather than a managed node group because pulumi-eks returns
its auto scaling group name as a plain output (``default_node_group_asg_name``), which a
:class:`~components.kubernetes_service.KubernetesServiceComponent` needs to register nodes with its load balancer; a
managed node group hides it in nested outputs. pulumi-eks needs no access to the Kubernetes API here: with
authentication mode ``API`` it makes access entries instead of the ``aws-auth`` ConfigMap, installs the VPC CNI,
kube-proxy and CoreDNS as EKS add-ons through the AWS API, creates no StorageClass unless asked to, and probes the API
server's ``/healthz`` only when the endpoint is public. ``api_access_cidrs`` opens port 443 of the private endpoint to
named networks, for people and tools.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection
from aws_systems.kms import rotating_key
from aws_systems.validation import CLOUDWATCH_RETENTION_DAYS, check_cidrs, check_int, check_one_of

_EKS_VERSION = re.compile(r"^1\.\d{1,2}$")
_EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


def _check_cidrs(arg: str, cidrs: Sequence[str], *, public: bool) -> None:
    """Networks compared as networks (``aws_systems.validation.cidr_problem``): canonical blocks, never the whole
    internet; a public endpoint's also public IPv4 and no more than a /8's worth in all."""
    check_cidrs(arg, list(cidrs) if isinstance(cidrs, tuple) else cidrs, public=public)


def _kubeconfig_cluster(kubeconfig: Any) -> dict[str, Any]:
    """The ``cluster`` entry (server and CA) of the kubeconfig pulumi-eks outputs (an object, or its JSON)."""
    config = json.loads(kubeconfig) if isinstance(kubeconfig, str) else kubeconfig
    return config["clusters"][0]["cluster"]


@dataclass(kw_only=True)
class KubernetesClusterArgs:
    """An EKS cluster with a private endpoint, encrypted secrets, control-plane logs, IRSA and private nodes."""

    vpc_id: pulumi.Input[str]
    """The VPC (required)."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets for the control-plane ENIs and the nodes (required; at least two AZs)."""
    protection: Protection = "standard"
    """``"standard"`` (dev, qa) or ``"hardened"`` (stage, prod: more nodes, deletion protection)."""
    cluster_name: str | None = None
    """The EKS cluster name (default ``"<component name>-<stack>"``). Known up front so the control-plane log group
    can be created, with our retention, before EKS creates it."""
    version: str = "1.36"
    """Kubernetes version, ``"1.<minor>"`` (default ``"1.36"``, under EKS standard support until mid 2027)."""
    node_instance_type: str = "t3.medium"
    """EC2 instance type of the nodes (default ``"t3.medium"``)."""
    desired_nodes: int | None = None
    """Nodes to run (default 1 standard, 3 hardened)."""
    min_nodes: int | None = None
    """Smallest node count, >= 1 (default 1 standard, 2 hardened, never above ``desired_nodes``)."""
    max_nodes: int | None = None
    """Largest node count (default 2 standard, 6 hardened, never below ``desired_nodes``)."""
    endpoint_public_access: bool = False
    """Also expose the Kubernetes API publicly (default ``False``: private endpoint only; ``True`` warns)."""
    public_access_cidrs: Sequence[str] = ()
    """CIDRs allowed to the public endpoint (default none, which AWS reads as 0.0.0.0/0, with a warning); only
    with ``endpoint_public_access=True``."""
    api_access_cidrs: Sequence[str] = ()
    """CIDRs inside the network (a VPN, a bastion's subnet) allowed to the private API endpoint on 443, for people
    and tools (default none: only the nodes and the services' apply functions). Deploys do not need them."""
    log_retention_days: int | None = None
    """Retention of the control-plane log group (default ``defaults.log_retention_days(protection)``)."""
    transforms: Transforms | None = None
    """Per-child overrides by role: secrets-key, log-group, cluster, and ``api-access-<cidr>`` (the CIDR with every
    character other than a letter or digit replaced by '-')."""

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        if self.cluster_name is not None and not _EKS_CLUSTER_NAME.match(self.cluster_name):
            raise ValueError(
                "cluster_name: must be 1-100 letters, digits, '-' or '_', starting with a letter or digit "
                f"(got {self.cluster_name!r})"
            )
        if not isinstance(self.version, str) or not _EKS_VERSION.match(self.version):
            raise ValueError(f"version: must look like '1.33' (got {self.version!r})")
        if not isinstance(self.node_instance_type, str) or "." not in self.node_instance_type:
            raise ValueError(
                f"node_instance_type: must be an EC2 instance type such as 't3.medium' "
                f"(got {self.node_instance_type!r})"
            )
        self._check_node_counts()
        if self.public_access_cidrs and not self.endpoint_public_access:
            raise ValueError("public_access_cidrs: only allowed with endpoint_public_access=True")
        _check_cidrs("public_access_cidrs", self.public_access_cidrs, public=True)
        _check_cidrs("api_access_cidrs", self.api_access_cidrs, public=False)
        if self.log_retention_days is not None:
            check_one_of("log_retention_days", self.log_retention_days, CLOUDWATCH_RETENTION_DAYS)

    def _check_node_counts(self) -> None:
        for arg in ("desired_nodes", "min_nodes", "max_nodes"):
            if (value := getattr(self, arg)) is not None:
                check_int(arg, value, 1)
        desired = self.nodes[1]
        if self.min_nodes is not None and self.min_nodes > desired:
            raise ValueError(f"min_nodes: must be <= desired_nodes ({self.min_nodes} > {desired})")
        if self.max_nodes is not None and self.max_nodes < desired:
            raise ValueError(f"max_nodes: must be >= desired_nodes ({self.max_nodes} < {desired})")

    @property
    def nodes(self) -> tuple[int, int, int]:
        """``(min, desired, max)`` after the protection defaults."""
        p = self.protection
        desired = self.desired_nodes or defaults.by_protection(p, standard=1, hardened=3)
        low = self.min_nodes or min(desired, defaults.by_protection(p, standard=1, hardened=2))
        high = self.max_nodes or max(desired, defaults.by_protection(p, standard=2, hardened=6))
        return low, desired, high


class KubernetesClusterComponent(Component):
    """An EKS cluster with a private API endpoint; see the module docstring for the design.

    Attributes: ``cluster`` (``pulumi_eks.Cluster``), ``secrets_key``, ``log_group``, ``protection``, ``version``,
    ``private_subnet_ids``, and the outputs ``cluster_name``, ``endpoint`` (the API server's URL),
    ``certificate_authority`` (its CA, base64 PEM as in a kubeconfig), ``cluster_security_group_id``,
    ``oidc_provider_arn``, ``oidc_provider_url`` (issuer without ``https://``), ``node_security_group_id`` and
    ``node_group_asg_name``.
    """

    def __init__(self, name: str, args: KubernetesClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:kubernetes:KubernetesClusterComponent", name, args.transforms, opts)
        self._args = args
        self.protection: Protection = args.protection
        self._normalize()
        self._create_secrets_key()
        self._create_log_group()
        self._create_cluster()
        self._create_api_access()
        self._check_transforms_used()
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_provider_url": self.oidc_provider_url,
                "node_security_group_id": self.node_security_group_id,
            }
        )

    def _normalize(self) -> None:
        a = self._args
        self._cluster_name = a.cluster_name or f"{self._name}-{pulumi.get_stack()}"
        if not _EKS_CLUSTER_NAME.match(self._cluster_name):
            raise ValueError(f"cluster_name: the default {self._cluster_name!r} is not a valid EKS name; pass one")
        self._public = defaults.secure(
            "KubernetesClusterComponent",
            "endpoint_public_access",
            defaults.EKS_ENDPOINT_PUBLIC_ACCESS,
            a.endpoint_public_access,
        )
        if self._public and not a.public_access_cidrs:
            pulumi.log.warn(
                "KubernetesClusterComponent: public endpoint without public_access_cidrs is open to "
                "0.0.0.0/0; restrict it to your CI and office ranges"
            )
        self._retention = a.log_retention_days or defaults.log_retention_days(a.protection)
        self.version = a.version
        self.private_subnet_ids = a.private_subnet_ids

    def _create_secrets_key(self) -> None:
        description = f"Envelope encryption of Kubernetes secrets in EKS cluster {self._cluster_name}"
        self.secrets_key = rotating_key(self, "secrets-key", description, self.protection)

    def _create_log_group(self) -> None:
        self.log_group = self._child(
            aws.cloudwatch.LogGroup,
            "log-group",
            name=f"/aws/eks/{self._cluster_name}/cluster",
            retention_in_days=self._retention,
        )

    def _create_cluster(self) -> None:
        a = self._args
        low, desired, high = a.nodes
        self.cluster = self._child(
            eks.Cluster,
            "cluster",
            name=self._cluster_name,
            version=a.version,
            vpc_id=a.vpc_id,
            private_subnet_ids=a.private_subnet_ids,
            node_subnet_ids=a.private_subnet_ids,
            node_associate_public_ip_address=False,
            endpoint_private_access=True,
            endpoint_public_access=self._public,
            public_access_cidrs=list(a.public_access_cidrs) or None,
            authentication_mode=eks.AuthenticationMode.API,
            create_oidc_provider=True,
            encryption_config_key_arn=self.secrets_key.arn,
            enabled_cluster_log_types=list(defaults.EKS_CONTROL_PLANE_LOGS),
            instance_type=a.node_instance_type,
            desired_capacity=desired,
            min_size=low,
            max_size=high,
            node_root_volume_encrypted=True,
            deletion_protection=self.protection == "hardened",
            depends_on=[self.log_group],
        )
        self.cluster_name: pulumi.Output[str] = self.cluster.urn.apply(lambda _: self._cluster_name)
        self.oidc_provider_arn: pulumi.Output[str] = self.cluster.oidc_provider_arn
        self.oidc_provider_url: pulumi.Output[str] = self.cluster.oidc_issuer
        self.node_security_group_id: pulumi.Output[str] = self.cluster.node_security_group_id
        self.node_group_asg_name: pulumi.Output[str] = self.cluster.default_node_group_asg_name
        self.cluster_security_group_id: pulumi.Output[str] = self.cluster.cluster_security_group_id
        api_server = self.cluster.kubeconfig.apply(_kubeconfig_cluster)
        self.endpoint: pulumi.Output[str] = api_server.apply(lambda c: c["server"])
        self.certificate_authority: pulumi.Output[str] = api_server.apply(lambda c: c["certificate-authority-data"])

    def _create_api_access(self) -> None:
        """Let named networks reach the private API endpoint (the cluster security group admits only nodes)."""
        for cidr in self._args.api_access_cidrs:
            role = "api-access-" + re.sub(r"[^A-Za-z0-9]", "-", cidr)
            ipv6 = ":" in cidr
            self._child(
                aws.vpc.SecurityGroupIngressRule,
                role,
                security_group_id=self.cluster.cluster_security_group_id,
                cidr_ipv4=None if ipv6 else cidr,
                cidr_ipv6=cidr if ipv6 else None,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description=f"Kubernetes API from {cidr}",
            )
