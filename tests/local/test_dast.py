"""A bounded DAST pass over every route of the three systems offline: schemathesis with ten examples a route, as
every caller may call it, checking that no input gives a 5xx and every answer fits the OpenAPI document.

The pass runs in its own process, as ``make dast`` does: a runtime's AWS clients are process-wide, so a second
runtime in this process would talk to the first one's (stopped) local AWS.
"""

from __future__ import annotations

import subprocess
import sys

from architectures import SYSTEMS
from tests.conftest import ROOT
from tools import dast


def test_the_plan_gives_each_caller_the_routes_it_may_call():
    runs = {run.label: run for run in dast.plan(SYSTEMS["shop"])}
    assert list(runs) == ["shop/anonymous", "shop/admins", "shop/agents", "shop/customers", "shop/session-end"]
    assert all(r.public for r in runs["shop/anonymous"].routes)
    assert "POST /products" in {r.key for r in runs["shop/admins"].routes}
    assert "POST /products" not in {r.key for r in runs["shop/customers"].routes}
    assert [r.key for r in runs["shop/session-end"].routes] == ["POST /users/logout"]
    covered = {r.key for run in runs.values() for r in run.routes}
    assert covered == {r.key for _, r in SYSTEMS["shop"].routes}, "every route is fuzzed by some caller"


def test_seeded_ids_become_the_examples_of_path_parameters_and_body_references():
    run = next(r for r in dast.plan(SYSTEMS["moving"]) if r.group == "employees")
    document = run.document({"/moves": "move-1", "/trucks": "truck-1"})
    assign = document["paths"]["/moves/{id}/truck"]["post"]
    assert assign["parameters"][0]["example"] == "move-1"
    body = assign["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["truck_id"]["examples"] == ["truck-1"]


def test_a_bounded_dast_pass_over_every_system_finds_nothing():
    command = [sys.executable, "-m", "tools.dast", "--max-examples", "10"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    runs = sum(len(dast.plan(system)) for system in SYSTEMS.values())
    assert f"{runs} passed, 0 failed" in done.stdout, done.stdout[-3000:]
