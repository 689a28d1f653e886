"""The OpenAPI documents: valid OpenAPI 3.1, exactly the declared routes, and a request model for every body."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from architectures import SYSTEMS
from tools import openapi as tool
from tools.openapi import BODY_METHODS, api_module, openapi

MODELLED = tuple(sorted(SYSTEMS))
"""Every system's services keep ``REQUEST_MODELS`` and ``QUERY_MODELS`` next to their handlers."""


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_each_document_is_valid_openapi_31_with_exactly_the_declared_routes(name):
    system = SYSTEMS[name]
    document = openapi(system)
    validate(document)
    assert document["openapi"].startswith("3.1")
    operations = {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}
    assert operations == {route.key for _, route in system.routes}


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_security_and_errors_follow_the_declaration(name):
    system = SYSTEMS[name]
    document = openapi(system)
    for _, route in system.routes:
        op = document["paths"][route.path][route.method.lower()]
        assert op["security"] == ([] if route.public else [{"bearerAuth": []}]), route.key
        assert {"2XX", "401", "404", "409", "422", "503"} <= set(op["responses"]), route.key
        assert ("403" in op["responses"]) == bool(route.groups or system.authorizer.kind == "lambda"), route.key
        params = {p["name"] for p in op.get("parameters", ()) if p["in"] == "path"}
        assert params == {part.strip("{}") for part in route.path.split("/") if part.startswith("{")}, route.key


@pytest.mark.parametrize("name", MODELLED)
def test_every_body_carrying_route_has_its_request_model_with_the_service(name):
    system = SYSTEMS[name]
    for service in system.services:
        if not service.routes:
            continue
        module = api_module(system, service)
        bodies, queries = module.REQUEST_MODELS, module.QUERY_MODELS
        carrying = {r.key for r in service.routes if r.method in BODY_METHODS}
        assert set(bodies) == carrying, f"{service.name}: REQUEST_MODELS must name each POST/PUT/PATCH route"
        assert set(queries) <= {r.key for r in service.routes if r.method == "GET"}, service.name
        for key, model in [*bodies.items(), *queries.items()]:
            assert model is None or issubclass(model, BaseModel), key


def wire_names(model: type[BaseModel]) -> set[str]:
    """The names a client sends: a field's alias where it has one (``from`` for ``from_``)."""
    return {field.alias or name for name, field in model.model_fields.items()}


@pytest.mark.parametrize("name", MODELLED)
def test_bodies_and_list_queries_are_documented_from_the_models(name):
    system = SYSTEMS[name]
    document = openapi(system)
    for service in system.services:
        if not service.routes:
            continue
        module = api_module(system, service)
        for route in service.routes:
            op = document["paths"][route.path][route.method.lower()]
            model = module.REQUEST_MODELS.get(route.key)
            if model is None:
                assert "requestBody" not in op, route.key
            else:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                assert set(schema["properties"]) == wire_names(model), route.key
                assert "$defs" not in json.dumps(schema), "nested models are inlined"
            query = module.QUERY_MODELS.get(route.key)
            names = {p["name"] for p in op.get("parameters", ()) if p["in"] == "query"}
            assert names == (wire_names(query) if query else set()), route.key


def test_the_command_prints_the_document(capsys):
    assert tool.main(["shop"]) == 0
    assert json.loads(capsys.readouterr().out)["info"]["title"] == SYSTEMS["shop"].title
