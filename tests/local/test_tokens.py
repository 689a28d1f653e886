"""What a person at a terminal uses beside a running runtime: ``python -m local token`` for a demo user's token, and
each API's own ``GET /openapi.json``. One runtime (moving, with its Lambda authorizer; retail, with a JWT authorizer)
serves every test here, with its endpoints file written as ``python -m local`` writes it once ready."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from local.__main__ import main
from local.runtime import ROOT, LocalRuntime, throwaway_runtime
from local.tokens import TokenError, find_user
from tools.endpoints import User
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


def token_command(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m local token …`` as a person runs it, in its own process."""
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "local", "token", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def refusal(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line ``python -m local token …`` says when it gives no token (exit 2, nothing on stdout)."""
    assert main(["token", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("error: "), err
    return err


@pytest.mark.parametrize(("system", "user", "email", "route"), [
    ("moving", "customer", "customer@moving.local", "/moves"),  # the moving company's Lambda authorizer
    ("retail", "SELLER@retail.local", "seller@retail.local", "/products"),  # API Gateway's JWT authorizer
])  # fmt: skip
def test_the_printed_token_opens_a_protected_route(runtime: LocalRuntime, system: str, user: str, email: str,
                                                   route: str):  # fmt: skip
    result = token_command(system, user, "--state-dir", str(runtime.options.state_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1, "the token alone on one line, for $(…)"
    token = result.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["token_use"], claims["email"]) == ("id", email), "the id token: it carries the caller's email"
    api = runtime.systems[system].api_url
    assert httpx.get(f"{api}{route}", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200


def test_an_unknown_user_is_refused_with_the_systems_demo_users(runtime: LocalRuntime, capsys):
    err = refusal(capsys, "moving", "nobody", "--state-dir", str(runtime.options.state_dir))
    assert "'nobody'" in err
    assert "employee@moving.local (employees)" in err and "customer@moving.local (customers)" in err


def test_an_unknown_system_is_refused_with_the_running_ones(runtime: LocalRuntime, capsys):
    err = refusal(capsys, "shop", "customer", "--state-dir", str(runtime.options.state_dir))
    assert "'shop'" in err and err.rstrip().endswith("moving, retail")


def test_no_runtime_for_the_state_folder_is_one_line_and_exit_2(tmp_path: Path):
    result = token_command("moving", "customer", "--state-dir", str(tmp_path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"no local runtime is running for {tmp_path}" in result.stderr


def test_a_runtime_that_has_stopped_is_said_so(runtime: LocalRuntime, tmp_path: Path, capsys):
    """An endpoints file left behind (a runtime that was killed) whose local AWS no longer answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    left = json.loads((runtime.options.state_dir / "endpoints.json").read_text())
    (tmp_path / "endpoints.json").write_text(json.dumps({**left, "aws_endpoint": f"http://127.0.0.1:{closed}"}))
    err = refusal(capsys, "moving", "customer", "--state-dir", str(tmp_path))
    assert f"local AWS at http://127.0.0.1:{closed} does not answer" in err


SHOP = [User("admin@shop.local", "p", ("admins",)), User("agent@shop.local", "p", ("agents",)),
        User("customer@shop.local", "p", ("customers",))]  # fmt: skip


@pytest.mark.parametrize(("wanted", "email"), [
    ("customer@shop.local", "customer@shop.local"),
    ("Customer", "customer@shop.local"),  # the part before the @, in any case
    ("agents", "agent@shop.local"),  # its group
    ("cust", "customer@shop.local"),  # the start of the part before the @, when only one user's starts so
    ("adm", "admin@shop.local"),
])  # fmt: skip
def test_a_user_is_named_by_email_name_group_or_an_unambiguous_start(wanted: str, email: str):
    assert find_user("shop", SHOP, wanted).email == email


def test_a_start_that_fits_several_users_names_them():
    with pytest.raises(TokenError, match=r"'a' could be any of admin@shop\.local \(admins\), agent@shop\.local"):
        find_user("shop", SHOP, "a")
    with pytest.raises(TokenError, match="no demo user ''"):
        find_user("shop", SHOP, "")
    # a whole name is not ambiguous because another user's name starts with it
    care = User("customer.care@shop.local", "p", ("agents",))
    assert find_user("shop", [*SHOP, care], "customer").email == "customer@shop.local"
