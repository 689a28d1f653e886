"""The Kubernetes objects of one service, rendered as plain manifests (dicts) in the order they are applied.

**Pods** run as a non-root user with a read-only root filesystem, no privilege escalation, all capabilities dropped,
the RuntimeDefault seccomp profile, requests and limits, and readiness and liveness probes, in a namespace that
enforces the Kubernetes ``restricted`` Pod Security Standard. AWS access is IRSA only: one IAM role per service
account, trusted for exactly ``system:serviceaccount:<namespace>:<name>``. The Kubernetes API token is not mounted
(the IRSA webhook projects its own web-identity token), because the service never calls the Kubernetes API.

Values may be Pulumi Outputs (the image, the role ARN); this module only places them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_systems import defaults

SELECTOR_LABEL = "app.kubernetes.io/name"


@dataclass(frozen=True, kw_only=True)
class Workload:
    """What the manifests describe: one HTTP container behind a NodePort Service."""

    name: str
    namespace: str
    replicas: int
    image: Any
    """The image reference (a string or an Output)."""
    role_arn: Any
    """The IRSA role the service account is annotated with (a string or an Output)."""
    port: int
    node_port: int
    health_path: str
    environment: Mapping[str, Any]
    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str

    @property
    def labels(self) -> dict[str, str]:
        return {SELECTOR_LABEL: self.name, "app.kubernetes.io/managed-by": "pulumi"}


def manifests(workload: Workload) -> dict[str, dict[str, Any]]:
    """Each manifest by its role, in apply order; the disruption budget only with more than one replica."""
    rendered = {
        "namespace": namespace_manifest(workload),
        "service-account": service_account_manifest(workload),
        "deployment": deployment_manifest(workload),
        "service": service_manifest(workload),
    }
    if workload.replicas > 1:
        rendered["pdb"] = disruption_budget_manifest(workload)
    return rendered


def _metadata(w: Workload, **extra: Any) -> dict[str, Any]:
    return {"name": w.name, "namespace": w.namespace, "labels": w.labels, **extra}


def _selector(w: Workload) -> dict[str, Any]:
    return {"matchLabels": {SELECTOR_LABEL: w.name}}


def namespace_manifest(w: Workload) -> dict[str, Any]:
    enforce = defaults.POD_SECURITY_STANDARD
    labels = {f"pod-security.kubernetes.io/{mode}": enforce for mode in ("enforce", "warn", "audit")}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": w.namespace, "labels": labels}}


def service_account_manifest(w: Workload) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _metadata(w, annotations={"eks.amazonaws.com/role-arn": w.role_arn}),
        "automountServiceAccountToken": False,
    }


def container(w: Workload) -> dict[str, Any]:
    probe = {"httpGet": {"path": w.health_path, "port": "http"}, "timeoutSeconds": 2}
    return {
        "name": "app",
        "image": w.image,
        "ports": [{"name": "http", "containerPort": w.port, "protocol": "TCP"}],
        "env": [{"name": key, "value": value} for key, value in sorted(w.environment.items())],
        "resources": {
            "requests": {"cpu": w.cpu_request, "memory": w.memory_request},
            "limits": {"cpu": w.cpu_limit, "memory": w.memory_limit},
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


def _spread(w: Workload) -> list[dict[str, Any]]:
    """Spread replicas over zones, then nodes; best effort so a small cluster still schedules them."""
    if w.replicas < 2:
        return []
    return [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": _selector(w)}
        for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
    ]


def deployment_manifest(w: Workload) -> dict[str, Any]:
    user = defaults.POD_RUN_AS_USER
    pod_spec: dict[str, Any] = {
        "serviceAccountName": w.name,
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": user,
            "runAsGroup": user,
            "fsGroup": user,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container(w)],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
    }
    if spread := _spread(w):
        pod_spec["topologySpreadConstraints"] = spread
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(w),
        "spec": {
            "replicas": w.replicas,
            "selector": _selector(w),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": w.labels}, "spec": pod_spec},
        },
    }


def disruption_budget_manifest(w: Workload) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(w),
        "spec": {"maxUnavailable": 1, "selector": _selector(w)},
    }


def service_manifest(w: Workload) -> dict[str, Any]:
    port = {"name": "http", "protocol": "TCP", "port": w.port, "targetPort": "http"}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(w),
        "spec": {
            "type": "NodePort",
            "selector": {SELECTOR_LABEL: w.name},
            "ports": [{**port, "nodePort": w.node_port}],
        },
    }
