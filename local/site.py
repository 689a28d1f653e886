"""A system's web app, served locally the way CloudFront serves it from the site bucket.

The same files (read from the declaration's ``site_dir`` at each request, so an edit shows on reload), the same
content types, cache headers and security headers (the CSP included, so an inline script fails here as it would in
the cloud), the same SPA fallback (an unknown path gets ``index.html``), and a ``config.json`` pointing the app at
the local API and local Cognito instead of the deployed ones. Only ``GET`` and ``HEAD`` are served, as CloudFront's
default cache behaviour allows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from aws_systems.site_content import (
    SITE_FRAME_OPTION,
    SITE_PERMISSIONS_POLICY,
    SITE_REFERRER_POLICY,
    cache_control,
    content_type,
    csp_with_connect_sources,
    site_files,
)
from handlers.shared.asgi import lifespan

Scope = dict[str, Any]

INDEX = "index.html"


class SiteServer:
    """An ASGI app serving ``site_dir`` with ``config`` as ``config.json``; ``connect_sources`` join the CSP."""

    def __init__(self, site_dir: Path, config: Mapping[str, Any], connect_sources: Sequence[str]) -> None:
        self.site_dir = site_dir.resolve()
        self.config = json.dumps(dict(config), indent=2).encode()
        self.security_headers = [
            (b"content-security-policy", csp_with_connect_sources(dict.fromkeys(connect_sources)).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", SITE_FRAME_OPTION.encode()),
            (b"referrer-policy", SITE_REFERRER_POLICY.encode()),
            (b"permissions-policy", SITE_PERMISSIONS_POLICY.encode()),
        ]

    def _file(self, key: str) -> Path | None:
        """The file the deployment would upload under ``key`` (walked each time: no ``..``, no dotfiles)."""
        return dict(site_files(self.site_dir)).get(key)

    def lookup(self, url_path: str) -> tuple[int, str, bytes]:
        """``(status, key, body)`` for a request path: the object, ``config.json``, or the SPA fallback."""
        key = PurePosixPath(unquote(url_path)).as_posix().lstrip("/") or INDEX
        if key == "config.json":
            return 200, key, self.config
        path = self._file(key)
        if path is None:
            return 200, INDEX, (self.site_dir / INDEX).read_bytes()  # CloudFront's 403/404 → /index.html with 200
        return 200, key, path.read_bytes()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self._send(send, 405, [(b"allow", b"GET, HEAD")], b"")
            return
        status, key, body = self.lookup(scope["path"])
        headers = [
            (b"content-type", content_type(key).encode()),
            (b"cache-control", cache_control(key).encode()),
            (b"content-length", str(len(body)).encode()),
            *self.security_headers,
        ]
        await self._send(send, status, headers, b"" if scope["method"] == "HEAD" else body)

    @staticmethod
    async def _send(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
