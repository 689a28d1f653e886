"""A hardened HTTP service on a :class:`~components.kubernetes_cluster.KubernetesClusterComponent`, reached from an
API Gateway HTTP API through a VPC link.

The component reads as its parts, each in its own module: the image (built here from a build context, tagged by
:func:`aws_systems.build_context.context_hash`, or one CI already pushed), the pods' IRSA role, the manifests
(:mod:`aws_systems.kubernetes_manifests`: the pods' hardening), the path from API Gateway
(:mod:`aws_systems.kubernetes_ingress`: VPC link, internal NLB, NodePort) and the function that applies the manifests
from inside the VPC (:mod:`aws_systems.kubernetes_apply`: why, and how it reaches a private API endpoint).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.build_context import context_hash
from aws_systems.defaults import Protection
from aws_systems.iam import check_statements, policy_document, trust_policy
from aws_systems.kubernetes_apply import ApplyArgs, apply_from_inside_the_vpc
from aws_systems.kubernetes_cluster import KubernetesClusterComponent
from aws_systems.kubernetes_ingress import NODE_PORT_RANGE, IngressArgs, derived_node_port, private_ingress
from aws_systems.kubernetes_manifests import Workload, manifests
from aws_systems.names import IAM_ROLE_NAME_LIMIT, fitted_name
from aws_systems.validation import check_int

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
_OIDC_AUDIENCE = "sts.amazonaws.com"


def _check_dns_label(arg: str, value: str) -> None:
    if not isinstance(value, str) or not _DNS_LABEL.match(value):
        raise ValueError(
            f"{arg}: must be a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter "
            f"or digit (got {value!r})"
        )


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
    the VPC, and the internal NLB + VPC link an HTTP API integrates with. See the module docstrings for the design.

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
        self._create_ingress()
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

    def _normalize(self) -> None:
        a = self._args
        _check_dns_label("name", self._name)
        self._namespace = a.namespace or self._name
        _check_dns_label("namespace", self._namespace)
        self.node_port: int = a.node_port or derived_node_port(self._namespace, self._name)
        self._build_dir = Path(a.build_dir or Path(tempfile.gettempdir()) / "awssystems-build")

    # --- image -------------------------------------------------------------------------------------------------
    def _create_repository(self) -> None:
        hardened = self._args.protection == "hardened"
        self.repository = self._child(
            aws.ecr.Repository,
            "repo",
            image_tag_mutability=defaults.ECR_IMAGE_TAG_MUTABILITY,
            image_scanning_configuration={"scan_on_push": defaults.ECR_SCAN_ON_PUSH},
            encryption_configurations=[{"encryption_type": "KMS"}],
            force_delete=not hardened,
        )
        keep = self._args.keep_images
        rule = {
            "rulePriority": 1,
            "description": f"Keep the last {keep} images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
            "action": {"type": "expire"},
        }
        self._child(
            aws.ecr.LifecyclePolicy,
            "lifecycle-policy",
            repository=self.repository.name,
            policy=json.dumps({"rules": [rule]}),
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
        registry = {"address": self.repository.repository_url, "username": token.user_name, "password": token.password}
        self.image = self._child(
            docker_build.Image,
            "image",
            context={
                "location": str(context),
                "named": {name: {"location": str(directory)} for name, directory in named.items()},
            },
            dockerfile={"location": str(context / a.dockerfile)},
            platforms=[a.platform],
            push=True,
            tags=[self.repository.repository_url.apply(lambda url: f"{url}:{tag}")],
            registries=[registry],
        )
        self.image_ref = self.image.ref

    # --- identity ----------------------------------------------------------------------------------------------
    def _create_role(self) -> None:
        c = self._cluster
        subject = f"system:serviceaccount:{self._namespace}:{self._name}"
        service_account_only = c.oidc_provider_url.apply(
            lambda issuer: {"StringEquals": {f"{issuer}:sub": subject, f"{issuer}:aud": _OIDC_AUDIENCE}}
        )
        trust = trust_policy({"Federated": c.oidc_provider_arn}, "sts:AssumeRoleWithWebIdentity", service_account_only)
        self.role = self._child(
            aws.iam.Role,
            "role",
            name=fitted_name(self._child_name("role"), IAM_ROLE_NAME_LIMIT),
            description=f"IRSA role of {subject}",
            assume_role_policy=trust,
        )
        if self._args.policy_statements:
            statements = [dict(s) for s in self._args.policy_statements]
            self._child(aws.iam.RolePolicy, "role-policy", role=self.role.id, policy=policy_document(statements))
        self.role_arn: pulumi.Output[str] = self.role.arn

    # --- the workload, the way in and the deploy ------------------------------------------------------------------
    def _render_manifests(self) -> None:
        """The workload as Kubernetes manifests, in the order they are applied; each overridable by its role."""
        a = self._args
        workload = Workload(
            name=self._name,
            namespace=self._namespace,
            replicas=a.replica_count,
            image=self.image_ref,
            role_arn=self.role.arn,
            port=a.port,
            node_port=self.node_port,
            health_path=a.health_path,
            environment=a.environment,
            cpu_request=a.cpu_request,
            memory_request=a.memory_request,
            cpu_limit=a.cpu_limit,
            memory_limit=a.memory_limit,
        )
        rendered = [self._props(role, **manifest) for role, manifest in manifests(workload).items()]
        self.manifests: pulumi.Output[list[dict[str, Any]]] = pulumi.Output.from_input(rendered)

    def _create_ingress(self) -> None:
        a = self._args
        ingress = private_ingress(
            self,
            self._cluster,
            IngressArgs(
                vpc_id=a.vpc_id,
                subnet_ids=a.subnet_ids,
                port=a.port,
                node_port=self.node_port,
                health_path=a.health_path,
                hardened=a.protection == "hardened",
            ),
        )
        self.vpc_link_sg, self.nlb_sg = ingress.vpc_link_sg, ingress.nlb_sg
        self.load_balancer, self.target_group = ingress.load_balancer, ingress.target_group
        self.listener, self.vpc_link = ingress.listener, ingress.vpc_link
        self.listener_arn: pulumi.Output[str] = self.listener.arn
        self.vpc_link_id: pulumi.Output[str] = self.vpc_link.id

    def _apply_manifests(self) -> None:
        a = self._args
        applier = apply_from_inside_the_vpc(
            self,
            self._cluster,
            ApplyArgs(
                vpc_id=a.vpc_id,
                namespace=self._namespace,
                manifests=self.manifests,
                protection=a.protection,
                build_dir=self._build_dir,
            ),
        )
        self.apply_security_group, self.apply_role = applier.security_group, applier.role
        self.apply_function, self.access_entry, self.apply_run = applier.function, applier.access_entry, applier.run
        self.namespace: pulumi.Output[str] = self.apply_run.id.apply(lambda _: self._namespace)
