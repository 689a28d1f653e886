"""A fake Kubernetes API server for the apply handler's tests: HTTPS on 127.0.0.1 with a CA of its own.

It keeps objects by path, answers server-side apply, get, list by label and delete, records every request, and
reports Deployments as rolled out, stuck without available replicas, or past their progress deadline.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Rollout = Literal["ready", "unavailable", "deadline"]


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    content_type: str
    authorization: str
    body: dict[str, Any] | None


def certificate_authority(tmp: Path) -> tuple[str, Path, Path]:
    """A CA (its PEM) and a server certificate for 127.0.0.1 that it signed (the cert and key files)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def cert(subject: str, key: Any, issuer: str, signer: Any, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
            builder = builder.add_extension(san, critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_cert = cert("fake-kubernetes-ca", ca_key, "fake-kubernetes-ca", ca_key, ca=True)
    server_cert = cert("kube-apiserver", server_key, "fake-kubernetes-ca", ca_key, ca=False)
    cert_file, key_file = tmp / "server.pem", tmp / "server.key"
    cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_cert.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file


@dataclass
class FakeKubernetes:
    """Start with :meth:`start`, stop with :meth:`stop` (the ``kube_api`` fixture does both)."""

    tmp: Path
    rollout: Rollout = "ready"
    forbidden_namespaces: set[str] = field(default_factory=set)
    unauthorized_requests: int = 0
    """Answer this many requests with 401 first, as a new access entry does for a moment."""
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def start(self) -> FakeKubernetes:
        self.ca_pem, cert_file, key_file = certificate_authority(self.tmp)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def requests(self, *methods: str) -> list[tuple[str, str]]:
        """(method, path) of the requests made, of the given methods only when named."""
        return [(c.method, c.path) for c in self.calls if not methods or c.method in methods]

    # --- behaviour -----------------------------------------------------------------------------------------
    def answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        if self.unauthorized_requests > 0:
            self.unauthorized_requests -= 1
            return 401, {"kind": "Status", "message": "Unauthorized"}
        if _namespace_of(call.path) in self.forbidden_namespaces:
            return 403, {"kind": "Status", "message": "forbidden"}
        if call.method == "PATCH":
            return self._apply(call)
        if call.method == "GET" and "labelSelector" in call.query:
            return 200, {"kind": "List", "items": self._matching(call.path, call.query["labelSelector"])}
        if call.method == "GET" and call.path in self.objects:
            return 200, self.objects[call.path]
        if call.method == "DELETE" and call.path in self.objects:
            removed = [p for p in self.objects if p == call.path or p.startswith(call.path + "/")]
            for path in removed:
                del self.objects[path]
            return 200, {"kind": "Status", "status": "Success"}
        return 404, {"kind": "Status", "message": f"{call.path} not found"}

    def _apply(self, call: Call) -> tuple[int, dict[str, Any]]:
        applies = call.content_type == "application/apply-patch+yaml"
        if not applies or call.query.get("force") != "true" or not call.query.get("fieldManager"):
            return 415, {"kind": "Status", "message": "not a forced server-side apply"}
        obj = dict(call.body or {})
        previous = self.objects.get(call.path, {})
        generation = previous.get("metadata", {}).get("generation", 0) + 1
        obj["metadata"] = {**obj["metadata"], "generation": generation}
        if obj["kind"] == "Deployment":
            obj["status"] = self._status(obj["spec"].get("replicas", 1), generation)
        self.objects[call.path] = obj
        return 200, obj

    def _status(self, replicas: int, generation: int) -> dict[str, Any]:
        available = replicas if self.rollout == "ready" else 0
        status: dict[str, Any] = {
            "observedGeneration": generation,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "availableReplicas": available,
        }
        if self.rollout == "deadline":
            status["conditions"] = [
                {"type": "Progressing", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet has timed out"}
            ]
        return status

    def _matching(self, collection: str, selector: str) -> list[dict[str, Any]]:
        key, _, value = selector.partition("=")
        return [
            obj
            for path, obj in sorted(self.objects.items())
            if path.rpartition("/")[0] == collection and obj["metadata"].get("labels", {}).get(key) == value
        ]


def _namespace_of(path: str) -> str:
    """The namespace a request is about (``/api/v1/namespaces/<ns>...``), or ``""``."""
    return path.partition("/namespaces/")[2].split("/")[0]


def _handler(fake: FakeKubernetes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            call = Call(
                self.command,
                url.path,
                dict(urllib.parse.parse_qsl(url.query)),
                self.headers.get("Content-Type", ""),
                self.headers.get("Authorization", ""),
                body,
            )
            fake.calls.append(call)
            status, answer = fake.answer(call)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PATCH = do_DELETE = _serve  # noqa: N815 (http.server's method names)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
            pass

    return Handler
