"""A small Kubernetes API client: server-side apply, get, list by label and delete, nothing more.

It speaks HTTPS to the API server, verifies its certificate against the cluster's CA (hostname included), sends a
bearer token made fresh for every request, and knows the few kinds a workload is made of. Requests that fail the way
a new cluster or a new access entry fails for a while (no connection yet, 401/403 until the access policy is
visible, 429, 5xx) are retried for ``retry_seconds``.
"""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# (apiVersion, kind) -> (resource, namespaced)
KINDS: dict[tuple[str, str], tuple[str, bool]] = {
    ("v1", "Namespace"): ("namespaces", False),
    ("v1", "ServiceAccount"): ("serviceaccounts", True),
    ("v1", "Service"): ("services", True),
    ("apps/v1", "Deployment"): ("deployments", True),
    ("policy/v1", "PodDisruptionBudget"): ("poddisruptionbudgets", True),
}
RETRIED_STATUSES = {401, 403, 429, 500, 502, 503, 504}
APPLY_CONTENT_TYPE = "application/apply-patch+yaml"  # JSON is YAML, so the body is JSON


class KubernetesError(Exception):
    """The API server answered with an error status (or could not be reached: status 0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, order=True)
class Ref:
    """One object: its kind and where it lives."""

    api_version: str
    kind: str
    namespace: str  # "" for cluster-scoped kinds
    name: str

    @property
    def path(self) -> str:
        return f"{collection_path(self.api_version, self.kind, self.namespace)}/{self.name}"

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


def ref_of(manifest: Mapping[str, Any], where: str = "manifest") -> Ref:
    """The object a manifest describes; ``ValueError`` (starting with ``where``) when it is not one this client
    handles."""
    if not isinstance(manifest, Mapping):
        raise ValueError(f"{where}: must be an object (got {type(manifest).__name__})")
    key = (manifest.get("apiVersion"), manifest.get("kind"))
    if key not in KINDS:
        known = ", ".join(f"{v} {k}" for v, k in KINDS)
        raise ValueError(f"{where}: apiVersion and kind {key[0]!r} {key[1]!r} not supported (supported: {known})")
    metadata = manifest.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}.metadata.name: required")
    namespace = metadata.get("namespace", "") if isinstance(metadata, Mapping) else ""
    namespaced = KINDS[key][1]  # type: ignore[index]  # checked above
    if namespaced and (not isinstance(namespace, str) or not namespace):
        raise ValueError(f"{where}.metadata.namespace: required for a {key[1]}")
    if not namespaced and namespace:
        raise ValueError(f"{where}.metadata.namespace: a {key[1]} has none (got {namespace!r})")
    return Ref(str(key[0]), str(key[1]), namespace, name)


def collection_path(api_version: str, kind: str, namespace: str) -> str:
    resource, namespaced = KINDS[(api_version, kind)]
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    return f"{base}/namespaces/{namespace}/{resource}" if namespaced else f"{base}/{resource}"


class Kubernetes:
    """The API server at ``endpoint`` (``https://...``), trusted through ``ca_pem`` only."""

    def __init__(
        self,
        endpoint: str,
        ca_pem: str,
        token: Callable[[], str],
        field_manager: str,
        timeout: float = 15.0,
        retry_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._token = token
        self._field_manager = field_manager
        self._timeout = timeout
        self._retry_seconds = retry_seconds
        self._sleep = sleep
        context = ssl.create_default_context(cadata=ca_pem)  # only the cluster's CA; hostnames are checked
        # No proxies: the API server is reached directly, from inside its VPC.
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )

    def apply(self, manifest: Mapping[str, Any]) -> dict[str, Any]:
        """Server-side apply: create or update the object, taking over fields another manager set."""
        ref = ref_of(manifest)
        query = {"fieldManager": self._field_manager, "force": "true"}
        return self._request("PATCH", ref.path, query, json.dumps(manifest).encode(), APPLY_CONTENT_TYPE)

    def get(self, ref: Ref) -> dict[str, Any] | None:
        """The object, or ``None`` when it does not exist."""
        try:
            return self._request("GET", ref.path)
        except KubernetesError as exc:
            if exc.status == 404:
                return None
            raise

    def list(self, api_version: str, kind: str, namespace: str, selector: str) -> list[Ref]:
        """The objects of ``kind`` in ``namespace`` that match the label ``selector``."""
        found = self._request("GET", collection_path(api_version, kind, namespace), {"labelSelector": selector})
        return sorted(Ref(api_version, kind, namespace, item["metadata"]["name"]) for item in found.get("items", []))

    def delete(self, ref: Ref) -> bool:
        """Delete the object (its dependents in the background); ``False`` when it was already gone."""
        try:
            self._request("DELETE", ref.path, {"propagationPolicy": "Background"})
        except KubernetesError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def _request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        url = self._endpoint + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        give_up = time.monotonic() + self._retry_seconds
        while True:
            try:
                return self._send(method, url, body, content_type)
            except KubernetesError as exc:
                retried = exc.status == 0 or exc.status in RETRIED_STATUSES
                if not retried or time.monotonic() >= give_up:
                    raise KubernetesError(exc.status, f"{method} {path}: {exc}") from None
            self._sleep(5.0)

    def _send(self, method: str, url: str, body: bytes | None, content_type: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - https only
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise KubernetesError(exc.code, f"HTTP {exc.code} {_status_message(exc)}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise KubernetesError(-1, f"the API server's certificate is not trusted: {reason}") from None
            raise KubernetesError(0, f"API server unreachable: {reason}") from None


def _status_message(error: urllib.error.HTTPError) -> str:
    """The ``message`` of the Kubernetes ``Status`` the server sent, else the HTTP reason."""
    try:
        return str(json.loads(error.read()).get("message") or error.reason)
    except (ValueError, AttributeError):
        return str(error.reason)
