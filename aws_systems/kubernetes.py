"""Kubernetes on EKS: a private, encrypted cluster, and a hardened service that an API Gateway HTTP API reaches.

The public import path of both components; each part lives in its own module, whose docstring gives its design:

- :mod:`aws_systems.kubernetes_cluster`: the EKS cluster (private endpoint, encrypted secrets, logs, IRSA, nodes);
- :mod:`aws_systems.kubernetes_service`: one HTTP service on it: image, IRSA role, and the parts below;
- :mod:`aws_systems.kubernetes_manifests`: the service's Kubernetes objects and the pods' hardening;
- :mod:`aws_systems.kubernetes_ingress`: the path from API Gateway (VPC link, internal NLB, NodePort);
- :mod:`aws_systems.kubernetes_apply`: the function that applies the manifests from inside the VPC;
- :mod:`aws_systems.build_context` (the image tag) and :mod:`aws_systems.names` (names that fit AWS's limits).
"""

from __future__ import annotations

from aws_systems.build_context import context_hash
from aws_systems.kubernetes_cluster import KubernetesClusterArgs, KubernetesClusterComponent
from aws_systems.kubernetes_ingress import NODE_PORT_RANGE
from aws_systems.kubernetes_service import KubernetesServiceArgs, KubernetesServiceComponent
from aws_systems.names import fitted_name

__all__ = [
    "NODE_PORT_RANGE",
    "KubernetesClusterArgs",
    "KubernetesClusterComponent",
    "KubernetesServiceArgs",
    "KubernetesServiceComponent",
    "context_hash",
    "fitted_name",
]
