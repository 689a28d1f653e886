"""The local API gateway: one system's HTTP API (API Gateway HTTP API, payload 2.0) as a small ASGI app.

Its routes are the declaration's (``system.routes``) and nothing else, plus two local-only additions that no stack
has: ``GET /health`` and ``GET /openapi.json`` (the document ``python -m tools.openapi <system>`` prints, built on
first request, its ``servers`` the URL the API was reached at), both public. A request goes through what API Gateway
does in the cloud, in the same order, so the real handlers cannot tell the difference:

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

The pieces live beside this module: ``local.gateway_routes`` (matching), ``local.gateway_http`` (reading requests,
writing responses), ``local.gateway_cors`` and ``local.gateway_auth`` (both authorizers); the events themselves come
from ``handlers.shared.http_event``, the builder the Users container and the tests use too.

Nothing that may wait runs on the event loop. A function in a warm worker process is called from the loop itself:
the event goes down the worker's pipe and the loop awaits the answer, with no thread in between. A cold start, a wait
at the function's concurrency limit, an in-process invocation, and an authorizer answer not known already (a cached
one, or a token verified before) run in the gateway's threads. In-process functions take turns (one service's
environment at a time), so one thread is enough; functions in worker processes run in parallel, and a function
throttled at its concurrency limit answers 429.
Errors read like API Gateway's: ``{"message": "Unauthorized"}``, ``"Forbidden"``, ``"Not Found"``,
``"Internal Server Error"``; the details go to the log (``local.gateway``), never to the client. A declared route
whose handler module does not exist yet answers 501, saying so.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from architectures import spec
from handlers.shared.asgi import ASGIApp, Receive, Scope, Send, lifespan
from handlers.shared.http_event import ApiContext, HttpRequest, authorizer_event, http_api_event
from handlers.shared.http_response import BadIntegrationResponse, HttpResponse, integration_response, send_response
from local.functions import ServiceFunctions
from local.gateway_auth import Forbidden, HandlerResolver, RouteAuthorizer, Unauthorized
from local.gateway_cors import CORS_HEADERS, CORS_MAX_AGE_SECONDS, CORS_METHODS, Cors
from local.gateway_http import MAX_BODY_BYTES, TooLarge, read_request, read_request_body
from local.gateway_routes import RouteEntry, Router
from local.gateway_trail import Served, caller_name, record_request
from local.jwt_authorizer import JwtAuthorizer, JwtSettings
from local.trail import Trail
from local.workers import Throttled

__all__ = [
    "CORS_HEADERS",
    "CORS_MAX_AGE_SECONDS",
    "CORS_METHODS",
    "MAX_BODY_BYTES",
    "ASGIApp",
    "ApiContext",
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

PARALLEL_REQUESTS = 64
"""Requests a gateway hands to worker processes at once (each function's own limit still applies)."""
log = logging.getLogger("local.gateway")

Request = HttpRequest
"""What the gateway reads from a request (:class:`handlers.shared.http_event.HttpRequest`)."""
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's account


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
        trail: Trail | None = None,
    ) -> None:
        self.system = system
        self.trail = trail
        """Where each request is recorded (the runtime's trail); None: nowhere."""
        self.functions = functions
        self.router = router
        self.api = api
        self.authorizer = RouteAuthorizer(system, functions, api, jwt, handler_resolver)
        self.cors = Cors(cors_origins)
        self.resolve = handler_resolver
        # In this process, invocations take turns anyway (see local.functions), so requests wait in one thread's queue
        # rather than as several threads contending for the functions' lock; with workers, they run in parallel.
        parallel = any(f.workers is not None for f in functions.values())
        self._worker = ThreadPoolExecutor(max_workers=PARALLEL_REQUESTS if parallel else 1,
                                          thread_name_prefix=f"{system.name}-functions")  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"the gateway speaks HTTP only, not {scope['type']}")
        request = read_request(scope)
        served = Served()
        response = await self.handle(request, receive, served)
        self.cors.add_headers(request, response)
        response.headers.append(("apigw-requestid", request.request_id))
        await send_response(send, response, head_only=request.method == "HEAD")
        if self.trail is not None:
            record_request(self.trail, self.system.name, request, response, served)

    # --- the pipeline ---------------------------------------------------------------------------------------------
    async def handle(self, request: HttpRequest, receive: Receive, served: Served | None = None) -> HttpResponse:
        """The response to ``request``; ``served`` learns the route, the caller and the ids in the path."""
        served = served or Served()
        if self.cors.is_preflight(request):
            return self.cors.preflight(request)
        try:
            request.body = await read_request_body(request, receive)
        except TooLarge:
            return HttpResponse.message(413, "Request Entity Too Large")
        matched = self.router.match(request.method, request.raw_path)
        if matched is None:
            if request.method == "GET" and request.raw_path == "/health":
                return HttpResponse.json(200, {"status": "ok", "system": self.system.name})
            if request.method == "GET" and request.raw_path == "/openapi.json":
                return await self._openapi(request)
            return HttpResponse.message(404, "Not Found")
        entry, path_parameters = matched
        served.route, served.entities = entry.key, list(path_parameters.values())
        if not entry.route.public and not request.headers.get("authorization", "").strip():
            # The identity source is missing: API Gateway refuses without calling anyone, so no hand-off either.
            return HttpResponse.message(401, "Unauthorized")
        authorizer: dict[str, Any] | None = None
        if not entry.route.public:
            # An answer known already (cached, or a token verified before) is used here, on the loop; asking (a
            # function, or the keys) may wait, so it runs in a thread.
            answer = self._authorize(request, entry, path_parameters, cached_only=True)
            if answer is None:
                loop = asyncio.get_running_loop()
                answer = await loop.run_in_executor(self._worker, self._authorize, request, entry, path_parameters)
            if isinstance(answer, HttpResponse):
                return answer
            authorizer = answer
            served.caller = caller_name(authorizer)
        event = http_api_event(request, entry.key, self.api, path_parameters=path_parameters, authorizer=authorizer)
        return await self._integrate(request, entry, event)

    async def _openapi(self, request: HttpRequest) -> HttpResponse:
        """The system's OpenAPI document, with this API's local URL as its server."""
        from tools.openapi import openapi_once  # imports every service's API module: only once somebody asks

        document = await asyncio.get_running_loop().run_in_executor(self._worker, openapi_once, self.system)
        host = request.headers.get("host") or f"127.0.0.1:{request.headers['x-forwarded-port']}"
        server = {"url": f"{request.headers['x-forwarded-proto']}://{host}", "description": "the local runtime"}
        return HttpResponse.json(200, {**document, "servers": [server]})

    def _authorize(
        self, request: HttpRequest, entry: RouteEntry, path_parameters: Mapping[str, str], cached_only: bool = False
    ) -> dict[str, Any] | HttpResponse | None:
        """``requestContext.authorizer``, or the refusal to answer with; None: not known without asking."""
        try:
            return self.authorizer.authorize(request, entry, path_parameters, cached_only=cached_only)
        except Unauthorized:
            return HttpResponse.message(401, "Unauthorized")
        except Forbidden:
            return HttpResponse.message(403, "Forbidden")
        except Exception:
            log.exception("%s %s: the authorizer failed (request %s)", self.system.name, entry.key,
                          request.request_id)  # fmt: skip
            return HttpResponse.message(500, "Internal Server Error")

    async def _integrate(self, request: HttpRequest, entry: RouteEntry, event: dict[str, Any]) -> HttpResponse:
        path = self.resolve(self.system, entry.service, entry.service.api_handler)
        module = path.rpartition(".")[0]
        try:
            result = await self.functions[entry.service.name].invoke_on_loop(path, event, self._worker)
        except Throttled:
            log.warning("%s: %s throttled (request %s)", self.system.name, entry.key, request.request_id)
            return HttpResponse.message(429, "Too Many Requests")
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
        self.cors.strip_integration_headers(response)
        return response


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
    trail: Trail | None = None,
) -> Gateway:
    """The HTTP API of ``system``, serving its declared routes with the handlers in ``functions`` (by service name).

    - ``jwt``: the user pool's JWKS URL, issuer and app client ids; required when the system declares a JWT
      authorizer and has non-public routes.
    - ``cors_origins``: origins allowed by CORS (default ``*``, as a standard stack; empty: no CORS configuration).
    - ``handler_resolver``: turns a declared handler into an importable path (default: the one both runtimes use).
    - ``api_id``, ``account_id``, ``region``: what ``requestContext`` and ``routeArn`` show (default: the system's
      name, moto's account, ``AWS_REGION`` or us-east-1).
    - ``trail``: where each request is recorded (the runtime's trail, whose lines the terminal prints).
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
    return Gateway(system, functions, Router(entries), api, authorizer, cors_origins, handler_resolver, trail)
