"""The local gateway's CORS, as an HTTP API with a CORS configuration answers: preflights are answered by the gateway,
every response gets ``access-control-allow-origin`` when the origin is allowed, and the integration's own
``access-control-*`` headers are dropped.

The settings (methods, headers, max age) mirror ``aws_systems.http_api``'s; a test keeps them equal.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.shared.http_event import HttpRequest
from handlers.shared.http_response import HttpResponse

CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CORS_HEADERS = ("authorization", "content-type", "idempotency-key")
CORS_MAX_AGE_SECONDS = 600


class Cors:
    """The CORS configuration for ``origins`` (``*`` allows any; none: no CORS configuration at all)."""

    def __init__(self, origins: Sequence[str]) -> None:
        self.origins = tuple(origins)

    def allowed_origin(self, request: HttpRequest) -> str | None:
        origin = request.headers.get("origin")
        if not origin or not self.origins:
            return None
        if "*" in self.origins:
            return "*"
        return origin if origin in self.origins else None

    def is_preflight(self, request: HttpRequest) -> bool:
        return (
            bool(self.origins)
            and request.method == "OPTIONS"
            and "origin" in request.headers
            and "access-control-request-method" in request.headers
        )

    def preflight(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(204)
        if self.allowed_origin(request):  # the allow-origin header itself is added with every response's
            response.headers += [
                ("access-control-allow-methods", ",".join(CORS_METHODS)),
                ("access-control-allow-headers", ",".join(CORS_HEADERS)),
                ("access-control-max-age", str(CORS_MAX_AGE_SECONDS)),
            ]
        return response

    def strip_integration_headers(self, response: HttpResponse) -> None:
        """With a CORS configuration, API Gateway ignores the integration's CORS headers."""
        if self.origins:
            response.headers = [(n, v) for n, v in response.headers if not n.startswith("access-control-")]

    def add_headers(self, request: HttpRequest, response: HttpResponse) -> None:
        origin = self.allowed_origin(request)
        if origin:
            response.headers.append(("access-control-allow-origin", origin))
            if origin != "*":
                response.headers.append(("vary", "origin"))
