"""The local API gateway: one system's HTTP API (API Gateway HTTP API, payload 2.0) as a small ASGI app.

Its routes are the declaration's (``system.routes``) and nothing else, plus ``GET /health``. A request goes through
what API Gateway does in the cloud, in the same order, so the real handlers cannot tell the difference:

1. CORS preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered here, as an HTTP API
   with a CORS configuration does; every other response gets ``access-control-allow-origin`` when the origin is
   allowed, and the integration's own ``access-control-*`` headers are dropped, as API Gateway ignores them.
2. A body over 10 MB is a 413. The route is matched on method and path template, exact segments before
   ``{parameters}``; no match (even one only another method has) is a 404.
3. A non-public route runs the system's authorizer: API Gateway's JWT authorizer (``local.jwt_authorizer``), or the
   declared Lambda authorizer, the real function, with a payload 2.0 REQUEST authorizer event (simple responses).
4. The route's handler gets the payload 2.0 event the cloud sends, and its response becomes the HTTP response.
   As in the cloud, ``cookies``, ``queryStringParameters``, ``pathParameters`` and ``body`` are left out when empty;
   ``requestContext.domainName`` is the request's ``Host`` (with its port, so links built from it work locally).

The events come from ``handlers.shared.http_event``, the builder the Users container and the tests use too.

Handlers run through each service's :class:`~local.functions.ServiceFunctions` in the gateway's worker thread, so the
event loop keeps serving while a handler works. A request's authorizer and handler run there one after the other, in a
single hand-off; one thread is enough, as invocations take turns anyway (one service's environment at a time).
Errors read like API Gateway's: ``{"message": "Unauthorized"}``, ``"Forbidden"``, ``"Not Found"``,
``"Internal Server Error"``; the details go to the log (``local.gateway``), never to the client. A declared route
whose handler module does not exist yet answers 501, saying so.

The HTTP API's CORS settings (methods, headers, max age) mirror ``components.http_api``'s; a test keeps them equal.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from architectures import spec
from handlers.shared.asgi import ASGIApp, Receive, Scope, Send, lifespan, read_body
from handlers.shared.http_event import ApiContext, HttpRequest, authorizer_event, http_api_event
from local.functions import ServiceFunctions
from local.jwt_authorizer import InvalidToken, JwtAuthorizer, JwtSettings, KeysUnavailable

__all__ = [
    "MAX_BODY_BYTES",
    "ApiContext",
    "ASGIApp",
    "Gateway",
    "JwtSettings",
    "Receive",
    "Request",
    "Router",
    "Scope",
    "Send",
    "authorizer_event",
    "build_gateway",
]

log = logging.getLogger("local.gateway")

HandlerResolver = Callable[[spec.System, spec.Service, str], str]
"""``(system, service, "api.handler")`` → the importable handler path; :func:`architectures.spec.handler_module`."""

MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway HTTP APIs refuse larger payloads with a 413."""
CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CORS_HEADERS = ("authorization", "content-type", "idempotency-key")
CORS_MAX_AGE_SECONDS = 600
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's account


# --- routing -------------------------------------------------------------------------------------------------------

PARAMETER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True)
class RouteEntry:
    """A declared route, ready to match: ``segments`` holds each literal segment, or ``None`` for a parameter."""

    service: spec.Service
    route: spec.Route
    segments: tuple[str | None, ...]
    parameters: tuple[str, ...]

    @classmethod
    def of(cls, service: spec.Service, route: spec.Route) -> RouteEntry:
        segments: list[str | None] = []
        parameters: list[str] = []
        for segment in route.path.strip("/").split("/") if route.path != "/" else []:
            match = PARAMETER.match(segment)
            if match:
                segments.append(None)
                parameters.append(match.group(1))
            elif "{" in segment or "}" in segment:
                raise ValueError(f"route {route.key}: a path parameter must be a whole segment, like /moves/{{id}}")
            else:
                segments.append(segment)
        return cls(service, route, tuple(segments), tuple(parameters))

    @property
    def key(self) -> str:
        return self.route.key


class Router:
    """Method + path template matching as API Gateway does it: the most specific route wins, i.e. at the first
    segment where two templates differ, an exact segment beats a ``{parameter}``."""

    def __init__(self, entries: Sequence[RouteEntry]) -> None:
        self.entries = list(entries)

    def match(self, method: str, raw_path: str) -> tuple[RouteEntry, dict[str, str]] | None:
        """The route for ``method`` and the (still percent-encoded) path, with its decoded path parameters."""
        parts = raw_path.strip("/").split("/") if raw_path not in ("", "/") else []
        if raw_path.endswith("/") and parts:
            parts.append("")  # /moves/ is not /moves
        best: tuple[tuple[int, ...], RouteEntry] | None = None
        for entry in self.entries:
            if entry.route.method != method or len(entry.segments) != len(parts):
                continue
            if all(s == p if s is not None else p != "" for s, p in zip(entry.segments, parts, strict=True)):
                rank = tuple(0 if s is not None else 1 for s in entry.segments)
                if best is None or rank < best[0]:
                    best = (rank, entry)
        if best is None:
            return None
        entry = best[1]
        values = [unquote(p) for s, p in zip(entry.segments, parts, strict=True) if s is None]
        return entry, dict(zip(entry.parameters, values, strict=True))


# --- the request and its events ------------------------------------------------------------------------------------


class TooLarge(Exception):
    """The body is over :data:`MAX_BODY_BYTES`."""


Request = HttpRequest
"""What the gateway reads from a request (:class:`handlers.shared.http_event.HttpRequest`)."""


def read_request(scope: Scope) -> HttpRequest:
    """The request of ``scope`` as the integration sees it, with the headers API Gateway adds (the client appended to
    ``x-forwarded-for``, ``x-forwarded-port`` and ``-proto``, and an ``x-amzn-trace-id`` unless one was sent)."""
    request = HttpRequest.from_scope(scope)
    headers = request.headers
    server = scope.get("server") or ("127.0.0.1", 80)
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip
    headers["x-forwarded-port"] = str(server[1])
    headers["x-forwarded-proto"] = str(scope.get("scheme", "http"))
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}")
    return request


# --- responses -----------------------------------------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, data: Any) -> HttpResponse:
        return cls(status, [("content-type", "application/json")], json.dumps(data).encode())

    @classmethod
    def message(cls, status: int, message: str) -> HttpResponse:
        return cls.json(status, {"message": message})


class BadIntegrationResponse(ValueError):
    """The handler returned something API Gateway cannot turn into a response (a 500 in the cloud too)."""


def integration_response(result: Any) -> HttpResponse:
    """A handler's payload 2.0 response as HTTP. Without a ``statusCode``, API Gateway takes the whole result as a
    JSON body with status 200."""
    if not isinstance(result, dict) or "statusCode" not in result:
        try:
            return HttpResponse.json(200, result)
        except (TypeError, ValueError) as e:
            raise BadIntegrationResponse(f"the result is not JSON: {e}") from None
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise BadIntegrationResponse(f"statusCode {status!r} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name).lower(), _header_value(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            headers.append((str(name).lower(), _header_value(value)))
    headers += [("set-cookie", str(cookie)) for cookie in result.get("cookies") or []]
    body = result.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        raise BadIntegrationResponse(f"body must be a string, not {type(body).__name__}")
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except binascii.Error:
            raise BadIntegrationResponse("isBase64Encoded is set but the body is not base64") from None
    else:
        data = body.encode("utf-8")
    return HttpResponse(status, headers, data)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- the gateway ---------------------------------------------------------------------------------------------------


class Unauthorized(Exception):
    """401 from an authorizer."""


class Forbidden(Exception):
    """403 from a Lambda authorizer's ``{"isAuthorized": false}``."""


class Gateway:
    """The ASGI app; build it with :func:`build_gateway`."""

    def __init__(
        self,
        system: spec.System,
        functions: Mapping[str, ServiceFunctions],
        router: Router,
        api: ApiContext,
        jwt: JwtAuthorizer | None,
        cors_origins: Sequence[str],
        handler_resolver: HandlerResolver,
    ) -> None:
        self.system = system
        self.functions = functions
        self.router = router
        self.api = api
        self.jwt = jwt
        self.cors_origins = tuple(cors_origins)
        self.resolve = handler_resolver
        self._authorizer_cache: dict[tuple[str, ...], tuple[float, dict[str, Any]]] = {}
        # Invocations take turns anyway (see local.functions), so requests wait in this one thread's queue rather than
        # as several threads contending for the functions' lock.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{system.name}-functions")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"the gateway speaks HTTP only, not {scope['type']}")
        request = read_request(scope)
        response = await self.handle(request, receive)
        self._add_cors(request, response)
        response.headers.append(("apigw-requestid", request.request_id))
        await _send(send, response, head_only=request.method == "HEAD")

    # --- the pipeline ---------------------------------------------------------------------------------------------
    async def handle(self, request: Request, receive: Receive) -> HttpResponse:
        if self._is_preflight(request):
            return self._preflight(request)
        try:
            request.body = await _read_body(request, receive)
        except TooLarge:
            return HttpResponse.message(413, "Request Entity Too Large")
        matched = self.router.match(request.method, request.raw_path)
        if matched is None:
            if request.method == "GET" and request.raw_path == "/health":
                return HttpResponse.json(200, {"status": "ok", "system": self.system.name})
            return HttpResponse.message(404, "Not Found")
        entry, path_parameters = matched
        if not entry.route.public and not request.headers.get("authorization", "").strip():
            # The identity source is missing: API Gateway refuses without calling anyone, so no hand-off either.
            return HttpResponse.message(401, "Unauthorized")
        # One hand-off to the worker for the authorizer and the handler together: each hand-off is two thread wake-ups
        # and a wait for the interpreter lock, which cost more than the gateway's own work on a request.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self._authorize_and_integrate, request, entry, path_parameters)

    def _authorize_and_integrate(
        self, request: Request, entry: RouteEntry, path_parameters: Mapping[str, str]
    ) -> HttpResponse:
        authorizer: dict[str, Any] | None = None
        if not entry.route.public:
            try:
                authorizer = self._authorize(request, entry, path_parameters)
            except Unauthorized:
                return HttpResponse.message(401, "Unauthorized")
            except Forbidden:
                return HttpResponse.message(403, "Forbidden")
            except Exception:
                log.exception("%s %s: the authorizer failed (request %s)", self.system.name, entry.key,
                              request.request_id)  # fmt: skip
                return HttpResponse.message(500, "Internal Server Error")
        event = http_api_event(request, entry.key, self.api, path_parameters=path_parameters, authorizer=authorizer)
        return self._integrate(request, entry, event)

    def _authorize(self, request: Request, entry: RouteEntry, params: Mapping[str, str]) -> dict[str, Any]:
        """``requestContext.authorizer`` for the route, or :class:`Unauthorized` / :class:`Forbidden`."""
        authorizer = self.system.authorizer
        if isinstance(authorizer, spec.JwtAuthorizer):
            if self.jwt is None:
                raise RuntimeError(f"{self.system.name}: a JWT authorizer is declared but no JWT settings were given")
            try:
                return self.jwt.authorize(request.headers)
            except InvalidToken as e:
                log.info("%s %s: token refused: %s", self.system.name, entry.key, e)
                raise Unauthorized from None
            except KeysUnavailable as e:
                log.error("%s %s: the JWKS cannot be fetched (%s); refusing", self.system.name, entry.key, e)
                raise Unauthorized from None
        context = self._lambda_authorizer(authorizer, request, entry, params)
        return {"lambda": context}

    def _lambda_authorizer(
        self, authorizer: spec.LambdaAuthorizer, request: Request, entry: RouteEntry, params: Mapping[str, str]
    ) -> dict[str, Any]:
        identity = (request.headers["authorization"],)
        cached = self._authorizer_cache.get(identity)
        if cached and cached[0] > time.monotonic():
            result = cached[1]
        else:
            service = self.system.service(authorizer.service)
            path = self.resolve(self.system, service, authorizer.handler)
            event = authorizer_event(request, entry.key, self.api, path_parameters=params)
            try:
                result = self.functions[service.name].invoke(path, event)
            except Exception as e:
                if str(e) == "Unauthorized":
                    raise Unauthorized from None
                raise
            if not isinstance(result, dict) or not isinstance(result.get("isAuthorized"), bool):
                raise TypeError(f"the authorizer returned {result!r}, not a simple response with isAuthorized")
            if not isinstance(result.get("context", {}), dict):
                raise TypeError("the authorizer's context is not an object")
            if authorizer.cache_ttl_seconds:
                # The cloud caches by identity source only (not by route), and so does this.
                self._authorizer_cache[identity] = (time.monotonic() + authorizer.cache_ttl_seconds, result)
        if not result["isAuthorized"]:
            raise Forbidden
        return dict(result.get("context") or {})

    def _integrate(self, request: Request, entry: RouteEntry, event: dict[str, Any]) -> HttpResponse:
        path = self.resolve(self.system, entry.service, entry.service.api_handler)
        module = path.rpartition(".")[0]
        try:
            result = self.functions[entry.service.name].invoke(path, event)
        except ModuleNotFoundError as e:
            if e.name and (module == e.name or module.startswith(f"{e.name}.")):
                log.warning("%s: %s is declared but %s does not exist yet", self.system.name, entry.key, module)
                return HttpResponse.message(501, f"{entry.key} is declared but its handler is not implemented yet")
            log.exception("%s: %s failed (request %s)", self.system.name, entry.key, request.request_id)
            return HttpResponse.message(500, "Internal Server Error")
        except Exception:
            log.exception("%s: %s failed (request %s)", self.system.name, entry.key, request.request_id)
            return HttpResponse.message(500, "Internal Server Error")
        try:
            response = integration_response(result)
        except BadIntegrationResponse as e:
            log.error("%s: %s returned a malformed response: %s", self.system.name, entry.key, e)
            return HttpResponse.message(500, "Internal Server Error")
        if self.cors_origins:  # with a CORS configuration, API Gateway ignores the integration's CORS headers
            response.headers = [(n, v) for n, v in response.headers if not n.startswith("access-control-")]
        return response

    # --- CORS -----------------------------------------------------------------------------------------------------
    def _allowed_origin(self, request: Request) -> str | None:
        origin = request.headers.get("origin")
        if not origin or not self.cors_origins:
            return None
        if "*" in self.cors_origins:
            return "*"
        return origin if origin in self.cors_origins else None

    def _is_preflight(self, request: Request) -> bool:
        return (
            bool(self.cors_origins)
            and request.method == "OPTIONS"
            and "origin" in request.headers
            and "access-control-request-method" in request.headers
        )

    def _preflight(self, request: Request) -> HttpResponse:
        response = HttpResponse(204)
        if self._allowed_origin(request):  # the allow-origin header itself is added with every response's
            response.headers += [
                ("access-control-allow-methods", ",".join(CORS_METHODS)),
                ("access-control-allow-headers", ",".join(CORS_HEADERS)),
                ("access-control-max-age", str(CORS_MAX_AGE_SECONDS)),
            ]
        return response

    def _add_cors(self, request: Request, response: HttpResponse) -> None:
        origin = self._allowed_origin(request)
        if origin:
            response.headers.append(("access-control-allow-origin", origin))
            if origin != "*":
                response.headers.append(("vary", "origin"))


async def _read_body(request: Request, receive: Receive) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge
    body = await read_body(receive, MAX_BODY_BYTES)
    if body is None:
        raise TooLarge
    return body


async def _send(send: Send, response: HttpResponse, head_only: bool = False) -> None:
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in response.headers if n != "content-length"]
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head_only else response.body})


def build_gateway(
    system: spec.System,
    functions: Mapping[str, ServiceFunctions],
    *,
    jwt: JwtSettings | None = None,
    cors_origins: Sequence[str] = ("*",),
    handler_resolver: HandlerResolver = spec.handler_module,
    api_id: str | None = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str | None = None,
) -> Gateway:
    """The HTTP API of ``system``, serving its declared routes with the handlers in ``functions`` (by service name).

    - ``jwt``: the user pool's JWKS URL, issuer and app client ids; required when the system declares a JWT
      authorizer and has non-public routes.
    - ``cors_origins``: origins allowed by CORS (default ``*``, as a standard stack; empty: no CORS configuration).
    - ``handler_resolver``: turns a declared handler into an importable path (default: the one both runtimes use).
    - ``api_id``, ``account_id``, ``region``: what ``requestContext`` and ``routeArn`` show (default: the system's
      name, moto's account, ``AWS_REGION`` or us-east-1).
    """
    entries = [RouteEntry.of(service, route) for service, route in system.routes]
    missing = sorted({e.service.name for e in entries} - set(functions))
    protected = any(not e.route.public for e in entries)
    lambda_authorizer = system.authorizer if isinstance(system.authorizer, spec.LambdaAuthorizer) else None
    if protected and lambda_authorizer and lambda_authorizer.service not in functions:
        missing.append(lambda_authorizer.service)
    if missing:
        raise ValueError(f"functions: no ServiceFunctions for service(s) {', '.join(missing)} of {system.name}")
    if protected and isinstance(system.authorizer, spec.JwtAuthorizer) and jwt is None:
        raise ValueError(f"jwt: {system.name} declares a JWT authorizer, so pass its JwtSettings")
    if isinstance(cors_origins, str):
        raise ValueError("cors_origins: a sequence of origins, not a string")
    api = ApiContext(
        api_id=api_id or system.name.replace("-", ""),
        account_id=account_id,
        region=region or os.environ.get("AWS_REGION") or "us-east-1",
    )
    authorizer = JwtAuthorizer(jwt) if jwt is not None and isinstance(system.authorizer, spec.JwtAuthorizer) else None
    return Gateway(system, functions, Router(entries), api, authorizer, cors_origins, handler_resolver)
