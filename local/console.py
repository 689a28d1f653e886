"""The local console: a web page on a port of its own (127.0.0.1 only, never deployed) that shows the running systems.

The page (``local/console_site/``: ES modules and CSS, no build step) draws each view from the JSON endpoints below.
swagger-ui and mermaid come from ``node_modules`` (``npm ci``), never from a CDN; without them the rest still works and
their views say how to get them.

Adding an endpoint is one function in the route table::

    @routes.get("/api/systems/{system}/queues")
    def queues(console: Console, request: Request) -> Any:
        running = console.system(request.params["system"])
        ...
        return {"queues": [...]}  # sent as JSON

The views' endpoints live by what they read: here the systems, their architecture, API and tokens;
``local/console_trail.py`` what the runtime recorded (the event trail, messages sent, logs, schedules);
``local/console_queues.py`` the queues and their DLQs. Query parameters are in ``request.query``.

It runs in a thread (it may block: boto3, imports); :class:`Refusal` answers ``{"message": ...}`` with its status,
and any other exception a 500 with one line (the traceback goes to the runtime's log, never to the page).

Every answer carries a strict CSP, and only requests to ``127.0.0.1``/``localhost`` are served: the console hands out
the demo users' tokens, so a web page that rebinds its own name to 127.0.0.1 must not reach it.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from architectures import diagram
from aws_systems.site_content import (
    SITE_PERMISSIONS_POLICY,
    SITE_REFERRER_POLICY,
    content_type,
    site_files,
)
from handlers.shared.asgi import Receive, Scope, Send, lifespan, read_body
from tools.endpoints import User

if TYPE_CHECKING:
    from local.runtime import LocalRuntime, RunningSystem

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = Path(__file__).resolve().parent / "console_site"
NODE_MODULES = ROOT / "node_modules"
BODY_LIMIT = 64 * 1024
LOCAL_HOSTS = ("127.0.0.1", "localhost")
log = logging.getLogger("local")


def content_security_policy(connect_sources: Iterable[str]) -> str:
    """The retail site's policy, loosened only where the two renderers need it (each tried in Chromium without)."""
    directives = (
        ("default-src", "'self'"),
        ("script-src", "'self'"),  # no 'unsafe-eval': neither bundle evaluates code (their Function() is a fallback)
        # mermaid alone: it writes each diagram's styles into the SVG as a <style> element and style attributes, and
        # takes no nonce. swagger-ui needs none (React sets styles through the DOM). Scripts stay strict.
        ("style-src", "'self' 'unsafe-inline'"),
        ("img-src", "'self' data:"),  # swagger-ui's icons are data: SVGs in its stylesheet
        ("connect-src", " ".join(["'self'", *connect_sources])),  # "Try it out" calls the systems' APIs
        ("frame-ancestors", "'none'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
        ("object-src", "'none'"),
    )
    return "; ".join(f"{name} {value}" for name, value in directives)


# --- the route table ------------------------------------------------------------------------------------------------
class Refusal(Exception):
    """An answer other than 200, with one line that names the problem: ``{"message": ...}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    """The route's ``{name}`` segments, decoded."""
    headers: dict[str, str]
    body: bytes = b""
    query: dict[str, str] = field(default_factory=dict)
    """The query string's parameters (a repeated one: its last value)."""

    def text(self, name: str) -> str | None:
        """A query parameter, None when absent or empty."""
        return self.query.get(name, "").strip() or None

    def number(self, name: str, default: int, low: int, high: int) -> int:
        """A whole-number query parameter within ``low..high``; a 400 that says so otherwise."""
        given = self.query.get(name, "").strip()
        if not given:
            return default
        if not given.isdigit() or not low <= int(given) <= high:
            raise Refusal(400, f"{name}: a whole number from {low} to {high}, not {given[:40]!r}")
        return int(given)

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; a 415 or 400 that says what was wrong otherwise."""
        if self.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise Refusal(415, "send the body as JSON, with content-type: application/json")
        try:
            value = json.loads(self.body)
        except ValueError as e:
            raise Refusal(400, f"the body is not valid JSON: {e}") from None
        if not isinstance(value, dict):
            raise Refusal(400, "the body must be a JSON object")
        return value


Handler = Callable[["Console", Request], Any]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]


@dataclass
class Routes:
    """The console's JSON endpoints: a method and a path template (``{name}`` matches one segment) per handler."""

    table: list[Route] = field(default_factory=list)

    def add(self, method: str, template: str) -> Callable[[Handler], Handler]:
        parts = re.split(r"({[a-z_]+})", template)
        pattern = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)

        def register(handler: Handler) -> Handler:
            self.table.append(Route(method, template, handler, re.compile(pattern)))
            return handler

        return register

    def get(self, template: str) -> Callable[[Handler], Handler]:
        return self.add("GET", template)

    def post(self, template: str) -> Callable[[Handler], Handler]:
        return self.add("POST", template)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for the request and its parameters; a 404 or 405 :class:`Refusal` if there is none."""
        methods = []
        for route in self.table:
            found = route.pattern.fullmatch(path)
            if found and route.method == method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
            if found:
                methods.append(route.method)
        if methods:
            raise Refusal(405, f"{path} takes {', '.join(methods)}, not {method}")
        raise Refusal(404, f"no endpoint {method} {path}")


routes = Routes()


# --- node packages --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Vendor:
    """A node package whose files the page loads from ``/vendor/<name>/``: only those ``files`` (patterns inside its
    ``folder``), never the rest of ``node_modules``."""

    package: str
    folder: str
    files: tuple[str, ...]


VENDORS = {
    "swagger-ui": Vendor("swagger-ui-dist", "", ("swagger-ui-bundle.js", "swagger-ui.css")),
    # the ES build: a small entry that imports the chunks each diagram type needs, relative to its own URL
    "mermaid": Vendor("mermaid", "dist", ("mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs")),
}


# --- the server -----------------------------------------------------------------------------------------------------
class Console:
    """The console's ASGI app for a started ``runtime`` (its systems are read at each request)."""

    def __init__(self, runtime: LocalRuntime, *, site_dir: Path = SITE_DIR, node_modules: Path = NODE_MODULES,
                 routes: Routes = routes) -> None:  # fmt: skip
        self.runtime = runtime
        self.site_dir = site_dir.resolve()
        self.node_modules = node_modules
        self.routes = routes
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        csp = content_security_policy(dict.fromkeys(r.api_url for r in runtime.systems.values()))
        self.security_headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", SITE_REFERRER_POLICY.encode()),
            (b"permissions-policy", SITE_PERMISSIONS_POLICY.encode()),
        ]

    def system(self, name: str) -> RunningSystem:
        """The running system ``name``; a 404 that lists the running ones otherwise."""
        running = self.runtime.systems.get(name)
        if running is None:
            raise Refusal(404, f"unknown system {name!r}; running: {', '.join(self.runtime.systems)}")
        return running

    def client(self, service: str) -> Any:
        """A boto3 client of local AWS, made once (a client is safe to share between threads, and costly to make)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = self.runtime._session().client(service)
            return self._clients[service]

    def openapi(self, running: RunningSystem) -> dict[str, Any]:
        """The system's OpenAPI document, built once (it imports the services' API modules)."""
        from tools.openapi import openapi_once

        return openapi_once(running.system)

    def vendor_file(self, name: str, key: str) -> Path | None:
        """The file ``key`` of a vendored package, if it is one the page may load and it is installed."""
        vendor = VENDORS.get(name)
        parts = PurePosixPath(key).parts
        if vendor is None or not parts or any(p.startswith(".") for p in parts):
            return None
        if not any(fnmatch.fnmatchcase(key, pattern) for pattern in vendor.files):
            return None
        folder = (self.node_modules / vendor.package / vendor.folder).resolve()
        path = (folder / key).resolve()
        return path if path.is_relative_to(folder) and path.is_file() else None

    def installed(self, name: str) -> bool:
        return self.vendor_file(name, VENDORS[name].files[0]) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "").rsplit(":", 1)[0]
        if host not in LOCAL_HOSTS:
            await self._json(send, 421, {"message": f"the console answers on {' or '.join(LOCAL_HOSTS)} only"})
        elif scope["path"].startswith("/api/"):
            await self._api(scope, receive, send, headers)
        elif scope["method"] not in ("GET", "HEAD"):
            await self._json(send, 405, {"message": f"{scope['path']} takes GET"}, [(b"allow", b"GET, HEAD")])
        else:
            await self._static(scope, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        try:
            route, params = self.routes.match(scope["method"], scope["path"])
            body = await read_body(receive, BODY_LIMIT) if route.method == "POST" else b""
            if body is None:
                raise Refusal(413, f"the body is larger than {BODY_LIMIT} bytes")
            query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
            request = Request(scope["method"], scope["path"], params, headers, body, query)
            answer = await asyncio.to_thread(route.handler, self, request)
        except Refusal as e:
            await self._json(send, e.status, {"message": e.message})
        except Exception as e:
            log.exception("console: %s %s failed", scope["method"], scope["path"])
            await self._json(send, 500, {"message": f"the console failed: {type(e).__name__}: {e}"})
        else:
            await self._json(send, 200, answer)

    async def _static(self, scope: Scope, send: Send) -> None:
        key = PurePosixPath(unquote(scope["path"])).as_posix().lstrip("/") or "index.html"
        if key.startswith("vendor/"):
            name, _, rest = key.removeprefix("vendor/").partition("/")
            path = self.vendor_file(name, rest)
            missing = f"{VENDORS[name].package} is not installed: run npm ci" if name in VENDORS else ""
            cache = b"public, max-age=3600"  # a package changes only with npm ci
        else:
            path = dict(site_files(self.site_dir)).get(key)  # walked each time: no "..", no dotfiles
            missing, cache = "", b"no-cache"  # edits show on reload
        if path is None:
            await self._json(send, 404, {"message": missing or f"not found: {scope['path']}"})
            return
        body = path.read_bytes()
        headers = [
            (b"content-type", content_type(path.name).encode()),
            (b"cache-control", cache),
            (b"content-length", str(len(body)).encode()),
        ]
        await self._send(send, 200, headers, b"" if scope["method"] == "HEAD" else body)

    async def _json(self, send: Send, status: int, body: Any, extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
        payload = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"cache-control", b"no-store"),  # tokens among them
            (b"content-length", str(len(payload)).encode()),
            *extra,
        ]
        await self._send(send, status, headers, payload)

    async def _send(self, send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [*headers, *self.security_headers]})
        await send({"type": "http.response.body", "body": body})


# --- the endpoints --------------------------------------------------------------------------------------------------
@routes.get("/api/console")
def console_info(console: Console, request: Request) -> Any:
    """Which of the page's node packages are installed, so a view can say what to run instead of failing."""
    return {"packages": {name: console.installed(name) for name in VENDORS}, "install": "npm ci"}


@routes.get("/api/systems")
def systems(console: Console, request: Request) -> Any:
    """Each running system with its URLs and demo users (never their passwords)."""
    return {
        "systems": [
            {
                "name": name,
                "title": r.system.title,
                "api_url": r.api_url,
                "site_url": r.site_url,
                "users": [{"email": u.email, "groups": list(u.groups)} for u in r.users],
            }
            for name, r in console.runtime.systems.items()
        ]
    }


@routes.get("/api/systems/{system}/architecture")
def architecture(console: Console, request: Request) -> Any:
    """The graph drawn from the system's declaration, and the same graph as a mermaid flowchart."""
    graph = diagram.architecture(console.system(request.params["system"]).system)
    return {"graph": graph.to_json(), "mermaid": diagram.mermaid(graph)}


@routes.get("/api/systems/{system}/openapi.json")
def openapi_document(console: Console, request: Request) -> Any:
    """The system's OpenAPI document (``python -m tools.openapi``), served by its local API."""
    running = console.system(request.params["system"])
    return {**console.openapi(running), "servers": [{"url": running.api_url, "description": "the local runtime"}]}


@routes.post("/api/systems/{system}/token")
def token(console: Console, request: Request) -> Any:
    """An ID token for one of the system's demo users (``{"user": "<email>"}``), signed in on local Cognito as the web
    app signs in.

    The ID token, not the access token: both pass the gateways' authorizers, but only the ID token carries the
    caller's email, which some routes record (registering a move, opening a ticket)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from local.cognito import sign_in
    from local.tokens import TokenError, find_user

    running = console.system(request.params["system"])
    wanted = request.json_object().get("user")
    if not isinstance(wanted, str) or not wanted.strip():
        raise Refusal(400, 'name the demo user: {"user": "<email>"}')
    try:  # named as `python -m local token` names them: the email, the part before the @, the group...
        named = find_user(running.system.name, [User(u.email, None, u.groups) for u in running.users], wanted)
    except TokenError as e:
        raise Refusal(404, str(e)) from None
    user = next(u for u in running.users if u.email == named.email)
    try:
        result = sign_in(console.runtime._session(), running.auth, user.email, user.password)
    except (ClientError, BotoCoreError) as e:
        raise Refusal(502, f"local Cognito did not sign {user.email} in: {e}") from None
    return {
        "user": user.email,
        "groups": list(user.groups),
        "token": result["IdToken"],
        "token_type": "id",
        "expires_in": result.get("ExpiresIn", 3600),
    }


# The other views' endpoints, on the same route table: what the trail recorded, and the queues.
from local import console_queues, console_trail  # noqa: E402, F401
