"""Kubernetes on EKS: a private, encrypted cluster, and a hardened service that an API Gateway HTTP API reaches.

**Cluster.** ``pulumi_eks.Cluster`` with a private API endpoint, Kubernetes secrets envelope-encrypted with a
rotating KMS key, every control-plane log type (into a log group created first, so its retention is ours), an IAM
OIDC provider for IRSA, and access entries (authentication mode ``API``). Nodes are the cluster's *default node
group*: a self-managed auto scaling group in the private subnets only. It is used rather than a managed node group
because pulumi-eks returns its auto scaling group name as a plain output (``default_node_group_asg_name``), which the
service below needs to register nodes with its load balancer; a managed node group hides it in nested outputs.
pulumi-eks needs no access to the Kubernetes API here: with authentication mode ``API`` it makes access entries
instead of the ``aws-auth`` ConfigMap, installs the VPC CNI, kube-proxy and CoreDNS as EKS add-ons through the AWS
API, creates no StorageClass unless asked to, and probes the API server's ``/healthz`` only when the endpoint is
public. ``api_access_cidrs`` opens port 443 of the private endpoint to named networks, for people and tools.

**Applying the workload from inside the VPC.** The API endpoint is private, the VPC is created by the same ``pulumi
up``, its private subnets have no NAT, and deploys run on hosted CI runners outside it: nothing where ``pulumi up``
runs can reach the Kubernetes API, so Kubernetes objects made by a Pulumi provider would time out on a first deploy.
So, as AWS CDK's ``aws-eks`` module does for private clusters with its kubectl handler, the service renders its
Kubernetes objects as plain manifests (``manifests``) and a small function in the cluster's private subnets applies
them. An ``aws.lambda_.Invocation`` with lifecycle ``CRUD`` calls it with the manifests whenever they or its code
change, and once more on delete. The function signs its own EKS token (a presigned STS ``GetCallerIdentity``; it calls
no AWS API, so it needs no endpoint), trusts only the cluster's CA, server-side applies each manifest, prunes the
objects of its set that the manifests no longer name, and waits for the Deployment's rollout, failing the deploy with
what is not ready. Its role reaches the cluster through an EKS access entry associated with
``AmazonEKSClusterAdminPolicy`` *scoped to the service's namespace*: the only EKS access policy that may create a
Namespace, and the scope keeps it to that namespace and what is in it. Its security group reaches the cluster
security group on 443 and nothing else. A public endpoint (``endpoint_public_access``) remains an option; the
deploy path is the same.

**Path from API Gateway to the pods.** An HTTP API private integration needs a load balancer *listener ARN* and a
VPC link, and Pulumi must know that ARN. So Pulumi owns the load balancer too:

    HTTP API -> VPC link (its own SG) -> internal NLB (TCP listener, its own SG)
             -> target group of *instance* targets on a fixed NodePort -> kube-proxy -> pods

The target group is attached to the node group's auto scaling group (``aws.autoscaling.Attachment``), so every node,
including those started later, is registered without hand-made steps, and the Kubernetes Service is a ``NodePort``
with that fixed port. This needs no in-cluster controller (the AWS Load Balancer Controller and its TargetGroupBinding
would add Helm, another IRSA role and CRDs for the same result); the cost is one kube-proxy hop and a node port that
must be unique in the cluster (derived from the namespace and name unless given). The target group does not preserve
the client IP, so the nodes see the NLB's address and security-group references work: VPC link SG -> NLB SG on the
listener port only, NLB SG -> node SG on the node port only.
The load balancer, the target group, the roles and the apply function have short AWS name limits (32 and 64
characters) that auto-naming's 8 extra characters overrun for long instance names: they get explicit names from
:func:`fitted_name`.

**Pods** run as a non-root user with a read-only root filesystem, no privilege escalation, all capabilities dropped,
the RuntimeDefault seccomp profile, requests and limits, and readiness and liveness probes, in a namespace that
enforces the Kubernetes ``restricted`` Pod Security Standard. AWS access is IRSA only: one IAM role per service
account, trusted for exactly ``system:serviceaccount:<namespace>:<name>``. The Kubernetes API token is not mounted
(the IRSA webhook projects its own web-identity token), because the service never calls the Kubernetes API.
"""

from __future__ import annotations

import fnmatch
import hashlib
import ipaddress
import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

from components import defaults
from components._base import Component, Transforms
from components.defaults import Protection
from components.iam import VPC_ACCESS, XRAY, assume_role_policy, check_statements, policy_document, statement
from components.kms import rotating_key
from components.packaging import code_archive
from components.validation import CLOUDWATCH_RETENTION_DAYS, check_int, check_one_of

# --- limits of the platforms (not security choices) ------------------------------------------------------------
_EKS_VERSION = re.compile(r"^1\.\d{1,2}$")
_EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
_MEMORY = re.compile(r"^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEMORY_FACTORS = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}
NODE_PORT_RANGE = (30000, 32767)
"""Kubernetes' default NodePort range."""

_OIDC_AUDIENCE = "sts.amazonaws.com"
COMPONENTS = Path(__file__).resolve().parent
APPLY_HANDLER = "components.kube_apply.apply.handler"
APPLY_TIMEOUT_SECONDS = 900  # Lambda's maximum: a first rollout waits for nodes to join and the image to be pulled
# The only EKS access policy that may create a Namespace; associated with the service's namespace as its scope.
APPLY_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"
_SELECTOR_LABEL = "app.kubernetes.io/name"
# Longest names AWS accepts; the provider's auto-naming adds 8 characters, so these children get explicit names.
LOAD_BALANCER_NAME_LIMIT = 32  # load balancers and target groups
IAM_ROLE_NAME_LIMIT = 64
LAMBDA_FUNCTION_NAME_LIMIT = 64
_NAME_HASH_CHARS = 8


def fitted_name(logical: str, limit: int, *replaced_by: object) -> str:
    """An explicit AWS name for the child ``logical`` that fits ``limit`` whatever the instance name.

    It is the logical name, cut to fit, then ``-`` and 8 hex characters of a hash of the project, the stack, the
    whole logical name and ``replaced_by``. So it is stable across runs, two stacks in one account never collide
    (which auto-naming's random suffix guaranteed), and two long names that share a beginning stay apart. Pass in
    ``replaced_by`` the plain values whose change makes AWS replace the resource: the replacement then gets a new
    name and can be created before the old one is deleted.
    """
    if limit <= _NAME_HASH_CHARS + 1:
        raise ValueError(f"limit: must leave room for the {_NAME_HASH_CHARS}-character hash (got {limit})")
    key = "\0".join(str(part) for part in (pulumi.get_project(), pulumi.get_stack(), logical, *replaced_by))
    digest = hashlib.sha256(key.encode()).hexdigest()[:_NAME_HASH_CHARS]
    head = logical[: limit - _NAME_HASH_CHARS - 1].rstrip("-_")
    return f"{head}-{digest}"


def _check_dns_label(arg: str, value: str) -> None:
    if not isinstance(value, str) or not _DNS_LABEL.match(value):
        raise ValueError(
            f"{arg}: must be a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter "
            f"or digit (got {value!r})"
        )


def _check_cidrs(arg: str, cidrs: Sequence[str]) -> None:
    if isinstance(cidrs, str):
        raise ValueError(f"{arg}: must be a list of CIDR blocks, not one string (got {cidrs!r})")
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr)
        except (TypeError, ValueError):
            raise ValueError(f"{arg}: must be CIDR blocks (got {cidr!r})") from None
    if len(set(cidrs)) != len(cidrs):
        raise ValueError(f"{arg}: must not repeat a CIDR block")


def _cpu_millis(arg: str, value: str) -> float:
    """A Kubernetes CPU quantity (``"250m"``, ``"0.5"``, ``"2"``) in millicores."""
    match = _CPU.match(value) if isinstance(value, str) else None
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{arg}: must be a positive CPU quantity such as '250m' or '1' (got {value!r})")
    number = float(match.group(1))
    return number if match.group(2) else number * 1000


def _memory_bytes(arg: str, value: str) -> int:
    """A Kubernetes memory quantity (``"128Mi"``, ``"1G"``) in bytes."""
    match = _MEMORY.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"{arg}: must be a positive memory quantity such as '128Mi' or '1Gi' (got {value!r})")
    return int(match.group(1)) * _MEMORY_FACTORS[match.group(2) or ""]


def _kubeconfig_cluster(kubeconfig: Any) -> dict[str, Any]:
    """The ``cluster`` entry (server and CA) of the kubeconfig pulumi-eks outputs (an object, or its JSON)."""
    config = json.loads(kubeconfig) if isinstance(kubeconfig, str) else kubeconfig
    return config["clusters"][0]["cluster"]


def context_hash(build_context: Path, dockerfile: str, platform: str, named: Mapping[str, Path] | None = None) -> str:
    """A stable hash of everything that goes into the image: the files of the build context and of the named
    contexts, the Dockerfile path and the platform. It is the image tag, so a new tag exists exactly when the content
    changed (ECR tags are immutable). ``.dockerignore`` patterns are honoured in their simple form (no ``!``
    exceptions); a file hashed that Docker ignores only costs an unneeded rebuild, never a stale image.
    """
    digest = hashlib.sha256(f"{dockerfile}\0{platform}\0".encode())
    _hash_files(digest, build_context)
    for name, directory in sorted((named or {}).items()):
        digest.update(f"--from={name}\0".encode())
        _hash_files(digest, directory)
    return digest.hexdigest()[:20]


def _hash_files(digest: Any, build_context: Path) -> None:
    ignore_file = build_context / ".dockerignore"
    patterns = [".git", ".git/*"]
    if ignore_file.is_file():
        for line in ignore_file.read_text().splitlines():
            line = line.strip().strip("/")
            if line and not line.startswith(("#", "!")):
                patterns += [line, f"{line}/*"]
    for path in sorted(p for p in build_context.rglob("*") if p.is_file()):
        relative = path.relative_to(build_context).as_posix()
        if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
            continue
        digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())


# ======================================================================================================== cluster
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
        _check_cidrs("public_access_cidrs", self.public_access_cidrs)
        _check_cidrs("api_access_cidrs", self.api_access_cidrs)
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
        self.log_group = aws.cloudwatch.LogGroup(
            self._child_name("log-group"),
            **self._props(
                "log-group",
                name=f"/aws/eks/{self._cluster_name}/cluster",
                retention_in_days=self._retention,
            ),
            opts=self._opts(),
        )

    def _create_cluster(self) -> None:
        a = self._args
        low, desired, high = a.nodes
        self.cluster = eks.Cluster(
            self._child_name("cluster"),
            **self._props(
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
            ),
            opts=self._opts(depends_on=[self.log_group]),
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
            aws.vpc.SecurityGroupIngressRule(
                self._child_name(role),
                **self._props(
                    role,
                    security_group_id=self.cluster.cluster_security_group_id,
                    cidr_ipv4=None if ipv6 else cidr,
                    cidr_ipv6=cidr if ipv6 else None,
                    ip_protocol="tcp",
                    from_port=443,
                    to_port=443,
                    description=f"Kubernetes API from {cidr}",
                ),
                opts=self._opts(),
            )


# ======================================================================================================== service
@dataclass(kw_only=True)
class KubernetesServiceArgs:
    """A containerised HTTP service on a :class:`KubernetesClusterComponent`, reachable through a VPC link.

    Pass either ``build_context`` (build and push the image here) or ``image_uri`` (an image CI already pushed).
    """

    cluster: KubernetesClusterComponent
    """The cluster to run on (required)."""
    vpc_id: pulumi.Input[str]
    """The cluster's VPC (required)."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets for the internal NLB and the VPC link (required)."""
    protection: Protection = "standard"
    """``"standard"`` (dev, qa) or ``"hardened"`` (stage, prod: 2 replicas, NLB deletion protection, ECR repository
    kept when not empty)."""
    build_context: str | Path | None = None
    """Directory holding the Dockerfile and the code (default none); must exist. Exclusive with ``image_uri``."""
    dockerfile: str = "Dockerfile"
    """Dockerfile path inside ``build_context`` (default ``"Dockerfile"``)."""
    named_contexts: Mapping[str, str | Path] = field(default_factory=dict)
    """More directories the Dockerfile copies from with ``COPY --from=<name>`` (default none); each must exist, and
    its files count in the image tag as the main context's do."""
    image_uri: pulumi.Input[str] | None = None
    """An image already pushed, ideally by digest (default none); nothing is built. Exclusive with
    ``build_context``."""
    platform: str = "linux/amd64"
    """Platform to build for; match the node instance type (default ``"linux/amd64"``)."""
    port: int = 8080
    """Port the container listens on; also the NLB listener port (default 8080)."""
    node_port: int | None = None
    """Fixed NodePort, 30000-32767, unique in the cluster (default derived from namespace and name)."""
    replicas: int | None = None
    """Pod count (default 1 standard, 2 hardened). Above 1: spread across zones and nodes, with a disruption
    budget."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variables (default none). No secrets: pass an ARN and read the secret at run time."""
    policy_statements: Sequence[Mapping[str, Any]] = ()
    """IAM statements for the pods' IRSA role (default none: the role has no permissions). Each needs Effect,
    Action and Resource; wildcard actions (``*``, ``s3:*``) are refused."""
    health_path: str = "/health"
    """HTTP path of the readiness, liveness and NLB health checks (default ``"/health"``)."""
    cpu_request: str = "100m"
    """CPU request (default ``"100m"``)."""
    memory_request: str = "128Mi"
    """Memory request (default ``"128Mi"``)."""
    cpu_limit: str = "500m"
    """CPU limit, >= the request (default ``"500m"``)."""
    memory_limit: str = "256Mi"
    """Memory limit, >= the request (default ``"256Mi"``)."""
    namespace: str | None = None
    """Kubernetes namespace, created here (default the component name)."""
    keep_images: int = defaults.ECR_KEEP_LAST_IMAGES
    """Images the ECR lifecycle policy keeps (default ``defaults.ECR_KEEP_LAST_IMAGES``)."""
    build_dir: str | Path | None = None
    """Where the apply function's code archive is written (default ``awssystems-build`` in the system's temporary
    directory)."""
    transforms: Transforms | None = None
    """Per-child overrides by role. AWS children: repo, lifecycle-policy, image, role, role-policy, vpc-link-sg,
    nlb-sg, vpc-link-egress, nlb-ingress, nlb-egress, node-ingress, nlb, target-group, listener, asg-attachment,
    vpc-link, and the apply function's apply-logs, apply-role, apply-policy, apply-sg, apply-egress, apply-api-ingress,
    apply, apply-access, apply-access-policy, apply-run. Kubernetes manifests (the transform gets the manifest's keys):
    namespace, service-account, deployment, pdb, service."""

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        if not isinstance(self.cluster, KubernetesClusterComponent):
            raise ValueError(f"cluster: must be a KubernetesClusterComponent (got {type(self.cluster).__name__})")
        self._check_image_source()
        check_int("port", self.port, 1, 65535)
        if self.node_port is not None:
            check_int("node_port", self.node_port, *NODE_PORT_RANGE)
        if self.replicas is not None:
            check_int("replicas", self.replicas, 1, 100)
        check_int("keep_images", self.keep_images, 1, 1000)
        for key in self.environment:
            if not isinstance(key, str) or not _ENV_NAME.match(key):
                raise ValueError(f"environment: names must be letters, digits and '_' (got {key!r})")
        check_statements("policy_statements", self.policy_statements)
        if not isinstance(self.health_path, str) or not self.health_path.startswith("/"):
            raise ValueError(f"health_path: must start with '/' (got {self.health_path!r})")
        if _cpu_millis("cpu_request", self.cpu_request) > _cpu_millis("cpu_limit", self.cpu_limit):
            raise ValueError(f"cpu_limit: must be >= cpu_request ({self.cpu_limit} < {self.cpu_request})")
        if _memory_bytes("memory_request", self.memory_request) > _memory_bytes("memory_limit", self.memory_limit):
            raise ValueError(f"memory_limit: must be >= memory_request ({self.memory_limit} < {self.memory_request})")
        if self.namespace is not None:
            _check_dns_label("namespace", self.namespace)

    def _check_image_source(self) -> None:
        if (self.build_context is None) == (self.image_uri is None):
            raise ValueError("build_context: pass either build_context or image_uri, not both and not neither")
        if self.build_context is None:
            return
        context = Path(self.build_context)
        if not context.is_dir():
            raise ValueError(f"build_context: must be an existing directory (got {str(context)!r})")
        if not (context / self.dockerfile).is_file():
            raise ValueError(f"dockerfile: {self.dockerfile!r} not found in {str(context)!r}")
        for name, directory in self.named_contexts.items():
            if not Path(directory).is_dir():
                raise ValueError(f"named_contexts.{name}: must be an existing directory (got {str(directory)!r})")

    @property
    def replica_count(self) -> int:
        """Replicas after the protection default."""
        return self.replicas or defaults.by_protection(self.protection, standard=1, hardened=2)


class KubernetesServiceComponent(Component):
    """One HTTP microservice on EKS: ECR repository and image, IRSA role, the manifests of its namespace,
    ServiceAccount, Deployment, NodePort Service and disruption budget, the function that applies them from inside
    the VPC, and the internal NLB + VPC link an HTTP API integrates with. See the module docstring for the design.

    Attributes: the children by role (``repository``, ``image`` or ``None``, ``role``, ``load_balancer``,
    ``target_group``, ``listener``, ``vpc_link``, ``apply_function``, ``apply_role``, ``apply_security_group``,
    ``access_entry``, ``apply_run``), ``manifests`` (an output of the list of manifest dicts, in apply order) and
    the outputs ``repository_url``, ``image_ref``, ``role_arn``, ``listener_arn``, ``vpc_link_id``, ``namespace``
    (known once the manifests are applied); plus ``node_port`` (int).
    """

    def __init__(self, name: str, args: KubernetesServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:kubernetes:KubernetesServiceComponent", name, args.transforms, opts)
        self._args = args
        self._cluster = args.cluster
        self._normalize()
        self._create_repository()
        self._create_image()
        self._create_role()
        self._render_manifests()
        self._create_security_groups()
        self._create_load_balancer()
        self._create_vpc_link()
        self._create_apply_network()
        self._create_apply_function()
        self._grant_cluster_access()
        self._apply_manifests()
        self._check_transforms_used()
        self.register_outputs(
            {
                "repository_url": self.repository_url,
                "image_ref": self.image_ref,
                "role_arn": self.role_arn,
                "listener_arn": self.listener_arn,
                "vpc_link_id": self.vpc_link_id,
                "namespace": self.namespace,
            }
        )

    # --- preparation -------------------------------------------------------------------------------------------
    def _normalize(self) -> None:
        a = self._args
        _check_dns_label("name", self._name)
        self._namespace = a.namespace or self._name
        _check_dns_label("namespace", self._namespace)
        self.node_port: int = a.node_port or self._derived_node_port()
        self._replicas = a.replica_count
        self._labels = {_SELECTOR_LABEL: self._name, "app.kubernetes.io/managed-by": "pulumi"}
        self._build_dir = Path(a.build_dir or Path(tempfile.gettempdir()) / "awssystems-build")

    def _derived_node_port(self) -> int:
        """A stable port in the NodePort range from namespace and name: unique in practice, fixed across runs."""
        low, high = NODE_PORT_RANGE
        digest = int(hashlib.sha256(f"{self._namespace}/{self._name}".encode()).hexdigest(), 16)
        return low + digest % (high - low + 1)

    def _metadata(self, **extra: Any) -> dict[str, Any]:
        return {"name": self._name, "namespace": self._namespace, "labels": dict(self._labels), **extra}

    # --- image -------------------------------------------------------------------------------------------------
    def _create_repository(self) -> None:
        hardened = self._args.protection == "hardened"
        self.repository = aws.ecr.Repository(
            self._child_name("repo"),
            **self._props(
                "repo",
                image_tag_mutability=defaults.ECR_IMAGE_TAG_MUTABILITY,
                image_scanning_configuration={"scan_on_push": defaults.ECR_SCAN_ON_PUSH},
                encryption_configurations=[{"encryption_type": "KMS"}],
                force_delete=not hardened,
            ),
            opts=self._opts(),
        )
        policy = {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Keep the last {self._args.keep_images} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": self._args.keep_images,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
        aws.ecr.LifecyclePolicy(
            self._child_name("lifecycle-policy"),
            **self._props("lifecycle-policy", repository=self.repository.name, policy=json.dumps(policy)),
            opts=self._opts(),
        )
        self.repository_url: pulumi.Output[str] = self.repository.repository_url

    def _create_image(self) -> None:
        """Build and push when no ``image_uri`` was given; the tag is the build context's content hash."""
        a = self._args
        self.image = None
        if a.image_uri is not None:
            self.image_ref: pulumi.Output[str] = pulumi.Output.from_input(a.image_uri)
            return
        import pulumi_docker_build as docker_build  # needed only when building here

        context = Path(a.build_context).resolve()  # type: ignore[arg-type]  # checked in KubernetesServiceArgs
        named = {name: Path(directory).resolve() for name, directory in sorted(a.named_contexts.items())}
        tag = context_hash(context, a.dockerfile, a.platform, named)
        token = aws.ecr.get_authorization_token_output(
            registry_id=self.repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.image = docker_build.Image(
            self._child_name("image"),
            **self._props(
                "image",
                context={
                    "location": str(context),
                    "named": {name: {"location": str(directory)} for name, directory in named.items()},
                },
                dockerfile={"location": str(context / a.dockerfile)},
                platforms=[a.platform],
                push=True,
                tags=[self.repository.repository_url.apply(lambda url: f"{url}:{tag}")],
                registries=[
                    {
                        "address": self.repository.repository_url,
                        "username": token.user_name,
                        "password": token.password,
                    }
                ],
            ),
            opts=self._opts(),
        )
        self.image_ref = self.image.ref

    # --- identity ----------------------------------------------------------------------------------------------
    def _create_role(self) -> None:
        c = self._cluster
        subject = f"system:serviceaccount:{self._namespace}:{self._name}"
        trust = pulumi.Output.all(c.oidc_provider_arn, c.oidc_provider_url).apply(
            lambda v: {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": v[0]},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {f"{v[1]}:sub": subject, f"{v[1]}:aud": _OIDC_AUDIENCE}},
                    }
                ],
            }
        )
        self.role = aws.iam.Role(
            self._child_name("role"),
            **self._props(
                "role",
                name=fitted_name(self._child_name("role"), IAM_ROLE_NAME_LIMIT),
                description=f"IRSA role of {subject}",
                assume_role_policy=pulumi.Output.json_dumps(trust),
            ),
            opts=self._opts(),
        )
        if self._args.policy_statements:
            aws.iam.RolePolicy(
                self._child_name("role-policy"),
                **self._props(
                    "role-policy",
                    role=self.role.id,
                    policy=policy_document([dict(s) for s in self._args.policy_statements]),
                ),
                opts=self._opts(),
            )
        self.role_arn: pulumi.Output[str] = self.role.arn

    # --- Kubernetes manifests ------------------------------------------------------------------------------------
    def _render_manifests(self) -> None:
        """The workload as Kubernetes manifests, in the order they are applied; each overridable by its role."""
        rendered = [
            self._props("namespace", **self._namespace_manifest()),
            self._props("service-account", **self._service_account_manifest()),
            self._props("deployment", **self._deployment_manifest()),
            self._props("service", **self._service_manifest()),
        ]
        if self._replicas > 1:
            rendered.append(self._props("pdb", **self._disruption_budget_manifest()))
        self.manifests: pulumi.Output[list[dict[str, Any]]] = pulumi.Output.from_input(rendered)

    def _namespace_manifest(self) -> dict[str, Any]:
        enforce = defaults.POD_SECURITY_STANDARD
        labels = {f"pod-security.kubernetes.io/{mode}": enforce for mode in ("enforce", "warn", "audit")}
        return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self._namespace, "labels": labels}}

    def _service_account_manifest(self) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": self._metadata(annotations={"eks.amazonaws.com/role-arn": self.role.arn}),
            "automountServiceAccountToken": False,
        }

    def _container(self) -> dict[str, Any]:
        a = self._args
        probe = {"httpGet": {"path": a.health_path, "port": "http"}, "timeoutSeconds": 2}
        return {
            "name": "app",
            "image": self.image_ref,
            "ports": [{"name": "http", "containerPort": a.port, "protocol": "TCP"}],
            "env": [{"name": key, "value": value} for key, value in sorted(a.environment.items())],
            "resources": {
                "requests": {"cpu": a.cpu_request, "memory": a.memory_request},
                "limits": {"cpu": a.cpu_limit, "memory": a.memory_limit},
            },
            "readinessProbe": {**probe, "periodSeconds": 10, "failureThreshold": 3},
            "livenessProbe": {**probe, "initialDelaySeconds": 10, "periodSeconds": 20, "failureThreshold": 3},
            "securityContext": {
                "runAsNonRoot": True,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
            },
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108 (a private emptyDir)
        }

    def _selector(self) -> dict[str, Any]:
        return {"matchLabels": {_SELECTOR_LABEL: self._name}}

    def _spread(self) -> list[dict[str, Any]]:
        """Spread replicas over zones, then nodes; best effort so a small cluster still schedules them."""
        if self._replicas < 2:
            return []
        return [
            {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": self._selector()}
            for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
        ]

    def _deployment_manifest(self) -> dict[str, Any]:
        user = defaults.POD_RUN_AS_USER
        pod_spec: dict[str, Any] = {
            "serviceAccountName": self._name,
            "automountServiceAccountToken": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": user,
                "runAsGroup": user,
                "fsGroup": user,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [self._container()],
            "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
        }
        if spread := self._spread():
            pod_spec["topologySpreadConstraints"] = spread
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": self._metadata(),
            "spec": {
                "replicas": self._replicas,
                "selector": self._selector(),
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                "template": {"metadata": {"labels": dict(self._labels)}, "spec": pod_spec},
            },
        }

    def _disruption_budget_manifest(self) -> dict[str, Any]:
        return {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": self._metadata(),
            "spec": {"maxUnavailable": 1, "selector": self._selector()},
        }

    def _service_manifest(self) -> dict[str, Any]:
        port = {"name": "http", "protocol": "TCP", "port": self._args.port, "targetPort": "http"}
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self._metadata(),
            "spec": {
                "type": "NodePort",
                "selector": {_SELECTOR_LABEL: self._name},
                "ports": [{**port, "nodePort": self.node_port}],
            },
        }

    # --- network path from API Gateway -------------------------------------------------------------------------
    def _security_group(self, role: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            self._child_name(role),
            **self._props(role, vpc_id=self._args.vpc_id, description=description),
            opts=self._opts(),
        )

    def _rule(
        self, kind: type, role: str, group: pulumi.Input[str], peer: pulumi.Input[str], port: int
    ) -> pulumi.CustomResource:
        return kind(
            self._child_name(role),
            **self._props(
                role,
                security_group_id=group,
                referenced_security_group_id=peer,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"{self._name}: TCP {port}",
            ),
            opts=self._opts(),
        )

    def _create_security_groups(self) -> None:
        """VPC link -> NLB on the listener port; NLB -> nodes on the node port; nothing else."""
        port, node_port = self._args.port, self.node_port
        self.vpc_link_sg = self._security_group("vpc-link-sg", f"API Gateway VPC link to {self._name}")
        self.nlb_sg = self._security_group("nlb-sg", f"Internal NLB of {self._name}")
        egress, ingress = aws.vpc.SecurityGroupEgressRule, aws.vpc.SecurityGroupIngressRule
        self._rule(egress, "vpc-link-egress", self.vpc_link_sg.id, self.nlb_sg.id, port)
        self._rule(ingress, "nlb-ingress", self.nlb_sg.id, self.vpc_link_sg.id, port)
        self._rule(egress, "nlb-egress", self.nlb_sg.id, self._cluster.node_security_group_id, node_port)
        self._rule(ingress, "node-ingress", self._cluster.node_security_group_id, self.nlb_sg.id, node_port)

    def _create_load_balancer(self) -> None:
        a = self._args
        self.load_balancer = aws.lb.LoadBalancer(
            self._child_name("nlb"),
            **self._props(
                "nlb",
                name=fitted_name(self._child_name("nlb"), LOAD_BALANCER_NAME_LIMIT, "network", "internal"),
                load_balancer_type="network",
                internal=True,
                subnets=a.subnet_ids,
                security_groups=[self.nlb_sg.id],
                enable_cross_zone_load_balancing=True,
                enable_deletion_protection=a.protection == "hardened",
            ),
            opts=self._opts(),
        )
        self.target_group = aws.lb.TargetGroup(
            self._child_name("target-group"),
            **self._props(
                "target-group",
                name=fitted_name(
                    self._child_name("target-group"), LOAD_BALANCER_NAME_LIMIT, "instance", "TCP", self.node_port
                ),
                vpc_id=a.vpc_id,
                target_type="instance",
                protocol="TCP",
                port=self.node_port,
                preserve_client_ip="false",
                deregistration_delay=30,
                health_check={
                    "protocol": "HTTP",
                    "port": "traffic-port",
                    "path": a.health_path,
                    "matcher": "200-399",
                    "interval": 10,
                    "healthy_threshold": 2,
                    "unhealthy_threshold": 2,
                },
            ),
            opts=self._opts(),
        )
        self.listener = aws.lb.Listener(
            self._child_name("listener"),
            **self._props(
                "listener",
                load_balancer_arn=self.load_balancer.arn,
                protocol="TCP",
                port=a.port,
                default_actions=[{"type": "forward", "target_group_arn": self.target_group.arn}],
            ),
            opts=self._opts(),
        )
        aws.autoscaling.Attachment(
            self._child_name("asg-attachment"),
            **self._props(
                "asg-attachment",
                autoscaling_group_name=self._cluster.node_group_asg_name,
                lb_target_group_arn=self.target_group.arn,
            ),
            opts=self._opts(),
        )
        self.listener_arn: pulumi.Output[str] = self.listener.arn

    def _create_vpc_link(self) -> None:
        self.vpc_link = aws.apigatewayv2.VpcLink(
            self._child_name("vpc-link"),
            **self._props(
                "vpc-link",
                subnet_ids=self._args.subnet_ids,
                security_group_ids=[self.vpc_link_sg.id],
            ),
            opts=self._opts(),
        )
        self.vpc_link_id: pulumi.Output[str] = self.vpc_link.id

    # --- applying the manifests from inside the VPC -----------------------------------------------------------
    def _create_apply_network(self) -> None:
        """The apply function's security group: to the cluster security group on 443, and nothing else. It calls no
        AWS API (Lambda itself writes its logs and traces), so it needs no VPC endpoint either."""
        cluster_sg = self._cluster.cluster_security_group_id
        self.apply_security_group = self._security_group("apply-sg", f"Manifest apply function of {self._name}")
        sg = self.apply_security_group.id
        egress, ingress = aws.vpc.SecurityGroupEgressRule, aws.vpc.SecurityGroupIngressRule
        self._apply_rules = [
            self._rule(egress, "apply-egress", sg, cluster_sg, 443),
            self._rule(ingress, "apply-api-ingress", cluster_sg, sg, 443),
        ]

    def _create_apply_function(self) -> None:
        """The function that applies the manifests, in the cluster's private subnets, with its log group and a role
        that may write its logs and traces and attach to the VPC."""
        # The function's code ships with the library (standard library and botocore only).
        sources = {
            "components/__init__.py": COMPONENTS / "__init__.py",
            "components/kube_apply": COMPONENTS / "kube_apply",
        }
        archive = code_archive("kubernetes-apply", sources, self._build_dir)
        self._apply_code_hash = archive.base64_sha256
        log_group = aws.cloudwatch.LogGroup(
            self._child_name("apply-logs"),
            **self._props("apply-logs", retention_in_days=defaults.log_retention_days(self._args.protection)),
            opts=self._opts(),
        )
        self.apply_role = aws.iam.Role(
            self._child_name("apply-role"),
            **self._props(
                "apply-role",
                name=fitted_name(self._child_name("apply-role"), IAM_ROLE_NAME_LIMIT),
                description=f"Applies the Kubernetes manifests of {self._namespace}/{self._name}",
                assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
            ),
            opts=self._opts(),
        )
        logs = pulumi.Output.concat(log_group.arn, ":*")
        policy = aws.iam.RolePolicy(
            self._child_name("apply-policy"),
            **self._props(
                "apply-policy",
                role=self.apply_role.name,
                policy=policy_document(
                    [
                        statement(["logs:CreateLogStream", "logs:PutLogEvents"], [logs], "Logs"),
                        statement(XRAY, ["*"], "Tracing"),
                        statement(VPC_ACCESS, ["*"], "VpcAccess"),
                    ]
                ),
            ),
            opts=self._opts(),
        )
        self.apply_function = aws.lambda_.Function(
            self._child_name("apply"),
            **self._props(
                "apply",
                name=fitted_name(self._child_name("apply"), LAMBDA_FUNCTION_NAME_LIMIT),
                description=f"Applies the Kubernetes manifests of {self._namespace}/{self._name} from inside the VPC",
                role=self.apply_role.arn,
                runtime=defaults.LAMBDA_RUNTIME,
                architectures=[defaults.LAMBDA_ARCHITECTURE],
                handler=APPLY_HANDLER,
                code=pulumi.FileArchive(str(archive.path)),
                source_code_hash=archive.base64_sha256,
                memory_size=defaults.LAMBDA_MEMORY_MB,
                timeout=APPLY_TIMEOUT_SECONDS,
                tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode=defaults.LAMBDA_TRACING_MODE),
                logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
                vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                    subnet_ids=self._cluster.private_subnet_ids, security_group_ids=[self.apply_security_group.id]
                ),
            ),
            opts=self._opts(depends_on=[policy]),
        )

    def _grant_cluster_access(self) -> None:
        """An access entry for the function's role, allowed everything in the service's namespace and nothing
        outside it."""
        c = self._cluster
        self.access_entry = aws.eks.AccessEntry(
            self._child_name("apply-access"),
            **self._props(
                "apply-access", cluster_name=c.cluster_name, principal_arn=self.apply_role.arn, type="STANDARD"
            ),
            opts=self._opts(),
        )
        partition = self.apply_role.arn.apply(lambda arn: arn.split(":")[1])
        self._access_policy = aws.eks.AccessPolicyAssociation(
            self._child_name("apply-access-policy"),
            **self._props(
                "apply-access-policy",
                cluster_name=c.cluster_name,
                principal_arn=self.access_entry.principal_arn,
                policy_arn=pulumi.Output.concat(
                    "arn:", partition, f":eks::aws:cluster-access-policy/{APPLY_ACCESS_POLICY}"
                ),
                access_scope={"type": "namespace", "namespaces": [self._namespace]},
            ),
            opts=self._opts(),
        )

    def _apply_manifests(self) -> None:
        """Invoke the function with the manifests on create, on every change of them or of its code, and on delete.

        The input is the contract with the function (and with checks that read it): ``manifests``,
        ``kubernetes_version``, ``apply_set`` (the label value that marks what it applies) and ``cluster``.
        """
        c = self._cluster
        payload = pulumi.Output.json_dumps(
            {
                "manifests": self.manifests,
                "kubernetes_version": c.version,
                "apply_set": self._name,
                "cluster": {
                    "name": c.cluster_name,
                    "endpoint": c.endpoint,
                    "certificate_authority": c.certificate_authority,
                },
            }
        )
        self.apply_run = aws.lambda_.Invocation(
            self._child_name("apply-run"),
            **self._props(
                "apply-run",
                function_name=self.apply_function.name,
                input=payload,
                lifecycle_scope="CRUD",
                triggers={"code": self._apply_code_hash},
            ),
            # The whole cluster, default node group included, exists before the rollout is awaited.
            opts=self._opts(depends_on=[self._access_policy, *self._apply_rules, c.cluster]),
        )
        self.namespace: pulumi.Output[str] = self.apply_run.id.apply(lambda _: self._namespace)
