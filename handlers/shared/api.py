"""The HTTP side of every service: the caller, request parsing, and one Powertools resolver with the error mapping.

Routes are bound to the declaration in ``routing.py``; this module is what every bound route shares.

Domain errors map to HTTP status codes here, in one place, through exception handlers: a route function raises
``NotFound`` or ``Conflict`` (from ``errors.py``, re-exported here; a service's own errors subclass them) and never
builds an error response itself. Bad input is a 400 (not JSON) or a 422 with field-level messages; a database that
cannot be reached is a 503; no traceback ever reaches the caller.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from handlers.shared.db import DatabaseUnavailable
from handlers.shared.errors import BadRequest as BadRequest
from handlers.shared.errors import Conflict as Conflict
from handlers.shared.errors import DomainError as DomainError
from handlers.shared.errors import Forbidden as Forbidden
from handlers.shared.errors import NotFound as NotFound
from handlers.shared.errors import Unauthorized as Unauthorized
from handlers.shared.errors import as_param

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the gateway's authorizer established it."""

    user_id: str
    email: str
    groups: frozenset[str]
    issued_at: int | None = None
    """When the caller's token was issued (its ``iat``, epoch seconds), where the authorizer passes it."""

    def is_in(self, *groups: str) -> bool:
        return bool(self.groups & set(groups))

    @property
    def known_email(self) -> str:
        """The caller's email, for a record that keeps it; a 400 when the token carries none (an access token)."""
        if not self.email:
            raise BadRequest(NO_EMAIL)
        return self.email


NO_EMAIL = "this action records your email, which only the id token carries: send the id token, not the access token"


def _groups(value: Any) -> frozenset[str]:
    """Cognito groups as API Gateway passes them: a list, ``"[a b]"`` (JWT claims) or ``"a,b"`` (Lambda context)."""
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return frozenset(g for g in re.split(r"[\s,\[\]]+", str(value or "")) if g)


def caller_of(event: dict[str, Any]) -> Caller:
    """The caller from a payload 2.0 event: JWT authorizer claims or a Lambda authorizer's context."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    issued_at = None
    if "jwt" in authorizer:
        claims = authorizer["jwt"].get("claims") or {}
        user_id, email, groups = claims.get("sub"), claims.get("email", ""), claims.get("cognito:groups")
        issued_at = _epoch_seconds(claims.get("iat"))
    elif "lambda" in authorizer:
        context = authorizer["lambda"] or {}
        user_id, email, groups = context.get("user_id"), context.get("email", ""), context.get("groups")
    else:
        raise Unauthorized("sign in first")
    if not user_id:
        raise Unauthorized("sign in first")
    return Caller(str(user_id), str(email or ""), _groups(groups), issued_at)


def _epoch_seconds(value: Any) -> int | None:
    """A JWT time claim as API Gateway passes it (a number, or its text); None when absent or not a number."""
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def body_as(raw: str | None, model: type[M], context: Mapping[str, Any] | None = None) -> M:
    """A raw JSON body as ``model``: 400 when it is not JSON (or nests deeper than any model does), 422 with field
    messages when it does not fit. ``context`` reaches the model's validators (``now`` and ``today``, from the
    service's clock)."""
    try:
        data = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        raise BadRequest("the request body is not valid JSON") from None
    except RecursionError:
        raise BadRequest("the request body nests too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    if _depth(data) > MAX_BODY_DEPTH:
        raise BadRequest("the request body nests too deeply")
    refuse_unstorable_text(data, ())
    return model.model_validate(data, context=context)


MAX_BODY_DEPTH = 32
"""No request model nests deeper than a few levels; a deeper body is refused before validation walks it."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL (which text columns and logs mishandle) and lone surrogates (which are not UTF-8, so no database stores them)."""


def refuse_unstorable_text(value: Any, location: tuple[str | int, ...]) -> None:
    """A 422 naming the field when any string in ``value`` (a parsed body, query or path parameters; keys included)
    holds NUL or a lone surrogate: every route refuses them the same way, whatever its model says."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            raise _invalid(location, value, "must not contain NUL characters or unpaired surrogates")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            refuse_unstorable_text(str(key), (*location, str(key)))
            refuse_unstorable_text(item, (*location, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_unstorable_text(item, (*location, index))


def _depth(value: Any) -> int:
    """How deep a parsed JSON value nests (a scalar is 0), walking without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _invalid(location: tuple[str | int, ...], value: Any, message: str) -> ValidationError:
    """A pydantic ValidationError for one field, so it is answered as every other 422."""
    error = InitErrorDetails(type=PydanticCustomError("value_error", message), loc=location, input=value)
    return ValidationError.from_exception_data("request", [error])


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body))


def refusal(code: str, message: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The body of every refusal: a stable ``code`` and its ``params`` for clients, the English ``message`` for
    people."""
    return {"code": code, "message": message, "params": dict(params or {})}


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Each field that does not fit: where, why in English, and pydantic's error type and context as its code and
    parameters (``string_too_short`` with ``min_length``...)."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"].removeprefix("Value error, "),
         "code": e["type"], "params": {k: as_param(v) for k, v in (e.get("ctx") or {}).items()}}
        for e in error.errors()
    ]  # fmt: skip


def resolver() -> APIGatewayHttpResolver:
    """A resolver that maps every error to its status code, as the module docstring says."""
    app = APIGatewayHttpResolver()

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response:
        return _json(error.http_status, refusal(error.code, str(error), error.params))

    @app.exception_handler(ValidationError)
    def _invalid(error: ValidationError) -> Response:
        return _json(422, {**refusal("invalid_request", "the request is not valid"), "errors": field_errors(error)})

    @app.exception_handler(DatabaseUnavailable)
    def _unavailable(error: DatabaseUnavailable) -> Response:
        log.error("database unavailable: %s", error)
        return _json(503, refusal("service_unavailable", "the service is temporarily unavailable; try again shortly"))

    @app.exception_handler(NotFoundError)
    def _no_route(error: NotFoundError) -> Response:
        return _json(404, refusal("no_such_route", "no such route"))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return _json(500, refusal("internal_error", "internal error"))

    return app
