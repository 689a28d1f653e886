"""Routes declared once: a service's functions bind to the routes its system declares, by key.

The declaration (``architectures/<system>.py``) says which routes exist and which groups may call them. A service's
``api.py`` binds one function to each of its declared routes on a module-level :class:`Router`, naming the models
its request is parsed with and its answer is documented by::

    router = Router("moving", "moves")

    @router.route("POST /moves/{id}/complete", response=MoveView)
    def complete_move(request: Request, moves: MoveUseCases) -> MoveView:
        \"\"\"Mark a move as done.\"\"\"
        return moves.complete(request.params["id"])

    handler = router.handler(MoveUseCases.from_settings)

- Binding a key the system does not declare raises at import; so does ``router.handler`` when a declared route has
  no function, because the module's last line runs it.
- Before the function runs, the caller is checked against the route's declared groups (both authorizers apply the
  same declaration; see ``System.route_groups``), the body and query are parsed with the bound models (400/422), and
  for an ``idempotent`` route a repeated ``Idempotency-Key`` is answered with the first response.
- The function's docstring is the operation's description for API users, in ``tools/openapi.py``, which documents
  exactly what is bound here: models, the success status and its body, and the headers read.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel

from architectures.spec import Route, Service, System
from handlers.shared import idempotency
from handlers.shared.api import Caller, Forbidden, body_as, caller_of, refuse_unstorable_text, resolver
from handlers.shared.db import IntegrityConflict
from handlers.shared.entry import http_request_id, lambda_entry
from handlers.shared.sessions import RevokedSessions
from handlers.shared.sessions import from_env as sessions_from_env
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases, serving_key

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class RouteBindingError(LookupError):
    """A service's routes do not match its declaration (an undeclared key, a second binding, a missing one)."""


@dataclass(frozen=True)
class Request:
    """What a route function gets: the path parameters, the parsed body and query, and the caller."""

    raw_event: Mapping[str, Any]
    params: Mapping[str, str]
    body: Any = None
    query: Any = None

    @property
    def caller(self) -> Caller:
        """The signed-in caller (a 401 on a route that has none)."""
        return caller_of(dict(self.raw_event))


@dataclass(frozen=True)
class BoundRoute:
    """A declared route and what serves it."""

    route: Route
    function: Callable[[Request, Any], Any]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    """The type of the success body (a model, a TypedDict, ``list[...]``); None when the function returns None and
    the answer has no body."""
    status: int
    idempotent: bool
    optional_body: bool = False
    """The body may be left out; the model's defaults apply then."""

    @property
    def description(self) -> str:
        return inspect.getdoc(self.function) or ""

    @property
    def headers(self) -> tuple[str, ...]:
        """The request headers the route reads beyond authorization."""
        return (idempotency.HEADER,) if self.idempotent else ()


class Router:
    """The routes of one service, bound to its declaration. ``system`` is a name in ``architectures.SYSTEMS`` (or a
    :class:`System`, for tests that declare their own)."""

    def __init__(self, system: str | System, service: str) -> None:
        if isinstance(system, str):
            from architectures import SYSTEMS  # the declarations ship with the code; imported when a router is made

            system = SYSTEMS[system]
        self.system = system
        self.service: Service = system.service(service)
        self.declared = {route.key: route for route in self.service.routes}
        self.bound: dict[str, BoundRoute] = {}
        self._warm: APIGatewayHttpResolver | None = None

    def route(
        self,
        key: str,
        *,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        idempotent: bool = False,
        optional_body: bool = False,
    ) -> Callable[[Callable[[Request, Any], Any]], Callable[[Request, Any], Any]]:
        """Bind the decorated function to the declared route ``key`` (``"POST /moves/{id}/complete"``)."""
        where = f"{self.system.name}/{self.service.name}: route {key}"
        if key not in self.declared:
            raise RouteBindingError(f"{where} is not declared in architectures/{self.system.name}.py")
        if key in self.bound:
            raise RouteBindingError(f"{where} is bound twice")
        if idempotent and body is None:
            raise RouteBindingError(f"{where}: an idempotent route needs a body model (its fingerprint)")

        def bind(function: Callable[[Request, Any], Any]) -> Callable[[Request, Any], Any]:
            self.bound[key] = BoundRoute(
                self.declared[key], function, body, query, response, status, idempotent, optional_body
            )
            return function

        return bind

    def check_complete(self) -> None:
        missing = sorted(set(self.declared) - set(self.bound))
        if missing:
            raise RouteBindingError(
                f"{self.system.name}/{self.service.name}: declared route(s) with no function: {', '.join(missing)}"
            )

    def app(self, use_cases: Any, sessions: RevokedSessions | None = None) -> APIGatewayHttpResolver:
        """A resolver serving every bound route with ``use_cases`` (the service's use-case object). With
        ``sessions``, a signed-in route refuses a token issued before its user's last sign-out."""
        self.check_complete()
        app = resolver()
        for bound in self.bound.values():
            path = bound.route.path.replace("{", "<").replace("}", ">")
            app.route(path, bound.route.method)(_endpoint(app, bound, use_cases, sessions))
        return app

    def revoked_sessions(self) -> RevokedSessions | None:
        """The system's sessions table from the environment, when the system declares one."""
        table = self.system.sessions_table
        return None if table is None else sessions_from_env(table)

    def handler(self, use_cases: Callable[[ServiceSettings], Any]) -> Handler:
        """The Lambda entry point: on the first invocation, settings from the environment and the use cases built
        from them; reused while the container is warm."""
        self.check_complete()

        @lambda_entry(http_request_id)
        def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
            if self._warm is None:
                self._warm = self.app(use_cases(ServiceSettings.from_env()), self.revoked_sessions())
            return self._warm.resolve(event, context)

        return handle

    def reset(self) -> None:
        """Forget the warm app, so the next invocation reads the environment again (tests that change it)."""
        self._warm = None
        sessions_from_env.cache_clear()


def _endpoint(app: APIGatewayHttpResolver, bound: BoundRoute, use_cases: Any,
              sessions: RevokedSessions | None) -> Callable[..., Any]:  # fmt: skip
    route = bound.route

    def endpoint(**params: str) -> Any:
        event = app.current_event
        raw = event.raw_event
        caller = None if route.public else caller_of(raw)
        if caller is not None and route.groups and not caller.is_in(*route.groups):
            raise Forbidden(f"this action needs one of the groups: {', '.join(route.groups)}")
        if caller is not None and sessions is not None:
            sessions.check(caller.user_id, caller.issued_at)
        refuse_unstorable_text(params, ("path",))
        context = use_cases.validation_context() if bound.body and isinstance(use_cases, UseCases) else None
        raw_body = event.body or ("{}" if bound.optional_body else None)
        body = body_as(raw_body, bound.body, context) if bound.body else None
        query = _query(bound, event.query_string_parameters or {})
        claim = _claim(bound, caller, event.headers, body)
        request = Request(raw, params, body, query)
        result = _call(bound, request, use_cases) if claim is None else _call_once(bound, request, use_cases, claim)
        if isinstance(result, Response):
            return result
        return Response(status_code=bound.status) if result is None else (result, bound.status)

    endpoint.__name__ = bound.function.__name__
    return endpoint


def _call(bound: BoundRoute, request: Request, use_cases: Any) -> Any:
    return bound.function(request, use_cases)


def _call_once(bound: BoundRoute, request: Request, use_cases: UseCases, claim: idempotency.Claim) -> Any:
    """Serve a request that sent an Idempotency-Key: the first answer again for a repeat; otherwise the route, whose
    first write claims the key, and then its answer kept with the key."""
    if (earlier := _earlier(use_cases, claim)) is not None:
        return idempotency.replay(earlier, claim.fingerprint)
    try:
        with serving_key(claim):
            result = _call(bound, request, use_cases)
    except IntegrityConflict:
        if (winner := _earlier(use_cases, claim)) is None:
            raise
        return idempotency.replay(winner, claim.fingerprint)  # a concurrent duplicate claimed the key first
    if isinstance(result, Mapping):
        use_cases.keep_response(claim, result)
    return result


ANSWER_WAIT_SECONDS = 2.0
"""How long a repeat waits for the first request's answer to be kept, before it is told to retry (a 409)."""


def _earlier(use_cases: UseCases, claim: idempotency.Claim) -> idempotency.Record | None:
    """The record of an earlier request with this key; while the same request's answer is still to be kept (a
    concurrent duplicate), wait for it a moment."""
    deadline = time.monotonic() + ANSWER_WAIT_SECONDS
    while (earlier := use_cases.earlier_response(claim.owner_id, claim.key)) is not None:
        pending = earlier.response is None and earlier.fingerprint == claim.fingerprint
        if not pending or time.monotonic() > deadline:
            return earlier
        time.sleep(0.05)
    return None


def _query(bound: BoundRoute, parameters: dict[str, str]) -> BaseModel | None:
    """The query as the route's model; text a database cannot store is refused first, as in a body."""
    if bound.query is None:
        return None
    refuse_unstorable_text(parameters, ())
    return bound.query.model_validate(parameters)


def _claim(
    bound: BoundRoute, caller: Caller | None, headers: Mapping[str, str], body: BaseModel | None
) -> idempotency.Claim | None:
    if not bound.idempotent or caller is None or body is None:
        return None
    key = idempotency.key_from(headers)
    return None if key is None else idempotency.Claim(caller.user_id, key, idempotency.fingerprint(body))
