"""The local web app server: CloudFront's behaviour for the site bucket, with a config.json for the local runtime."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from aws_systems.site_content import SITE_PERMISSIONS_POLICY
from aws_systems.static_site import content_security_policy
from local.site import SiteServer

CONFIG = {"apiUrl": "http://127.0.0.1:9001", "cognitoEndpoint": "http://127.0.0.1:9000/"}


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>")
    (tmp_path / "app.js").write_text("console.log('hi')")
    (tmp_path / ".env").write_text("SECRET=1")
    (tmp_path.parent / "outside.txt").write_text("not served")
    return SiteServer(tmp_path, CONFIG, connect_sources=["http://127.0.0.1:9001", "http://127.0.0.1:9000"])


def request(app: SiteServer, method: str, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://site") as client:
            return await client.request(method, path)

    return asyncio.run(go())


def test_files_are_served_with_their_type_and_cache_headers(site):
    page = request(site, "GET", "/")
    assert page.status_code == 200 and "<title>app</title>" in page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8" and page.headers["cache-control"] == "no-cache"
    script = request(site, "GET", "/app.js")
    assert script.text == "console.log('hi')" and "javascript" in script.headers["content-type"]


def test_config_json_points_the_app_at_the_local_runtime(site):
    response = request(site, "GET", "/config.json")
    assert response.json() == CONFIG and response.headers["content-type"].startswith("application/json")


def test_unknown_paths_dotfiles_and_escapes_fall_back_to_the_app(site):
    for path in ("/sales/42", "/.env", "/../outside.txt", "/%2e%2e/outside.txt"):
        response = request(site, "GET", path)
        assert response.status_code == 200 and "<title>app</title>" in response.text, path


def test_security_headers_match_the_cloud_policy_with_local_origins(site):
    headers = request(site, "GET", "/").headers
    cloud = content_security_policy(["https://api.example.com"])
    local = headers["content-security-policy"]
    assert local == cloud.replace("https://api.example.com", "http://127.0.0.1:9001 http://127.0.0.1:9000")
    assert "'unsafe-inline'" not in local
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["permissions-policy"] == SITE_PERMISSIONS_POLICY and "camera=()" in headers["permissions-policy"]
    assert "x-xss-protection" not in headers


def test_only_reads_are_allowed(site):
    assert request(site, "HEAD", "/app.js").content == b""
    refused = request(site, "POST", "/config.json")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
    assert json.loads(request(site, "GET", "/config.json").text) == CONFIG
