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

from handlers.shared.db import DatabaseUnavailable
from handlers.shared.errors import BadRequest as BadRequest
from handlers.shared.errors import Conflict as Conflict
from handlers.shared.errors import DomainError as DomainError
from handlers.shared.errors import Forbidden as Forbidden
from handlers.shared.errors import NotFound as NotFound
from handlers.shared.errors import Unauthorized as Unauthorized

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the gateway's authorizer established it."""

    user_id: str
    email: str
    groups: frozenset[str]

    def is_in(self, *groups: str) -> bool:
        return bool(self.groups & set(groups))


def _groups(value: Any) -> frozenset[str]:
    """Cognito groups as API Gateway passes them: a list, ``"[a b]"`` (JWT claims) or ``"a,b"`` (Lambda context)."""
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return frozenset(g for g in re.split(r"[\s,\[\]]+", str(value or "")) if g)


def caller_of(event: dict[str, Any]) -> Caller:
    """The caller from a payload 2.0 event: JWT authorizer claims or a Lambda authorizer's context."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    if "jwt" in authorizer:
        claims = authorizer["jwt"].get("claims") or {}
        user_id, email, groups = claims.get("sub"), claims.get("email", ""), claims.get("cognito:groups")
    elif "lambda" in authorizer:
        context = authorizer["lambda"] or {}
        user_id, email, groups = context.get("user_id"), context.get("email", ""), context.get("groups")
    else:
        raise Unauthorized("sign in first")
    if not user_id:
        raise Unauthorized("sign in first")
    return Caller(str(user_id), str(email or ""), _groups(groups))


def body_as(raw: str | None, model: type[M], context: Mapping[str, Any] | None = None) -> M:
    """A raw JSON body as ``model``: 400 when it is not JSON, 422 with field messages when it does not fit.
    ``context`` reaches the model's validators (``now`` and ``today``, from the service's clock)."""
    try:
        data = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    return model.model_validate(data, context=context)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body))


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"].removeprefix("Value error, ")}
        for e in error.errors()
    ]


def resolver() -> APIGatewayHttpResolver:
    """A resolver that maps every error to its status code, as the module docstring says."""
    app = APIGatewayHttpResolver()

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response:
        return _json(error.http_status, {"message": str(error)})

    @app.exception_handler(ValidationError)
    def _invalid(error: ValidationError) -> Response:
        return _json(422, {"message": "the request is not valid", "errors": field_errors(error)})

    @app.exception_handler(DatabaseUnavailable)
    def _unavailable(error: DatabaseUnavailable) -> Response:
        log.error("database unavailable: %s", error)
        return _json(503, {"message": "the service is temporarily unavailable; try again shortly"})

    @app.exception_handler(NotFoundError)
    def _no_route(error: NotFoundError) -> Response:
        return _json(404, {"message": "no such route"})

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return _json(500, {"message": "internal error"})

    return app
