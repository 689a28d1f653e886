"""The OpenAPI documents: valid OpenAPI 3.1, exactly the declared routes, and what each route's bound function
parses and answers, described for API users."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from architectures import SYSTEMS
from tools import openapi as tool
from tools.openapi import bound_routes, openapi

SPHINX = re.compile(r"``|:(class|func|meth|mod|attr):`")


@pytest.fixture(scope="module", params=sorted(SYSTEMS))
def system_document(request):
    system = SYSTEMS[request.param]
    return system, openapi(system)


def test_each_document_is_valid_openapi_31_with_exactly_the_declared_routes(system_document):
    system, document = system_document
    validate(document)
    assert document["openapi"].startswith("3.1")
    operations = {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}
    assert operations == {route.key for _, route in system.routes}


def test_security_and_errors_follow_the_declaration(system_document):
    system, document = system_document
    for _, route in system.routes:
        op = document["paths"][route.path][route.method.lower()]
        assert op["security"] == ([] if route.public else [{"bearerAuth": []}]), route.key
        assert {"401", "404", "409", "422", "503"} <= set(op["responses"]), route.key
        assert ("403" in op["responses"]) == bool(route.groups or system.authorizer.kind == "lambda"), route.key
        params = {p["name"] for p in op.get("parameters", ()) if p["in"] == "path"}
        assert params == {part.strip("{}") for part in route.path.split("/") if part.startswith("{")}, route.key


def wire_names(model: type[BaseModel]) -> set[str]:
    """The names a client sends: a field's alias where it has one (``from`` for ``from_``)."""
    return {field.alias or name for name, field in model.model_fields.items()}


def test_requests_and_answers_are_documented_from_the_bound_functions(system_document):
    system, document = system_document
    for service in system.services:
        bound = bound_routes(system, service)
        for route in service.routes:
            op, served = document["paths"][route.path][route.method.lower()], bound[route.key]
            if served.body is None:
                assert "requestBody" not in op, route.key
            else:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                assert set(schema["properties"]) == wire_names(served.body), route.key
                assert op["requestBody"]["required"] is not served.optional_body, route.key
                assert "$defs" not in json.dumps(schema), "nested models are inlined"
            names = {p["name"] for p in op.get("parameters", ()) if p["in"] == "query"}
            assert names == (wire_names(served.query) if served.query else set()), route.key
            [(status, answer)] = [(code, a) for code, a in op["responses"].items() if code.startswith("2")]
            assert int(status) == served.status, route.key
            assert ("content" in answer) == (served.response is not None), route.key
            headers = {p["name"] for p in op.get("parameters", ()) if p["in"] == "header"}
            assert headers == set(served.headers), route.key
            assert op["summary"] and not op["summary"].startswith(route.method), f"{route.key} has no docstring"


def test_idempotent_routes_document_the_header(system_document):
    system, document = system_document
    for service in system.services:
        for key, served in bound_routes(system, service).items():
            method, path = key.split(" ", 1)
            parameters = document["paths"][path][method.lower()].get("parameters", ())
            header = [p for p in parameters if p["in"] == "header" and p["name"] == "Idempotency-Key"]
            assert bool(header) == served.idempotent, key


def test_descriptions_are_written_for_api_users(system_document):
    _, document = system_document
    texts = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            texts.extend(v for k, v in node.items() if k in ("summary", "description") and isinstance(v, str))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert texts, "the document describes its operations"
    markup = [t for t in texts if SPHINX.search(t)]
    assert markup == [], "no reStructuredText markup reaches API users"


def test_the_command_prints_the_document(capsys):
    assert tool.main(["shop"]) == 0
    assert json.loads(capsys.readouterr().out)["info"]["title"] == SYSTEMS["shop"].title


def test_the_document_is_built_once_per_declaration_and_again_for_another():
    moving = SYSTEMS["moving"]
    assert tool.openapi_once(moving) is tool.openapi_once(moving)
    copy = moving.model_copy(update={"title": "Another moving company"})
    assert tool.openapi_once(copy)["info"]["title"] != tool.openapi_once(moving)["info"]["title"]
