"""The local gateway's authorizers: what runs before a non-public route's handler, as API Gateway runs it.

A JWT authorizer is API Gateway's own (``local.jwt_authorizer``). A Lambda authorizer is the declared function, run
through its service's :class:`~local.functions.ServiceFunctions` with a payload 2.0 REQUEST event and answering with
a simple response. As in the cloud, a request missing one of its identity sources is refused without calling it, and
its answers are cached by the identity sources' values (``$context.routeKey`` among them by default) for the declared
TTL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from architectures import spec
from handlers.shared.http_event import ApiContext, HttpRequest, authorizer_event
from local.functions import ServiceFunctions
from local.gateway_routes import RouteEntry
from local.jwt_authorizer import InvalidToken, JwtAuthorizer, KeysUnavailable
from local.workers import FunctionError

log = logging.getLogger("local.gateway")

HandlerResolver = Callable[[spec.System, spec.Service, str], str]
"""``(system, service, "api.handler")`` → the importable handler path; :func:`architectures.spec.handler_module`."""


class Unauthorized(Exception):
    """401 from an authorizer."""


class Forbidden(Exception):
    """403 from a Lambda authorizer's ``{"isAuthorized": false}``."""


class RouteAuthorizer:
    """The system's authorizer; :meth:`authorize` gives a request's ``requestContext.authorizer``."""

    def __init__(
        self,
        system: spec.System,
        functions: Mapping[str, ServiceFunctions],
        api: ApiContext,
        jwt: JwtAuthorizer | None,
        handler_resolver: HandlerResolver,
    ) -> None:
        self.system = system
        self.functions = functions
        self.api = api
        self.jwt = jwt
        self.resolve = handler_resolver
        self._cache: dict[tuple[str, ...], tuple[float, dict[str, Any]]] = {}

    def authorize(
        self, request: HttpRequest, entry: RouteEntry, params: Mapping[str, str], *, cached_only: bool = False
    ) -> dict[str, Any] | None:
        """``requestContext.authorizer`` for the route, or :class:`Unauthorized` / :class:`Forbidden`. With
        ``cached_only``, only an answer known already (a cached one, a token verified before), without calling a
        function or fetching keys; None when there is none."""
        authorizer = self.system.authorizer
        if isinstance(authorizer, spec.JwtAuthorizer):
            if self.jwt is None:
                raise RuntimeError(f"{self.system.name}: a JWT authorizer is declared but no JWT settings were given")
            try:
                return self.jwt.authorize(request.headers, remembered_only=cached_only)
            except InvalidToken as e:
                log.info("%s %s: token refused: %s", self.system.name, entry.key, e)
                raise Unauthorized from None
            except KeysUnavailable as e:
                log.error("%s %s: the JWKS cannot be fetched (%s); refusing", self.system.name, entry.key, e)
                raise Unauthorized from None
        context = self._lambda_authorizer(authorizer, request, entry, params, cached_only)
        return None if context is None else {"lambda": context}

    def _lambda_authorizer(
        self,
        authorizer: spec.LambdaAuthorizer,
        request: HttpRequest,
        entry: RouteEntry,
        params: Mapping[str, str],
        cached_only: bool,
    ) -> dict[str, Any] | None:
        identity = identity_values(authorizer.identity_sources, request, entry)
        if identity is None:
            raise Unauthorized
        cached = self._cache.get(identity)
        if cached and cached[0] > time.monotonic():
            result = cached[1]
        elif cached_only:
            return None
        else:
            result = self._invoke(authorizer, request, entry, params, identity)
            if authorizer.cache_ttl_seconds:
                self._cache[identity] = (time.monotonic() + authorizer.cache_ttl_seconds, result)
        if not result["isAuthorized"]:
            raise Forbidden
        return dict(result.get("context") or {})

    def _invoke(
        self,
        authorizer: spec.LambdaAuthorizer,
        request: HttpRequest,
        entry: RouteEntry,
        params: Mapping[str, str],
        identity: Sequence[str],
    ) -> dict[str, Any]:
        """The Lambda authorizer's simple response, checked for shape."""
        service = self.system.service(authorizer.service)
        path = self.resolve(self.system, service, authorizer.handler)
        event = authorizer_event(request, entry.key, self.api, path_parameters=params, identity=identity)
        try:
            result = self.functions[service.name].invoke(path, event)
        except Exception as e:  # Exception("Unauthorized") is the authorizer's 401, in this process or in a worker
            if (e.error_message if isinstance(e, FunctionError) else str(e)) == "Unauthorized":
                raise Unauthorized from None
            raise
        if not isinstance(result, dict) or not isinstance(result.get("isAuthorized"), bool):
            raise TypeError(f"the authorizer returned {result!r}, not a simple response with isAuthorized")
        if not isinstance(result.get("context", {}), dict):
            raise TypeError("the authorizer's context is not an object")
        return result


def identity_values(sources: Sequence[str], request: HttpRequest, entry: RouteEntry) -> tuple[str, ...] | None:
    """The values of a Lambda authorizer's identity sources in ``request``; None when one is missing or empty (API
    Gateway then answers 401 without calling the authorizer). No stage variables are defined locally."""
    context = {"routeKey": entry.key, "httpMethod": request.method, "path": request.raw_path,
               "requestId": request.request_id, "identity.sourceIp": request.source_ip}  # fmt: skip
    values = []
    for source in sources:
        kind, _, name = source.removeprefix("$").partition(".")
        where, _, key = name.partition(".")
        if kind == "request" and where == "header":
            value = request.headers.get(key.lower(), "")
        elif kind == "request" and where == "querystring":
            value = ",".join(parse_qs(request.raw_query).get(key, []))
        elif kind == "context":
            value = context.get(name, "")
        else:
            value = ""
        if not value.strip():
            return None
        values.append(value)
    return tuple(values)
