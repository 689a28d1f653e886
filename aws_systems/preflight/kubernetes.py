"""Rule: Kubernetes manifests are valid against the schema of the cluster's Kubernetes version.

The schemas are Kubernetes' own OpenAPI documents as ``kubernetes-validate`` ships them, in strict mode, so an
unknown field (a typo the API server would silently drop, or refuse) fails like a wrong type does. Manifests are
found where the program hands them to the cluster: ``kubernetes:*`` resources, and the ``manifests`` of a
deploy-time invocation that applies them from inside the VPC (with its ``kubernetes_version``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kubernetes_validate

from aws_systems.preflight.model import UNKNOWN, Resource, json_value

FALLBACK_VERSION = kubernetes_validate.latest_version()
NOT_KNOWN_YET = "value-not-known-yet"  # stands for a value the preview does not know (most are names and ARNs)


def _known_or_placeholder(value: Any) -> Any:
    if value is UNKNOWN:
        return NOT_KNOWN_YET
    if isinstance(value, Mapping):
        return {k: _known_or_placeholder(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_known_or_placeholder(v) for v in value]
    return value


def _schema_version(version: object) -> str:
    """``1.36`` -> the newest schema of that minor version that the package ships (the latest when unknown)."""
    if isinstance(version, str) and version.count(".") >= 1:
        return ".".join(version.split(".")[:2])
    return FALLBACK_VERSION


def problems(manifest: Mapping[str, Any], version: str) -> list[str]:
    name = f"{manifest.get('kind', '?')} {(manifest.get('metadata') or {}).get('name', '?')}"
    try:
        kubernetes_validate.validate(_known_or_placeholder(dict(manifest)), version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        if exc.instance == NOT_KNOWN_YET:  # a value of another type that is not known yet: not judged
            return []
        where = ".".join(str(p) for p in exc.path) or "(top)"
        return [f"{name}: {where}: {exc.message} [Kubernetes {version} schema]"]
    except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as exc:
        return [f"{name}: no Kubernetes {version} schema for it ({exc})"]
    return []


def manifests(resource: Resource) -> tuple[list[Mapping[str, Any]], str]:
    """(the manifests a resource hands to the cluster, the Kubernetes version they are for)."""
    if resource.type.startswith("kubernetes:") and not resource.type.startswith("kubernetes:helm"):
        return [resource.props], FALLBACK_VERSION
    if resource.type == "aws:lambda/invocation:Invocation":
        payload = json_value(resource.props.get("input"))
        if isinstance(payload, Mapping) and isinstance(payload.get("manifests"), list):
            found = [m for m in payload["manifests"] if isinstance(m, Mapping)]
            return found, _schema_version(payload.get("kubernetes_version"))
    return [], FALLBACK_VERSION


def check(resource: Resource) -> list[str]:
    found, version = manifests(resource)
    return [p for manifest in found if "kind" in manifest for p in problems(manifest, version)]
