"""Dynamic security testing: schemathesis against each system's OpenAPI document, on a target's endpoints.

By default it starts the systems offline (free ports on 127.0.0.1, a throwaway state directory); with ``--endpoints``
it runs against the target that file describes (a running local runtime, or a stack in AWS, see ``tools/endpoints.py``).
It signs in the target's users, then runs schemathesis once per caller: anonymously against the public routes, and
with each group's token against the routes that group may call. A few records are created first (a product, an order,
a ticket; a truck and a move; a product, a client and a sale) and their ids are the examples of the ``{id}`` path
parameters, so the cases reach the handlers' logic rather than only their 404s.

Checks: no 5xx (``not_a_server_error``), only documented status codes, content types and headers, and error bodies
that fit their documented schema. The run is seeded, so the same code gives the same cases.

    python -m tools.dast                                  # every system offline, 10 examples per operation
    python -m tools.dast --systems shop --max-examples 3
    python -m tools.dast --endpoints .local/endpoints.json

Exits non-zero when any run fails; the failing requests are printed with a curl command that reproduces them.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess  # noqa: S404 - runs schemathesis' CLI, the interface it keeps stable
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from architectures import SYSTEMS, spec
from tools import endpoints as endpoints_file
from tools.openapi import openapi

if TYPE_CHECKING:
    from local.demo import Target

DEFAULT_SYSTEMS = tuple(SYSTEMS)
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
ENDS_SESSION = frozenset({"POST /users/logout"})
"""Routes that revoke the caller's token: tested last, so the other routes of the run see a valid session."""
DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class Run:
    """One schemathesis run: a caller (a group's demo user, or nobody) and the routes that caller may call."""

    system: spec.System
    label: str
    group: str | None
    routes: tuple[spec.Route, ...]

    def document(self, examples: dict[str, str]) -> dict[str, Any]:
        """The system's document narrowed to this run's routes, with ``examples`` (``/products`` → an id) as the
        example of each route's ``{id}`` parameter."""
        full = openapi(self.system)
        for path, ops in full["paths"].items():
            example = examples.get("/" + path.strip("/").split("/")[0])
            for op in ops.values():
                for parameter in op.get("parameters", ()):
                    if example and parameter["in"] == "path" and parameter["name"] == "id":
                        parameter["example"] = example
                for content in op.get("requestBody", {}).get("content", {}).values():
                    _reference_examples(content["schema"], examples)
        keep = {(r.path, r.method.lower()) for r in self.routes}
        paths = {
            path: {m: op for m, op in ops.items() if (path, m) in keep}
            for path, ops in full["paths"].items()
            if any((path, m) in keep for m in ops)
        }
        return {**full, "paths": paths}


def _reference_examples(schema: Any, examples: dict[str, str]) -> None:
    """Body fields that name a record (``truck_id``, ``product_id``...) get the seeded record's id as their example."""
    if isinstance(schema, dict):
        for name, field in (schema.get("properties") or {}).items():
            known = examples.get(f"/{name.removesuffix('_id')}s") if name.endswith("_id") else None
            if known and isinstance(field, dict):
                field["examples"] = [known]
        for value in schema.values():
            _reference_examples(value, examples)
    elif isinstance(schema, list):
        for value in schema:
            _reference_examples(value, examples)


def plan(system: spec.System) -> list[Run]:
    """Anonymous calls to the public routes; each group's calls to the routes it may call; session-ending ones last."""
    routes = [r for _, r in system.routes]
    runs = [Run(system, f"{system.name}/anonymous", None, tuple(r for r in routes if r.public))]
    for group in sorted(system.groups, key=lambda g: g.precedence):
        allowed = tuple(
            r for r in routes if not r.public and r.key not in ENDS_SESSION and (not r.groups or group.name in r.groups)
        )
        runs.append(Run(system, f"{system.name}/{group.name}", group.name, allowed))
    ending = tuple(r for r in routes if r.key in ENDS_SESSION)
    if ending:
        runs.append(Run(system, f"{system.name}/session-end", system.groups[-1].name, ending))
    return [run for run in runs if run.routes]


def _eventually(attempt: Callable[[], httpx.Response | None], timeout: float = 20.0) -> httpx.Response:
    """Events travel through queues: retry until ``attempt`` returns a response."""
    deadline = time.monotonic() + timeout
    while (response := attempt()) is None:
        if time.monotonic() > deadline:
            raise RuntimeError("seeding timed out waiting for events to arrive")
        time.sleep(0.2)
    return response


def _created(response: httpx.Response) -> str:
    if response.status_code != 201:
        raise RuntimeError(f"seeding failed: {response.request.method} {response.request.url.path} answered "
                           f"{response.status_code} {response.text}")  # fmt: skip
    return str(response.json()["id"])


def seed_records(system: str, api_url: str, tokens: dict[str, str], tag: str = "1") -> dict[str, str]:
    """Create one record of each kind through the API; the id of each, by the first segment of its routes. ``tag``
    makes their unique keys (SKU, plate, document) new on a target whose data outlives the run."""

    def client(group: str) -> httpx.Client:
        return httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {tokens[group]}"}, timeout=10)

    if system == "shop":
        admin, customer = client("admins"), client("customers")
        sku = {"sku": f"dast-{tag}", "name": "DAST probe", "category": "testing", "price": "9.90"}
        product = _created(admin.post("/products", json=sku))
        admin.put(f"/products/{product}/inventory", json={"quantity": 1000}).raise_for_status()
        order_body = {
            "items": [{"product_id": product, "quantity": 1}],
            "payment": {"method": "cash_on_delivery"},
            "shipping_address": {"line1": "Av. Larco 100", "city": "Lima", "country": "PE"},
        }
        # Orders prices from its copy of the catalog, which products' ProductChanged event fills.
        placed = _eventually(lambda: r if (r := customer.post("/orders", json=order_body)).status_code != 422 else None)
        ticket = {"subject": "DAST probe", "description": "A ticket the security tests work on."}
        return {
            "/products": product,
            "/orders": _created(placed),
            "/tickets": _created(customer.post("/tickets", json=ticket)),
        }
    if system == "moving":
        employee, customer = client("employees"), client("customers")
        truck_body = {"plate": f"DAST-{tag}", "capacity_m3": 40, "home_city": "Lima"}
        truck = _created(employee.post("/trucks", json=truck_body))
        move = {
            "origin": {"address": "Av. Arequipa 100", "city": "Lima"},
            "destination": {"address": "Calle Sol 5", "city": "Cusco"},
            "move_date": (date.today() + timedelta(days=10)).isoformat(),
            "volume_m3": 10,
        }
        return {"/moves": _created(customer.post("/moves", json=move)), "/trucks": truck}
    if system == "retail":
        admin = client("admins")
        item = {"sku": f"DAST-{tag}", "name": "DAST probe", "category": "testing", "price": "9.90", "min_stock": 1}
        product = _created(admin.post("/products", json=item))
        admin.post("/stock/adjustments", json={"product_id": product, "delta": 1000, "reason": "DAST stock"})
        client_id = _created(admin.post("/clients", json={"document_id": f"DAST-{tag}", "name": "DAST probe"}))
        sale = {"client_id": client_id, "items": [{"product_id": product, "quantity": 1}], "payment_method": "cash"}
        return {"/products": product, "/clients": client_id, "/sales": _created(admin.post("/sales", json=sale))}
    return {}


def schemathesis_command(
    document: Path, url: str, token: str | None, *, max_examples: int, seed: int, report: Path
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(document),
        "--url",
        url,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "10",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    return command


@dataclass(frozen=True)
class Outcome:
    label: str
    operations: int
    tests: int
    failures: int
    code: int

    @property
    def ok(self) -> bool:
        return self.code == 0


def _junit_counts(report: Path) -> tuple[int, int]:
    """(test cases, failed or errored test cases) from schemathesis' JUnit report; (0, 0) when it wrote none."""
    import xml.etree.ElementTree as ET  # noqa: S405 - our own child process's report

    if not report.exists():
        return 0, 0
    root = ET.parse(report).getroot()  # noqa: S314
    cases = root.iter("testcase")
    total = failed = 0
    for case in cases:
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
    return total, failed


def dast(target: Target, *, max_examples: int, seed: int, say: Callable[[str], None] = print) -> list[Outcome]:
    """Run every :func:`plan` run against each system of ``target``; the outcome of each run."""
    endpoints = target.endpoints
    work = Path(tempfile.mkdtemp(prefix="dast-"))
    tag = secrets.token_hex(3).upper()
    outcomes: list[Outcome] = []
    try:
        for name, system in endpoints.systems.items():
            tokens: dict[str, str] = {}
            for user in system.users:
                result = endpoints.sign_in(name, user)
                tokens.update({group: result["IdToken"] for group in user.groups if group not in tokens})
            examples = seed_records(name, system.api_url, tokens, tag)
            for run in plan(SYSTEMS[name]):
                document = work / f"{run.label.replace('/', '-')}.openapi.json"
                document.write_text(json.dumps(run.document(examples), indent=2))
                report = work / f"{run.label.replace('/', '-')}.junit.xml"
                token = tokens[run.group] if run.group else None
                say(f"-> {run.label}: {len(run.routes)} route(s), up to {max_examples} examples each")
                started = time.monotonic()
                command = schemathesis_command(
                    document, system.api_url, token, max_examples=max_examples, seed=seed, report=report
                )
                # In the throwaway directory: schemathesis keeps a cache of past failures in its working directory,
                # and replaying them would make a run depend on the runs before it.
                code = subprocess.run(command, cwd=work, check=False).returncode  # noqa: S603 - fixed arguments
                tests, failures = _junit_counts(report)
                outcomes.append(Outcome(run.label, len(run.routes), tests, failures, code))
                say(f"   {run.label}: exit {code} in {time.monotonic() - started:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return outcomes


def dast_offline(
    systems: tuple[str, ...], *, max_examples: int, seed: int, say: Callable[[str], None] = print
) -> list[Outcome]:
    """Start the systems offline, run :func:`dast` against them, stop them."""
    from local.demo import runtime_target
    from local.runtime import LocalRuntime, Options, free_base_port

    with tempfile.TemporaryDirectory(prefix="dast-state-") as state:
        options = Options(systems=systems, state_dir=Path(state), base_port=free_base_port(systems, first=21000))
        runtime = LocalRuntime(options, say=lambda line: None)
        try:
            say(f"-> starting {', '.join(systems)} offline on 127.0.0.1:{options.base_port}+")
            runtime.start()
            return dast(runtime_target(runtime), max_examples=max_examples, seed=seed, say=say)
        finally:
            runtime.stop()


def summary(outcomes: list[Outcome]) -> str:
    lines = ["", "DAST summary (schemathesis checks: " + ", ".join(CHECKS) + ")"]
    for o in outcomes:
        verdict = "ok" if o.ok else f"FAILED (exit {o.code})"
        lines.append(f"  {o.label:<24} {o.operations:>3} operation(s)  {o.failures:>3} failing  {verdict}")
    failed = [o for o in outcomes if not o.ok]
    lines.append(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dast", description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", choices=sorted(SYSTEMS), help="the systems to test (default: all)")
    parser.add_argument("--endpoints", type=Path, help="test the target this endpoints file describes")
    parser.add_argument("--max-examples", type=int, default=10, help="test cases per operation and phase (10)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="schemathesis' random seed (fixed by default)")
    args = parser.parse_args(argv)
    if args.endpoints is None:
        systems = tuple(args.systems or DEFAULT_SYSTEMS)
        outcomes = dast_offline(systems, max_examples=args.max_examples, seed=args.seed)
    else:
        from local.demo import target_of

        try:
            target = target_of(endpoints_file.load(args.endpoints))
        except Exception as e:  # one line: a missing file, or AWS refusing to read the users' secret
            print(f"error: {e}", file=sys.stderr)
            return 2
        if args.systems:
            target.endpoints.systems = {k: v for k, v in target.endpoints.systems.items() if k in args.systems}
        outcomes = dast(target, max_examples=args.max_examples, seed=args.seed)
    print(summary(outcomes))
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
