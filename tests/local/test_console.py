"""The local console's server (``local/console.py``) over real HTTP, against a real runtime: its JSON endpoints, the
4xx answers to bad input, its static files and CSP, and its wiring into the runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from architectures import SYSTEMS, diagram
from local.cognito import DEMO_PASSWORD
from local.console import Console, Refusal, Request, Routes
from local.runtime import LocalRuntime, ports_needed, throwaway_runtime
from tools.openapi import openapi

SYSTEMS_STARTED = ("moving", "retail")


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    with throwaway_runtime(SYSTEMS_STARTED, seeded=False) as rt:
        yield rt


@pytest.fixture(scope="module")
def console(runtime: LocalRuntime) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=runtime.console_url, timeout=30) as client:
        yield client


def refused(response: httpx.Response, status: int, *words: str) -> str:
    """The refusal's message, after checking it is ``status`` with one JSON line that names the problem."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    message = response.json()["message"]
    assert isinstance(message, str) and "\n" not in message and "Traceback" not in message
    for word in words:
        assert word in message, message
    return message


# --- wiring -----------------------------------------------------------------------------------------------------------
def test_the_console_takes_the_port_after_the_web_apps_and_is_in_the_endpoints(runtime: LocalRuntime):
    last = runtime.options.base_port + ports_needed(SYSTEMS_STARTED) - 1
    assert runtime.console_url == f"http://127.0.0.1:{last}"
    assert runtime.systems["retail"].site_url == f"http://127.0.0.1:{last - 1}"
    assert runtime.endpoints()["console_url"] == runtime.console_url


# --- the JSON endpoints -----------------------------------------------------------------------------------------------
def test_systems_lists_each_running_system_with_its_urls_and_demo_users_but_no_password(
    console: httpx.Client, runtime: LocalRuntime
):
    response = console.get("/api/systems")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert DEMO_PASSWORD not in response.text and "password" not in response.text
    listed = {s["name"]: s for s in response.json()["systems"]}
    assert list(listed) == list(SYSTEMS_STARTED)
    moving, retail = listed["moving"], listed["retail"]
    assert moving["title"] == SYSTEMS["moving"].title and moving["api_url"] == runtime.systems["moving"].api_url
    assert moving["site_url"] is None and retail["site_url"] == runtime.systems["retail"].site_url
    assert {"email": "customer@moving.local", "groups": ["customers"]} in moving["users"]
    assert len(retail["users"]) == len(SYSTEMS["retail"].groups)


def test_architecture_is_the_declarations_graph_and_its_mermaid_flowchart(console: httpx.Client):
    response = console.get("/api/systems/moving/architecture")
    assert response.status_code == 200
    graph = diagram.architecture(SYSTEMS["moving"])
    assert response.json() == {"graph": graph.to_json(), "mermaid": diagram.mermaid(graph)}
    kinds = {node["kind"] for node in response.json()["graph"]["nodes"]}
    assert {"service", "queue", "dlq", "schedule", "topic"} <= kinds


def test_openapi_is_the_systems_document_served_by_its_local_api(console: httpx.Client, runtime: LocalRuntime):
    response = console.get("/api/systems/retail/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document.pop("servers") == [{"url": runtime.systems["retail"].api_url, "description": "the local runtime"}]
    assert document == openapi(SYSTEMS["retail"])


def test_a_demo_users_id_token_is_accepted_by_the_api_also_from_the_consoles_origin(
    console: httpx.Client, runtime: LocalRuntime
):
    response = console.post("/api/systems/moving/token", json={"user": "customer@moving.local"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert answer["user"] == "customer@moving.local" and answer["groups"] == ["customers"]
    assert answer["token_type"] == "id" and answer["expires_in"] > 0
    claims = jwt.decode(answer["token"], options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["email"] == "customer@moving.local"

    api, origin = runtime.systems["moving"].api_url, runtime.console_url
    preflight = httpx.options(f"{api}/moves", headers={"origin": origin, "access-control-request-method": "GET",
                                                       "access-control-request-headers": "authorization"})  # fmt: skip
    assert preflight.status_code == 204 and "authorization" in preflight.headers["access-control-allow-headers"]
    moves = httpx.get(f"{api}/moves", headers={"origin": origin, "authorization": f"Bearer {answer['token']}"})
    assert moves.status_code == 200, moves.text
    assert moves.headers["access-control-allow-origin"] in ("*", origin)


@pytest.mark.parametrize("named", ["customer", "customers", "Customer@Moving.local"])
def test_a_demo_user_is_named_as_python_m_local_token_names_them(console: httpx.Client, named: str):
    response = console.post("/api/systems/moving/token", json={"user": named})
    assert response.status_code == 200 and response.json()["user"] == "customer@moving.local"


def test_the_package_check_says_what_is_installed(console: httpx.Client):
    answer = console.get("/api/console").json()
    assert set(answer["packages"]) == {"swagger-ui", "mermaid"} and answer["install"] == "npm ci"


# --- bad input --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["architecture", "openapi.json"])
def test_an_unknown_or_stopped_system_is_a_404_that_lists_the_running_ones(console: httpx.Client, path: str):
    refused(console.get(f"/api/systems/nope/{path}"), 404, "'nope'", "moving, retail")
    refused(console.get(f"/api/systems/shop/{path}"), 404, "'shop'")  # declared, but not started here


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"user": "nobody@moving.local"}, 404, ("'nobody@moving.local'", "customer@moving.local")),
        ({"user": "admin@retail.local"}, 404, ("'admin@retail.local'", "in moving")),  # another system's user
        ({}, 400, ('{"user": "<email>"}',)),
        ({"user": 42}, 400, ("user",)),
        (["customer@moving.local"], 400, ("JSON object",)),
    ],
)
def test_a_token_for_anyone_but_the_systems_demo_users_is_refused(
    console: httpx.Client, body: Any, status: int, words: tuple[str, ...]
):
    refused(console.post("/api/systems/moving/token", json=body), status, *words)


def test_a_malformed_or_oversized_token_request_is_refused(console: httpx.Client):
    token = "/api/systems/moving/token"
    refused(console.post(token, content=b"{user", headers={"content-type": "application/json"}), 400, "not valid JSON")
    refused(console.post(token, content=b"user=x", headers={"content-type": "text/plain"}), 415, "application/json")
    refused(console.post(token, json={"user": "x" * 70_000}), 413, "larger than")
    refused(console.post("/api/systems/nope/token", json={"user": "customer@moving.local"}), 404, "'nope'")


def test_unknown_endpoints_methods_and_hosts_are_refused(console: httpx.Client):
    refused(console.get("/api/nothing"), 404, "GET /api/nothing")
    refused(console.get("/api/systems/moving/token"), 405, "POST")
    refused(console.delete("/api/systems"), 405, "GET")
    refused(console.post("/index.html"), 405, "GET")
    refused(console.get("/no-such-file.js"), 404, "/no-such-file.js")
    # a page on another name that resolves to 127.0.0.1 (DNS rebinding) gets no token
    refused(console.get("/api/systems", headers={"host": "attacker.example"}), 421, "127.0.0.1")


def test_a_failing_endpoint_answers_one_line_without_a_traceback(runtime: LocalRuntime):
    routes = Routes()

    @routes.get("/api/broken/{what}")
    def broken(console: Console, request: Request) -> Any:
        if request.params["what"] == "refused":
            raise Refusal(409, "refused on purpose")
        raise RuntimeError("boom")

    app = Console(runtime, routes=routes)
    refused(asgi_get(app, "/api/broken/refused"), 409, "refused on purpose")
    refused(asgi_get(app, "/api/broken/failed"), 500, "RuntimeError: boom")


# --- the page ---------------------------------------------------------------------------------------------------------
def test_the_page_is_served_under_a_strict_csp_that_lets_it_call_the_apis(console: httpx.Client, runtime: LocalRuntime):
    page = console.get("/")
    assert page.status_code == 200 and '<script type="module" src="console.js">' in page.text
    csp = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["connect-src"].split() == ["'self'", *(r.api_url for r in runtime.systems.values())]
    assert "unsafe-eval" not in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    script = console.get("/console.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")


def test_only_the_renderers_files_are_served_from_node_modules(console: httpx.Client):
    if not console.get("/api/console").json()["packages"]["mermaid"]:
        pytest.skip("node_modules has no mermaid (run npm ci)")
    entry = console.get("/vendor/mermaid/mermaid.esm.min.mjs")
    assert entry.status_code == 200 and entry.headers["content-type"].startswith("text/javascript")
    chunk = entry.text.split('from"./', 1)[1].split('"', 1)[0]
    assert console.get(f"/vendor/mermaid/{chunk}").status_code == 200
    for path in ("/vendor/mermaid/package.json", "/vendor/swagger-ui/index.html", "/vendor/mermaid/../package.json",
                 "/vendor/mermaid/%2e%2e/%2e%2e/package.json", "/vendor/prettier/index.js"):  # fmt: skip
        assert console.get(path).status_code == 404, path


def test_without_node_packages_the_console_says_to_run_npm_ci(runtime: LocalRuntime, tmp_path: Path):
    app = Console(runtime, node_modules=tmp_path)
    assert asgi_get(app, "/api/console").json()["packages"] == {"swagger-ui": False, "mermaid": False}
    refused(asgi_get(app, "/vendor/swagger-ui/swagger-ui-bundle.js"), 404, "swagger-ui-dist", "npm ci")
    assert asgi_get(app, "/").status_code == 200


def asgi_get(app: Console, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            return await client.get(path)

    return asyncio.run(go())
