"""The shared HTTP layer: callers from either authorizer, group rules, and every error mapped to its status."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from handlers.shared.api import (
    Caller,
    Conflict,
    NotFound,
    caller_of,
    create_app,
    current_caller,
    parse_body,
    parse_query,
)
from handlers.shared.db import DatabaseUnavailable
from handlers.shared.settings import ServiceSettings
from tests.events import http_request

CUSTOMER = {"sub": "u-1", "email": "ana@example.com", "cognito:groups": "[customers]"}
EMPLOYEE = {"sub": "u-2", "email": "eve@example.com", "cognito:groups": "[employees admins]"}


class Thing(BaseModel):
    name: str = Field(min_length=1)
    size: int = Field(gt=0)


class Page(BaseModel):
    limit: int = Field(20, ge=1, le=100)


@pytest.fixture
def app():
    settings = ServiceSettings(
        SYSTEM_NAME="demo", SERVICE_NAME="things", ROUTE_GROUPS=json.dumps({"DELETE /things/{id}": ["employees"]})
    )
    app = create_app(settings)

    @app.post("/things")
    def create():
        thing = parse_body(app, Thing)
        return {"name": thing.name, "owner": current_caller(app).user_id}, 201

    @app.get("/things")
    def listing():
        return {"limit": parse_query(app, Page).limit}

    @app.get("/things/<thing_id>")
    def show(thing_id: str):
        if thing_id == "taken":
            raise Conflict("thing taken is already taken")
        if thing_id == "db-down":
            raise DatabaseUnavailable("database unavailable: db:3306: refused")
        if thing_id == "boom":
            raise RuntimeError("secret internals")
        raise NotFound(f"no thing {thing_id}")

    @app.delete("/things/<thing_id>")
    def delete(thing_id: str):
        return {"deleted": thing_id}

    return app


def call(app, event):
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def test_a_valid_body_reaches_the_route_with_the_caller(app):
    status, body = call(app, http_request("POST /things", body={"name": "box", "size": 2}, claims=CUSTOMER))
    assert (status, body) == (201, {"name": "box", "owner": "u-1"})


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("{not json", 400, "the request body is not valid JSON"),
        ("[1, 2]", 400, "the request body must be a JSON object"),
        (None, 400, "the request body must be a JSON object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(app, body, status, message):
    assert call(app, http_request("POST /things", body=body, claims=CUSTOMER)) == (status, {"message": message})


def test_a_body_that_does_not_fit_is_a_422_naming_each_field(app):
    status, body = call(app, http_request("POST /things", body={"name": "", "size": 0}, claims=CUSTOMER))
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"name", "size"}


def test_query_parameters_are_validated(app):
    assert call(app, http_request("GET /things", query={"limit": "5"}, claims=CUSTOMER)) == (200, {"limit": 5})
    status, body = call(app, http_request("GET /things", query={"limit": "500"}, claims=CUSTOMER))
    assert status == 422 and body["errors"][0]["field"] == "limit"


@pytest.mark.parametrize(
    ("thing_id", "status", "message"),
    [
        ("missing", 404, "no thing missing"),
        ("taken", 409, "thing taken is already taken"),
        ("db-down", 503, "the service is temporarily unavailable; try again shortly"),
        ("boom", 500, "internal error"),
    ],
)
def test_errors_map_to_their_status_without_internals(app, thing_id, status, message):
    event = http_request("GET /things/{id}", path=f"/things/{thing_id}", claims=CUSTOMER)
    assert call(app, event) == (status, {"message": message})


def test_routes_with_groups_refuse_other_callers(app):
    event = http_request("DELETE /things/{id}", path="/things/t1", claims=CUSTOMER)
    status, body = call(app, event)
    assert status == 403 and "employees" in body["message"]
    event = http_request("DELETE /things/{id}", path="/things/t1", claims=EMPLOYEE)
    assert call(app, event) == (200, {"deleted": "t1"})


def test_an_unknown_route_is_a_404(app):
    assert call(app, http_request("GET /nowhere", claims=CUSTOMER))[0] == 404


def test_caller_from_a_lambda_authorizer_context():
    event = http_request("GET /things", lambda_context={"user_id": "u-9", "email": "x@example.com", "groups": "a,b"})
    assert caller_of(event) == Caller("u-9", "x@example.com", frozenset({"a", "b"}))


def test_caller_from_jwt_claims_with_groups_as_a_list():
    event = http_request("GET /things", claims={"sub": "u-3", "cognito:groups": ["admins"]})
    assert caller_of(event) == Caller("u-3", "", frozenset({"admins"}))


def test_a_request_without_an_authorizer_has_no_caller(app):
    status, body = call(app, http_request("POST /things", body={"name": "box", "size": 1}))
    assert (status, body) == (401, {"message": "sign in first"})
