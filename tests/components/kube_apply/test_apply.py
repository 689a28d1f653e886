"""The apply handler against a fake API server on 127.0.0.1: request sequence, TLS trust, pruning, deletion, the
rollout wait and its failure message, and the checks on its input."""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse
from typing import Any

import pytest

from aws_systems.kube_apply import apply, rollout
from aws_systems.kube_apply.apply import FIELD_MANAGER, SET_LABEL, parse, run
from aws_systems.kube_apply.kube import Kubernetes, KubernetesError, Ref
from tests.components.kube_apply.fake_kube import FakeKubernetes, certificate_authority

LABELS = {"app.kubernetes.io/name": "users"}


def manifests(namespace: str = "users", pdb: bool = True) -> list[dict[str, Any]]:
    meta = {"name": "users", "namespace": namespace, "labels": LABELS}
    selector = {"matchLabels": LABELS}
    out: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta, "automountServiceAccountToken": False},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {"replicas": 2, "selector": selector, "template": {"metadata": {"labels": LABELS}}},
        },
        {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {"type": "NodePort", "selector": LABELS}},
    ]
    if pdb:
        out.append(
            {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta, "spec": {"selector": selector}}
        )
    return json.loads(json.dumps(out))  # no shared dicts between the manifests


def event(
    fake: FakeKubernetes, objects: list[dict[str, Any]], action: str | None = None, previous: list | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "manifests": objects,
        "kubernetes_version": "1.33",
        "apply_set": "users",
        "cluster": {
            "name": "shop-dev",
            "endpoint": fake.endpoint,
            "certificate_authority": base64.b64encode(fake.ca_pem.encode()).decode(),
        },
    }
    if action:
        out["tf"] = {"action": action, "prev_input": {"manifests": previous} if previous is not None else None}
    return out


class Clock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(fake: FakeKubernetes, ca_pem: str | None = None, **options: Any) -> Kubernetes:
    options = {"retry_seconds": 0, **options}
    return Kubernetes(fake.endpoint, ca_pem or fake.ca_pem, lambda: "k8s-aws-v1.test", FIELD_MANAGER, **options)


def deploy(fake: FakeKubernetes, objects: list, action: str | None = None, previous: list | None = None) -> dict:
    clock = Clock()
    return run(parse(event(fake, objects, action, previous)), client(fake), 600.0, clock, clock.sleep)


USERS = ["Namespace users", "ServiceAccount users/users", "Deployment users/users", "Service users/users"]
PDB = "PodDisruptionBudget users/users"


# --- a first deploy, end to end through the Lambda handler ------------------------------------------------------
class Context:
    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def test_handler_applies_in_order_with_server_side_apply_and_an_eks_token(
    kube_api: FakeKubernetes, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "session",
        "AWS_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }.items():
        monkeypatch.setenv(name, value)
    apply._session.cache_clear()
    objects = manifests()

    result = apply.handler(event(kube_api, objects), Context())

    assert result == {"applied": [*USERS, PDB], "pruned": []}
    assert kube_api.requests() == [
        ("PATCH", "/api/v1/namespaces/users"),
        ("PATCH", "/api/v1/namespaces/users/serviceaccounts/users"),
        ("PATCH", "/apis/apps/v1/namespaces/users/deployments/users"),
        ("PATCH", "/api/v1/namespaces/users/services/users"),
        ("PATCH", "/apis/policy/v1/namespaces/users/poddisruptionbudgets/users"),
        ("GET", "/api/v1/namespaces/users/serviceaccounts"),  # pruning: the set's objects, kind by kind
        ("GET", "/api/v1/namespaces/users/services"),
        ("GET", "/apis/apps/v1/namespaces/users/deployments"),
        ("GET", "/apis/policy/v1/namespaces/users/poddisruptionbudgets"),
        ("GET", "/apis/apps/v1/namespaces/users/deployments/users"),  # the rollout
    ]
    for call, manifest in zip(kube_api.calls, objects, strict=False):
        assert call.content_type == "application/apply-patch+yaml"
        assert call.query == {"fieldManager": "awssystems-apply", "force": "true"}
        expected = json.loads(json.dumps(manifest))
        expected["metadata"]["labels"] = {**expected["metadata"].get("labels", {}), SET_LABEL: "users"}
        assert call.body == expected
    lists = [c for c in kube_api.calls if c.method == "GET" and c.query]
    assert {c.query["labelSelector"] for c in lists} == {f"{SET_LABEL}=users"}
    for call in kube_api.calls:
        scheme, _, token = call.authorization.partition(" ")
        assert scheme == "Bearer" and token.startswith("k8s-aws-v1.")
        body = token.removeprefix("k8s-aws-v1.")
        url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        assert url.startswith("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&")
        assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"].split(";")


def test_a_server_not_signed_by_the_cluster_ca_is_refused(kube_api: FakeKubernetes, tmp_path: Any) -> None:
    other_ca, _, _ = certificate_authority(tmp_path)
    with pytest.raises(KubernetesError, match="certificate is not trusted"):
        client(kube_api, ca_pem=other_ca).apply(manifests()[0])
    assert kube_api.calls == []


def test_requests_are_retried_while_a_new_access_entry_is_not_yet_honoured(kube_api: FakeKubernetes) -> None:
    clock = Clock()
    kube_api.unauthorized_requests = 2
    client(kube_api, retry_seconds=60, sleep=clock.sleep).apply(manifests()[0])
    assert clock.sleeps == [5.0, 5.0]
    assert kube_api.requests() == [("PATCH", "/api/v1/namespaces/users")] * 3


def test_an_error_names_the_request_and_the_servers_message(kube_api: FakeKubernetes) -> None:
    kube_api.forbidden_namespaces = {"users"}
    with pytest.raises(KubernetesError, match=r"^PATCH /api/v1/namespaces/users/services/users: HTTP 403 forbidden$"):
        client(kube_api).apply(manifests()[3])


# --- updates prune what left the set; delete removes the set ----------------------------------------------------
def test_update_prunes_the_sets_objects_the_manifests_no_longer_name(kube_api: FakeKubernetes) -> None:
    deploy(kube_api, manifests())
    legacy = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "legacy", "namespace": "users"}}
    client(kube_api).apply({**legacy, "metadata": {**legacy["metadata"], "labels": {SET_LABEL: "users"}}})
    client(kube_api).apply({**legacy, "metadata": {"name": "someone-elses", "namespace": "users"}})

    result = deploy(kube_api, manifests(pdb=False), "update", previous=manifests())

    assert result == {"applied": USERS, "pruned": ["Service users/legacy", PDB]}
    remaining = set(kube_api.objects)
    assert "/api/v1/namespaces/users/services/someone-elses" in remaining
    assert "/apis/policy/v1/namespaces/users/poddisruptionbudgets/users" not in remaining
    assert "/api/v1/namespaces/users/services/users" in remaining


def test_moving_to_another_namespace_prunes_the_old_one(kube_api: FakeKubernetes) -> None:
    deploy(kube_api, manifests())
    result = deploy(kube_api, manifests("users-v2"), "update", previous=manifests())
    assert result["pruned"] == [
        "ServiceAccount users/users",
        "Service users/users",
        "Deployment users/users",
        PDB,
        "Namespace users",
    ]
    assert all("/namespaces/users-v2" in path or path == "/api/v1/namespaces/users-v2" for path in kube_api.objects)


def test_an_old_namespace_outside_the_functions_access_is_left_with_a_warning(
    kube_api: FakeKubernetes, caplog: pytest.LogCaptureFixture
) -> None:
    deploy(kube_api, manifests())
    kube_api.forbidden_namespaces = {"users"}
    with caplog.at_level(logging.WARNING):
        result = deploy(kube_api, manifests("users-v2"), "update", previous=manifests())
    assert result["pruned"] == []
    assert "not pruning namespace users: outside this function's access" in caplog.text
    assert "/api/v1/namespaces/users/services/users" in kube_api.objects


def test_a_forbidden_current_namespace_is_an_error_not_a_warning(kube_api: FakeKubernetes) -> None:
    deploy(kube_api, manifests())
    request = parse(event(kube_api, manifests(), "update", manifests()))
    kube_api.forbidden_namespaces = {"users"}
    with pytest.raises(KubernetesError, match="HTTP 403"):
        apply.prune(client(kube_api), request)


def test_delete_removes_the_sets_objects_newest_first_and_only_its_own(kube_api: FakeKubernetes) -> None:
    deploy(kube_api, manifests())
    service = kube_api.objects["/api/v1/namespaces/users/services/users"]
    service["metadata"]["labels"] = {}  # taken over by someone else since
    kube_api.calls.clear()

    result = deploy(kube_api, manifests(), "delete", previous=manifests())

    assert result == {"deleted": [PDB, "Deployment users/users", "ServiceAccount users/users", "Namespace users"]}
    deletes = kube_api.requests("DELETE")
    assert deletes == [
        ("DELETE", "/apis/policy/v1/namespaces/users/poddisruptionbudgets/users"),
        ("DELETE", "/apis/apps/v1/namespaces/users/deployments/users"),
        ("DELETE", "/api/v1/namespaces/users/serviceaccounts/users"),
        ("DELETE", "/api/v1/namespaces/users"),
    ]
    assert kube_api.calls[-1].query == {"propagationPolicy": "Background"}
    assert not kube_api.requests("PATCH")


# --- the rollout wait ---------------------------------------------------------------------------------------
def test_rollout_wait_fails_before_the_deadline_with_one_line_naming_what_is_not_ready(
    kube_api: FakeKubernetes,
) -> None:
    kube_api.rollout = "unavailable"
    clock = Clock()
    with pytest.raises(rollout.RolloutError) as failure:
        run(parse(event(kube_api, manifests())), client(kube_api), 60.0, clock, clock.sleep)
    assert str(failure.value) == (
        "rollout not finished before the apply function's timeout: Deployment users/users: "
        "0 of 2 updated replicas available"
    )
    assert clock.sleeps == [5.0] * 11 and clock.now < 60
    assert kube_api.requests("GET").count(("GET", "/apis/apps/v1/namespaces/users/deployments/users")) == 12


def test_a_progress_deadline_fails_at_once(kube_api: FakeKubernetes) -> None:
    kube_api.rollout = "deadline"
    clock = Clock()
    with pytest.raises(rollout.RolloutError, match=r"^Deployment users/users: progress deadline exceeded: Repl"):
        run(parse(event(kube_api, manifests())), client(kube_api), 600.0, clock, clock.sleep)
    assert clock.sleeps == []


DEPLOYMENT = Ref("apps/v1", "Deployment", "users", "users")


@pytest.mark.parametrize(
    ("status", "generation", "expected"),
    [
        ({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}, 2,
         "generation 2 not yet observed (at 1)"),
        ({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1}, 2,
         "1 of 2 replicas updated"),
        ({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2}, 2,
         "1 old replicas pending termination"),
        ({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1}, 2,
         "1 of 2 updated replicas available"),
        ({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}, 2, None),
    ],
)  # fmt: skip
def test_rollout_problem(status: dict, generation: int, expected: str | None) -> None:
    deployment = {"metadata": {"generation": generation}, "spec": {"replicas": 2}, "status": status}
    found = rollout.problem(DEPLOYMENT, deployment)
    assert found == (f"Deployment users/users: {expected}" if expected else None)


# --- the input ----------------------------------------------------------------------------------------------
def _bad(change: Any) -> dict[str, Any]:
    good = {
        "manifests": manifests(),
        "kubernetes_version": "1.33",
        "apply_set": "users",
        "cluster": {
            "name": "shop-dev",
            "endpoint": "https://example.eks.amazonaws.com",
            "certificate_authority": base64.b64encode(b"-----BEGIN CERTIFICATE-----\nx\n").decode(),
        },
    }
    change(good)
    return good


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda e: e.pop("manifests"), "manifests"),
        (lambda e: e.update(manifests=[]), "manifests"),
        (lambda e: e["manifests"].append({"apiVersion": "v1", "kind": "ConfigMap"}), r"manifests\[5\]"),
        (lambda e: e["manifests"][1]["metadata"].pop("namespace"), r"manifests\[1\]\.metadata\.namespace"),
        (lambda e: e["manifests"][0]["metadata"].update(namespace="x"), r"manifests\[0\]\.metadata\.namespace"),
        (lambda e: e["manifests"][2]["metadata"].pop("name"), r"manifests\[2\]\.metadata\.name"),
        (lambda e: e["manifests"].append(manifests()[3]), "manifests"),
        (lambda e: e.update(apply_set="not a label"), "apply_set"),
        (lambda e: e.update(kubernetes_version="latest"), "kubernetes_version"),
        (lambda e: e.pop("cluster"), "cluster"),
        (lambda e: e["cluster"].update(endpoint="http://plain"), r"cluster\.endpoint"),
        (lambda e: e["cluster"].update(certificate_authority="not base64!"), r"cluster\.certificate_authority"),
        (lambda e: e["cluster"].pop("name"), r"cluster\.name"),
        (lambda e: e.update(tf={"action": "refresh"}), r"tf\.action"),
    ],
)
def test_bad_input_is_refused_naming_the_key(change: Any, key: str) -> None:
    with pytest.raises(ValueError, match=rf"^{key}:"):
        parse(_bad(change))
