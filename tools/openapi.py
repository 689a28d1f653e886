"""An OpenAPI 3.1 document for a system, built from its declaration and what its services' routers bind.

Every declared route becomes an operation: path parameters from its ``{name}`` segments, bearer-JWT security unless
it is public, and from the function bound to it (``handlers/<system>/<service>/api.py``): the summary and description
(its docstring), the request body and query models it is parsed with, the headers it reads, its success status and
the schema of its answer. The error responses are the ones every service answers through the shared resolver and the
gateway.

    python -m tools.openapi moving > moving.openapi.json
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import re
import sys
import threading
from types import ModuleType
from typing import Any

from pydantic import BaseModel, TypeAdapter

from architectures import SYSTEMS, spec
from handlers.shared.routing import BoundRoute, Router

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
PATH_PARAMETER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")

CODE = {
    "type": "string",
    "description": "A stable, machine-readable name of the refusal (product_not_found, insufficient_stock...): show "
    "your own words for it. Refusals made by API Gateway itself (the authorizer's 401, throttling's 429) have none.",
}
PARAMS = {"type": "object", "description": "The values the refusal is about, by name, to fill in your words."}
ERROR = {
    "type": "object",
    "required": ["message"],
    "properties": {"code": CODE, "message": {"type": "string"}, "params": PARAMS},
}
FIELD_ERROR = {
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string"},
        "message": {"type": "string"},
        "code": {"type": "string", "description": "Why the field does not fit (string_too_short, missing...)"},
        "params": PARAMS,
    },
}
INVALID = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "code": CODE,
        "message": {"type": "string"},
        "params": PARAMS,
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
    },
    "description": "errors lists the fields that do not fit (absent when the refusal is not about one field).",
}

SUCCESS = {200: "Success", 201: "Created", 202: "Accepted", 204: "Done; no content"}
HEADERS = {
    "Idempotency-Key": {
        "description": "Any string of 1 to 100 characters that identifies this request for the caller. Sending the "
        "same key and body again returns the first response instead of acting twice; the same key with another body "
        "is a 422.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 100},
    }
}

_ERRORS = {
    "400": (
        "The body is not a JSON object, the body or query breaks a rule the service states, or the cursor is not "
        "one this list returned",
        "Error",
    ),
    "401": (
        "No valid token (missing, expired, revoked or not for this API), or credentials that do not sign in",
        "Error",
    ),
    "403": ("The caller is not in a group this route allows", "Error"),
    "404": ("No such resource, or one the caller may not see", "Error"),
    "409": ("The resource's current state refuses the change", "Error"),
    "422": ("The request does not fit: field-level messages in errors", "InvalidRequest"),
    "503": ("A dependency (the database) is unavailable; nothing was written", "Error"),
}


def api_module(system: spec.System, service: spec.Service) -> ModuleType | None:
    """The service's API module, or ``None`` while its handler is not written yet (the gateway answers 501)."""
    name = spec.handler_module(system, service, service.api_handler).rpartition(".")[0]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and name.startswith(e.name):
            return None
        raise


def bound_routes(system: spec.System, service: spec.Service) -> dict[str, BoundRoute]:
    """What the service's router binds to each declared route key (nothing while the module is not written)."""
    module = api_module(system, service)
    router = getattr(module, "router", None)
    return dict(router.bound) if isinstance(router, Router) else {}


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema with its ``$defs`` inlined, so models of different services never share a name.

    A model's own description (its docstring, written for developers) and its ``title`` are left out: what API users
    read is the fields' descriptions and the operation's."""
    defs = schema.get("$defs", {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name in seen:
                    raise ValueError(f"recursive model {name!r} cannot be inlined")
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**resolve(_without_docstring(defs[name]), (*seen, name)), **resolve(rest, seen)}
            return {k: resolve(v, seen) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [resolve(v, seen) for v in node]
        return node

    resolved: dict[str, Any] = resolve(_without_docstring(schema), ())
    return resolved


def _without_docstring(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("type") == "object" or "properties" in schema:
        return {k: v for k, v in copy.deepcopy(schema).items() if k not in ("description", "title")}
    return copy.deepcopy(schema)


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    return inline_refs(model.model_json_schema(mode="validation"))


def response_schema(response: Any) -> dict[str, Any]:
    """The JSON schema of what a route answers (a model, a TypedDict, a list of them...)."""
    return inline_refs(TypeAdapter(response).json_schema(mode="serialization"))


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: ``str | None`` documents as the string alone."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**kept[0], **rest}
        schema = {**schema, "anyOf": kept}
    return schema


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = body_schema(model)
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema.get("properties", {}).items():
        field = _without_null({k: v for k, v in field.items() if k != "title"})
        if field.get("default") is None:
            field.pop("default", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": field}
        if "description" in field:
            parameter["description"] = field.pop("description")
        parameters.append(parameter)
    return parameters


def operation_id(service: spec.Service, route: spec.Route) -> str:
    words = [w.strip("{}") for w in route.path.strip("/").split("/") if w]
    return "-".join([service.name, route.method.lower(), *words])


def _who(system: spec.System, route: spec.Route) -> str:
    if route.public:
        return "Anyone may call it."
    if route.groups:
        return f"Callers in the groups: {', '.join(route.groups)}."
    return "Any signed-in user."


def operation(
    system: spec.System, service: spec.Service, route: spec.Route, bound: BoundRoute | None
) -> dict[str, Any]:
    summary, _, details = (bound.description if bound else "").partition("\n")
    op: dict[str, Any] = {
        "operationId": operation_id(service, route),
        "tags": [service.name],
        "summary": summary.strip() or route.key,
        "description": " ".join(p for p in (details.strip(), _who(system, route)) if p),
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in PATH_PARAMETER.findall(route.path)
    ]
    if bound and bound.query:
        parameters += query_parameters(bound.query)
    for header in bound.headers if bound else ():
        parameters.append({"name": header, "in": "header", "required": False, **HEADERS[header]})
    if parameters:
        op["parameters"] = parameters
    if bound and bound.body:
        op["requestBody"] = {
            "required": not bound.optional_body,
            "content": {"application/json": {"schema": body_schema(bound.body)}},
        }
    op["security"] = [] if route.public else [{"bearerAuth": []}]
    op["responses"] = {**_success(bound), **_refusals(system, route, bound)}
    return op


def _success(bound: BoundRoute | None) -> dict[str, Any]:
    if bound is None:  # not written yet: the gateway answers 501
        return {"501": {"description": "Not implemented yet"}}
    answer: dict[str, Any] = {"description": SUCCESS.get(bound.status, "Success")}
    if bound.response is not None:
        answer["content"] = {"application/json": {"schema": response_schema(bound.response)}}
    return {str(bound.status): answer}


def _refusals(system: spec.System, route: spec.Route, bound: BoundRoute | None) -> dict[str, Any]:
    codes = ["401", "404", "409", "422", "503"]  # any handler may refuse credentials (a public sign-in, too)
    if bound and (bound.body or bound.query):
        codes.append("400")
    if not route.public and (route.groups or isinstance(system.authorizer, spec.LambdaAuthorizer)):
        codes.append("403")
    responses = {}
    for code in sorted(codes):
        description, schema_name = _ERRORS[code]
        responses[code] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
        }
    return responses


_built: dict[int, tuple[spec.System, dict[str, Any]]] = {}
_built_lock = threading.Lock()


def openapi_once(system: spec.System) -> dict[str, Any]:
    """:func:`openapi`, built once per declaration (building imports every service's API module): the local API's
    ``/openapi.json`` and the console's explorer share it. Callers copy before they change it."""
    with _built_lock:
        kept = _built.get(id(system))
    if kept is not None and kept[0] is system:
        return kept[1]
    document = openapi(system)
    with _built_lock:
        _built[id(system)] = (system, document)
    return document


def openapi(system: spec.System) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``system``'s HTTP API: exactly its declared routes."""
    paths: dict[str, dict[str, Any]] = {}
    for service in system.services:
        if not service.routes:
            continue
        bound = bound_routes(system, service)
        for route in service.routes:
            paths.setdefault(route.path, {})[route.method.lower()] = operation(
                system, service, route, bound.get(route.key)
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": system.title,
            "version": "1.0.0",
            "description": f"The {system.name} system's HTTP API, generated from its declaration.",
        },
        "tags": [{"name": s.name, "description": s.description} for s in system.services if s.routes],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {"Error": ERROR, "FieldError": FIELD_ERROR, "InvalidRequest": INVALID},
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=sorted(SYSTEMS))
    args = parser.parse_args(argv)
    json.dump(openapi(SYSTEMS[args.system]), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
