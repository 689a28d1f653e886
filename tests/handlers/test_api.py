"""The shared HTTP layer: routes bound to a declaration, callers from either authorizer, group rules from the
declaration, and every error mapped to its status."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from architectures.spec import Group, JwtAuthorizer, Route, Service, System
from handlers.shared.api import Caller, Conflict, NotFound, caller_of
from handlers.shared.db import DatabaseUnavailable
from handlers.shared.routing import Request, Router
from tests.events import http_request, said

CUSTOMER = {"sub": "u-1", "email": "ana@example.com", "cognito:groups": "[customers]"}
EMPLOYEE = {"sub": "u-2", "email": "eve@example.com", "cognito:groups": "[employees admins]"}

DEMO = System(
    name="demo",
    title="Demo",
    groups=(
        Group(name="employees", precedence=0),
        Group(name="customers", precedence=1),
        Group(name="admins", precedence=2),
    ),
    authorizer=JwtAuthorizer(),
    services=(
        Service(
            name="things",
            routes=(
                Route(method="POST", path="/things"),
                Route(method="GET", path="/things"),
                Route(method="GET", path="/things/{id}"),
                Route(method="DELETE", path="/things/{id}", groups=("employees",)),
                Route(method="GET", path="/health", public=True),
            ),
        ),
    ),
)


class Thing(BaseModel):
    name: str = Field(min_length=1)
    size: int = Field(gt=0)


class Page(BaseModel):
    limit: int = Field(20, ge=1, le=100)


def demo_router() -> Router:
    router = Router(DEMO, "things")

    @router.route("POST /things", body=Thing, response=dict, status=201)
    def create(request: Request, _: object) -> dict:
        return {"name": request.body.name, "owner": request.caller.user_id}

    @router.route("GET /things", query=Page, response=dict)
    def listing(request: Request, _: object) -> dict:
        return {"limit": request.query.limit}

    @router.route("GET /things/{id}", response=dict)
    def show(request: Request, _: object) -> dict:
        thing_id = request.params["id"]
        if thing_id == "taken":
            raise Conflict("thing taken is already taken")
        if thing_id == "db-down":
            raise DatabaseUnavailable("database unavailable: db:3306: refused")
        if thing_id == "boom":
            raise RuntimeError("secret internals")
        raise NotFound(f"no thing {thing_id}")

    @router.route("DELETE /things/{id}", status=204)
    def delete(request: Request, _: object) -> None:
        return None

    @router.route("GET /health", response=dict)
    def health(request: Request, _: object) -> dict:
        return {"ok": True}

    return router


@pytest.fixture
def app():
    return demo_router().app(object())


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
    assert said(call(app, http_request("POST /things", body=body, claims=CUSTOMER))) == (status, message)


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
    assert said(call(app, event)) == (status, message)


def test_routes_with_groups_refuse_other_callers(app):
    event = http_request("DELETE /things/{id}", path="/things/t1", claims=CUSTOMER)
    status, body = call(app, event)
    assert status == 403 and "employees" in body["message"]
    event = http_request("DELETE /things/{id}", path="/things/t1", claims=EMPLOYEE)
    assert call(app, event) == (204, None), "a function that returns nothing answers with no body"


def test_a_public_route_needs_no_caller(app):
    assert call(app, http_request("GET /health")) == (200, {"ok": True})


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
    assert said((status, body)) == (401, "sign in first")


# --- codes a client can translate ------------------------------------------------------------------------------


def test_a_refusal_carries_its_code_and_the_values_it_is_about():
    from handlers.retail.catalog.logic import InsufficientStock
    from handlers.shared.api import refusal
    from handlers.shared.products import ProductNotFound

    missing = ProductNotFound("p-1")
    assert refusal(missing.code, str(missing), missing.params) == {
        "code": "product_not_found", "message": "product p-1 not found", "params": {"product_id": "p-1"}}  # fmt: skip
    short = InsufficientStock("MUG-1", "p-1", 3, -5)
    assert (short.code, short.params) == ("insufficient_stock", {"sku": "MUG-1", "product_id": "p-1", "stock": 3,
                                                                  "delta": -5})  # fmt: skip


def test_every_error_class_has_its_own_code():
    import importlib
    import pkgutil

    import handlers
    from handlers.shared.errors import DomainError

    for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
        if not module.name.endswith(("server", "migrate_handler")):
            importlib.import_module(module.name)
    codes: dict[str, set[str]] = {}

    def walk(cls: type[DomainError]) -> None:
        for sub in cls.__subclasses__():
            codes.setdefault(sub.code, set()).add(sub.__name__)
            walk(sub)

    walk(DomainError)
    assert len(codes) > 30
    # Two services may each have their MoveNotFound: one concept, one code. Two concepts never share one.
    assert {code: names for code, names in codes.items() if len(names) > 1} == {}, "two errors share a code"


def test_a_field_that_does_not_fit_says_why_as_a_code_with_its_limits():
    app = demo_router().app(object())
    event = http_request("POST /things", body={"name": "", "size": 1}, claims=CUSTOMER)
    status, body = call(app, event)
    assert (status, body["code"]) == (422, "invalid_request")
    [error] = body["errors"]
    assert (error["field"], error["code"], error["params"]) == ("name", "string_too_short", {"min_length": 1})
