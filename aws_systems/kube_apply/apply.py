"""Lambda handler: apply a workload's Kubernetes manifests from inside the VPC, the way CDK's kubectl handler does.

Pulumi invokes it through ``aws.lambda_.Invocation`` with lifecycle scope ``CRUD``. The input carries the manifests,
the Kubernetes version they were rendered for, the cluster (name, private endpoint, CA) and the name of the *apply
set*, a label value that marks every object applied here. On create and update each manifest is server-side applied
in order, objects of the set that the manifests no longer name are pruned, and the function waits for the
Deployments' rollout until shortly before its own timeout. On delete the set's objects are removed, newest first.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session

from aws_systems.kube_apply import eks_token, rollout
from aws_systems.kube_apply.kube import KINDS, Kubernetes, KubernetesError, Ref, ref_of

SET_LABEL = "apply.awssystems.io/set"
FIELD_MANAGER = "awssystems-apply"
DEADLINE_MARGIN_SECONDS = 30  # stop waiting this long before the function times out, to report what is not ready
ACTIONS = ("create", "update", "delete")
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_VERSION = re.compile(r"^1\.\d{1,2}$")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApplyRequest:
    """The invocation's input, checked."""

    manifests: list[dict[str, Any]]
    previous: list[dict[str, Any]]
    """The manifests of the previous invocation (update and delete), else empty."""
    apply_set: str
    action: str
    kubernetes_version: str
    cluster_name: str
    endpoint: str
    ca_pem: str


def parse(event: Mapping[str, Any]) -> ApplyRequest:
    """Check the input; a problem raises ``ValueError`` naming the key."""
    manifests = _manifests(event.get("manifests"), "manifests")
    lifecycle = event.get("tf") or {}
    action = lifecycle.get("action", "create")
    if action not in ACTIONS:
        raise ValueError(f"tf.action: must be one of {', '.join(ACTIONS)} (got {action!r})")
    previous_input = lifecycle.get("prev_input") or {}
    previous = _manifests(previous_input.get("manifests") or [], "tf.prev_input.manifests", required=False)
    apply_set = event.get("apply_set")
    if not isinstance(apply_set, str) or not _LABEL_VALUE.match(apply_set):
        raise ValueError(f"apply_set: must be a Kubernetes label value (got {apply_set!r})")
    version = event.get("kubernetes_version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ValueError(f"kubernetes_version: must look like '1.33' (got {version!r})")
    cluster = event.get("cluster")
    if not isinstance(cluster, Mapping):
        raise ValueError("cluster: required, with name, endpoint and certificate_authority")
    name, endpoint = cluster.get("name"), cluster.get("endpoint")
    if not isinstance(name, str) or not name:
        raise ValueError("cluster.name: required")
    if not isinstance(endpoint, str) or not endpoint.startswith("https://"):
        raise ValueError(f"cluster.endpoint: must be an https:// URL (got {endpoint!r})")
    return ApplyRequest(
        manifests, previous, apply_set, action, version, name, endpoint, _ca_pem(cluster.get("certificate_authority"))
    )


def _manifests(value: Any, key: str, required: bool = True) -> list[dict[str, Any]]:
    if not isinstance(value, list) or (required and not value):
        raise ValueError(f"{key}: must be a non-empty list of manifests")
    refs = [ref_of(m, f"{key}[{i}]") for i, m in enumerate(value)]
    repeated = sorted({str(r) for r in refs if refs.count(r) > 1})
    if repeated:
        raise ValueError(f"{key}: each object once (repeated: {', '.join(repeated)})")
    return value


def _ca_pem(value: Any) -> str:
    """The CA as kubeconfig holds it (base64 of PEM), decoded."""
    try:
        pem = base64.b64decode(value or "", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, TypeError):
        pem = ""
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError("cluster.certificate_authority: must be the base64 of the cluster's PEM CA certificate")
    return pem


def run(
    request: ApplyRequest,
    kube: Kubernetes,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, list[str]]:
    """Carry out ``request``; return what was applied, pruned or deleted."""
    if request.action == "delete":
        gone = [ref_of(m) for m in reversed(request.manifests)]
        return {"deleted": [str(ref) for ref in gone if _delete_if_in_set(kube, ref, request.apply_set)]}
    log.info("applying %d objects for Kubernetes %s", len(request.manifests), request.kubernetes_version)
    applied = []
    for manifest in request.manifests:
        kube.apply(_in_set(manifest, request.apply_set))
        applied.append(str(ref_of(manifest)))
    pruned = prune(kube, request)
    deployments = [ref for ref in map(ref_of, request.manifests) if ref.kind == "Deployment"]
    rollout.wait(kube, deployments, deadline, clock, sleep)
    return {"applied": applied, "pruned": pruned}


def prune(kube: Kubernetes, request: ApplyRequest) -> list[str]:
    """Delete the set's objects that the manifests no longer name, in the namespaces the set uses or used.

    A namespace the set no longer uses may be outside the function's access (its access policy follows the
    current namespaces): it is left alone, with a warning.
    """
    desired = {ref_of(m) for m in request.manifests}
    before = {ref_of(m) for m in request.previous}
    current = _namespaces(desired)
    selector = f"{SET_LABEL}={request.apply_set}"
    pruned: list[str] = []
    for namespace in sorted(current | _namespaces(before)):
        try:
            found = [ref for (v, k), (_, ns) in KINDS.items() if ns for ref in kube.list(v, k, namespace, selector)]
            pruned += [str(ref) for ref in found if ref not in desired and kube.delete(ref)]
            gone = Ref("v1", "Namespace", "", namespace)
            if gone in before - desired and _delete_if_in_set(kube, gone, request.apply_set):
                pruned.append(str(gone))
        except KubernetesError as exc:
            if exc.status != 403 or namespace in current:
                raise
            log.warning("not pruning namespace %s: outside this function's access (%s)", namespace, exc)
    return pruned


def _namespaces(refs: set[Ref]) -> set[str]:
    """The namespaces the objects live in, or are."""
    return {ref.name if ref.kind == "Namespace" else ref.namespace for ref in refs}


def _in_set(manifest: Mapping[str, Any], apply_set: str) -> dict[str, Any]:
    """The manifest with the set's label added to its metadata."""
    metadata = dict(manifest.get("metadata") or {})
    metadata["labels"] = {**(metadata.get("labels") or {}), SET_LABEL: apply_set}
    return {**manifest, "metadata": metadata}


def _delete_if_in_set(kube: Kubernetes, ref: Ref, apply_set: str) -> bool:
    """Delete the object only if this set applied it: an object someone else made under that name stays."""
    found = kube.get(ref)
    labels = ((found or {}).get("metadata") or {}).get("labels") or {}
    return labels.get(SET_LABEL) == apply_set and kube.delete(ref)


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def token_for(cluster_name: str) -> str:
    """A fresh EKS token signed with the function's own credentials, in the function's region."""
    credentials = _session().get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials in the environment to sign the EKS token with")
    return eks_token.token(cluster_name, os.environ["AWS_REGION"], credentials.get_frozen_credentials())


def handler(event: Mapping[str, Any], context: Any) -> dict[str, list[str]]:
    logging.getLogger().setLevel(logging.INFO)
    request = parse(event)
    kube = Kubernetes(request.endpoint, request.ca_pem, lambda: token_for(request.cluster_name), FIELD_MANAGER)
    deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - DEADLINE_MARGIN_SECONDS
    return run(request, kube, deadline)
