"""An OpenAPI 3.1 document for a system, built from its declaration and its services' request models.

Every declared route becomes an operation: path parameters from its ``{name}`` segments, bearer-JWT security unless
it is public, the request body from the service's ``REQUEST_MODELS`` and the query parameters from its
``QUERY_MODELS`` (both in ``handlers/<system>/<service>/api.py``, next to the handlers that parse with them), and the
error responses every service answers through the shared resolver and the gateway. Success is documented as ``2XX``:
the declaration does not say which 2xx a route answers, and a second list of them would drift.

    python -m tools.openapi moving > moving.openapi.json
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import re
import sys
from types import ModuleType
from typing import Any

from pydantic import BaseModel

from architectures import SYSTEMS, spec

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
PATH_PARAMETER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")

ERROR = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string"}},
}
FIELD_ERROR = {
    "type": "object",
    "required": ["field", "message"],
    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
}
INVALID = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
    },
    "description": "``errors`` lists the fields that do not fit (absent when the refusal is not about one field).",
}

_ERRORS = {
    "400": ("The body is not a JSON object, or the body or query breaks a rule the service states", "Error"),
    "401": (
        "No valid token (missing, expired, revoked or not for this API), or credentials that do not sign in",
        "Error",
    ),
    "403": ("The caller is not in a group this route allows", "Error"),
    "404": ("No such resource, or one the caller may not see", "Error"),
    "409": ("The resource's current state refuses the change", "Error"),
    "422": ("The request does not fit: field-level messages in ``errors``", "InvalidRequest"),
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


def request_models(system: spec.System, service: spec.Service) -> dict[str, type[BaseModel] | None] | None:
    """The service's ``REQUEST_MODELS`` (route key → body model, ``None`` for no body), or ``None`` if it has none."""
    module = api_module(system, service)
    return getattr(module, "REQUEST_MODELS", None) if module else None


def query_models(system: spec.System, service: spec.Service) -> dict[str, type[BaseModel]]:
    module = api_module(system, service)
    return dict(getattr(module, "QUERY_MODELS", {})) if module else {}


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema with its ``$defs`` inlined, so models of different services never share a name."""
    defs = schema.get("$defs", {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name in seen:
                    raise ValueError(f"recursive model {name!r} cannot be inlined")
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**resolve(copy.deepcopy(defs[name]), (*seen, name)), **resolve(rest, seen)}
            return {k: resolve(v, seen) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [resolve(v, seen) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema, ())
    return resolved


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    return inline_refs(model.model_json_schema(mode="validation"))


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


def operation(
    system: spec.System,
    service: spec.Service,
    route: spec.Route,
    bodies: dict[str, type[BaseModel] | None] | None,
    queries: dict[str, type[BaseModel]],
) -> dict[str, Any]:
    who = "public" if route.public else ("groups: " + ", ".join(route.groups) if route.groups else "any signed-in user")
    op: dict[str, Any] = {
        "operationId": operation_id(service, route),
        "tags": [service.name],
        "summary": f"{route.key} ({who})",
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in PATH_PARAMETER.findall(route.path)
    ]
    if route.key in queries:
        parameters += query_parameters(queries[route.key])
    if parameters:
        op["parameters"] = parameters

    takes_body = route.method in BODY_METHODS
    if takes_body:
        if bodies is None:  # a service without REQUEST_MODELS yet: any JSON object
            schema: dict[str, Any] | None = {"type": "object"}
        else:
            model = bodies.get(route.key)
            schema = body_schema(model) if model is not None else None
        if schema is None:
            takes_body = False
        else:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}

    codes = ["401", "404", "409", "422", "503"]  # any handler may refuse credentials (a public sign-in, too)
    if takes_body or route.key in queries:
        codes.append("400")
    if not route.public:
        op["security"] = [{"bearerAuth": []}]
        if route.groups or isinstance(system.authorizer, spec.LambdaAuthorizer):
            codes.append("403")
    else:
        op["security"] = []
    responses: dict[str, Any] = {"2XX": {"description": "Success"}}
    for code in sorted(codes):
        description, schema_name = _ERRORS[code]
        responses[code] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
        }
    op["responses"] = responses
    return op


def openapi(system: spec.System) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``system``'s HTTP API: exactly its declared routes."""
    paths: dict[str, dict[str, Any]] = {}
    for service in system.services:
        if not service.routes:
            continue
        bodies, queries = request_models(system, service), query_models(system, service)
        for route in service.routes:
            paths.setdefault(route.path, {})[route.method.lower()] = operation(system, service, route, bodies, queries)
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
