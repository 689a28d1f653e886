"""Kubernetes on EKS: a private, encrypted cluster, and a hardened service that an API Gateway HTTP API reaches.

The public import path of both components; each part lives in its own module, whose docstring gives its design:

- :mod:`components.kubernetes_cluster`: the EKS cluster (private endpoint, encrypted secrets, logs, IRSA, nodes);
- :mod:`components.kubernetes_service`: one HTTP service on it: image, IRSA role, and the parts below;
- :mod:`components.kubernetes_manifests`: the service's Kubernetes objects and the pods' hardening;
- :mod:`components.kubernetes_ingress`: the path from API Gateway (VPC link, internal NLB, NodePort);
- :mod:`components.kubernetes_apply`: the function that applies the manifests from inside the VPC;
- :mod:`components.build_context` (the image tag) and :mod:`components.names` (names that fit AWS's limits).
"""

from __future__ import annotations

from components.build_context import context_hash
from components.kubernetes_cluster import KubernetesClusterArgs, KubernetesClusterComponent
from components.kubernetes_ingress import NODE_PORT_RANGE
from components.kubernetes_service import KubernetesServiceArgs, KubernetesServiceComponent
from components.names import fitted_name

__all__ = [
    "NODE_PORT_RANGE",
    "KubernetesClusterArgs",
    "KubernetesClusterComponent",
    "KubernetesServiceArgs",
    "KubernetesServiceComponent",
    "context_hash",
    "fitted_name",
]
