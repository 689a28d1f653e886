"""What a person at a terminal uses beside a running runtime: ``python -m local token`` for a demo user's token, and
each API's own ``GET /openapi.json``. One runtime (moving, with its Lambda authorizer; retail, with a JWT authorizer)
serves every test here, with its endpoints file written as ``python -m local`` writes it once ready."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from local.runtime import LocalRuntime, throwaway_runtime
from tools.openapi import openapi


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    with throwaway_runtime(("moving", "retail"), seeded=False) as rt:
        rt.write_endpoints()
        yield rt


@pytest.mark.parametrize("system", ["moving", "retail"])
def test_each_api_serves_its_openapi_document_without_a_token(runtime: LocalRuntime, system: str):
    running = runtime.systems[system]
    response = httpx.get(f"{running.api_url}/openapi.json", timeout=30)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["servers"] == [{"url": running.api_url, "description": "the local runtime"}]
    assert document["paths"] == openapi(running.system)["paths"]
    assert {route.path for _, route in running.system.routes} == set(document["paths"])
    # a local addition that opens nothing else: the protected routes still want a token
    listing = next(r.path for _, r in running.system.routes if r.method == "GET" and not r.public and "{" not in r.path)
    assert httpx.get(f"{running.api_url}{listing}", timeout=10).status_code == 401
