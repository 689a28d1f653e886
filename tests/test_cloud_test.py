"""The cloud test's logic, with the Automation API replaced by a fake stack and AWS by moto (Cognito, Secrets Manager).

The smoke flows and DAST themselves are covered against the local runtime (`make demo`, tests/local/test_dast.py);
here they are replaced by recorders that check what they were given: a target whose users really sign in.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from architectures import SYSTEMS
from local import demo
from local.runtime import LocalRuntime, Options, RunningSystem
from local.services import LocalAuth
from tests.conftest import ROOT
from tools import cloud_test, dast
from tools import endpoints as endpoints_file
from tools.smoke_users import SECRET_PREFIX

REGION = "us-east-1"  # Pulumi.dev.yaml's


@dataclass
class FakeStack:
    """Stands where ``pulumi.automation.Stack`` does: records each call, fails where told."""

    name: str
    stack_outputs: dict[str, Any]
    calls: list[str] = field(default_factory=list)
    on_up: Any = None
    on_destroy: Any = None

    def up(self, *, on_output: Any = None, policy_packs: list[str] | None = None) -> None:
        self.calls.append("up")
        if self.on_up:
            self.on_up()

    def outputs(self) -> dict[str, Any]:
        return {key: SimpleNamespace(value=value, secret=False) for key, value in self.stack_outputs.items()}

    def destroy(self, *, on_output: Any = None, remove: bool | None = None) -> None:
        self.calls.append(f"destroy remove={remove}")
        if self.on_destroy:
            self.on_destroy()


@dataclass
class FakePulumi:
    stack_outputs: dict[str, Any]
    stacks: list[FakeStack] = field(default_factory=list)
    configs: list[dict[str, Any]] = field(default_factory=list)
    on_up: Any = None
    on_destroy: Any = None

    def create(self, name: str, config: dict[str, Any]) -> FakeStack:
        self.configs.append(config)
        return self._stack(name)

    def select(self, name: str) -> FakeStack:
        return self._stack(name)

    def _stack(self, name: str) -> FakeStack:
        self.stacks.append(FakeStack(name, self.stack_outputs, on_up=self.on_up, on_destroy=self.on_destroy))
        return self.stacks[-1]

    def api(self) -> cloud_test.Pulumi:
        return cloud_test.Pulumi(create=self.create, select=self.select)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    """moto for Cognito and Secrets Manager, with a pool (groups, web client) per system as the stack creates."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # a local runtime started earlier in this process sets it
    with mock_aws():
        yield boto3.client("cognito-idp", region_name=REGION)


def stack_outputs(idp: Any) -> dict[str, Any]:
    """What program/main.py exports for each system, pointing at the moto pools."""
    outputs: dict[str, Any] = {}
    for name, system in SYSTEMS.items():
        pool = idp.create_user_pool(PoolName=name, UsernameAttributes=["email"])["UserPool"]["Id"]
        for group in system.groups:
            idp.create_group(UserPoolId=pool, GroupName=group.name)
        client = idp.create_user_pool_client(UserPoolId=pool, ClientName="web",
                                             ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])  # fmt: skip
        issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool}"
        outputs[name] = {
            "api_url": f"https://{name}.execute-api.{REGION}.amazonaws.com",
            "user_pool_id": pool,
            "web_client_id": client["UserPoolClient"]["ClientId"],
            "issuer": issuer,
            "jwks_url": f"{issuer}/.well-known/jwks.json",
            **({"site_url": "https://d111.cloudfront.net"} if system.site_dir else {}),
        }
    return outputs


@dataclass
class Checks:
    """Replaces the smoke flows and DAST: records the target, signs every user in, passes or fails as told."""

    idp: Any
    result: Any = True
    targets: list[demo.Target] = field(default_factory=list)
    signed_in: list[str] = field(default_factory=list)

    def run(self, target: demo.Target, say: Any = print) -> bool:
        self.targets.append(target)
        for name, system in target.endpoints.systems.items():
            for user in system.users:
                target.endpoints.sign_in(name, user)
                self.signed_in.append(user.email)
        if isinstance(self.result, BaseException):
            raise self.result
        return bool(self.result)

    def dast(self, target: demo.Target, **kwargs: Any) -> list[dast.Outcome]:
        return [dast.Outcome("all/fake", 1, 1, 0, 0)]


@pytest.fixture
def checks(aws: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Checks:
    recorder = Checks(aws)
    monkeypatch.setattr(demo, "seed", lambda target: [])
    monkeypatch.setattr(demo, "run", recorder.run)
    monkeypatch.setattr(dast, "dast", recorder.dast)
    monkeypatch.setattr(cloud_test, "RESULTS", tmp_path)
    monkeypatch.setattr(cloud_test.shutil, "which", lambda name: f"/usr/local/bin/{name}")
    return recorder


def smoke_users_left(idp: Any, outputs: dict[str, Any]) -> list[str]:
    return [
        user["Username"]
        for system in outputs.values()
        for user in idp.list_users(UserPoolId=system["user_pool_id"], Filter='email ^= "smoke-"')["Users"]
    ]


def secrets_left() -> list[str]:
    return [s["Name"] for s in boto3.client("secretsmanager", region_name=REGION).list_secrets()["SecretList"]]


def run(argv: list[str], pulumi: FakePulumi, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cloud_test.main(argv, pulumi=pulumi.api(), say=print)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# --- before anything is created ----------------------------------------------------------------------------------
def test_without_the_pulumi_cli_it_skips_with_one_line_and_no_traceback():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv: python, no pulumi
    done = subprocess.run([sys.executable, "-m", "tools.cloud_test", "dev"], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == cloud_test.SKIPPED
    assert done.stderr == (
        "cloud test skipped: no Pulumi CLI on PATH (install it from https://www.pulumi.com/docs/install/)\n"
    )


def test_without_aws_credentials_it_skips_before_creating_anything(monkeypatch, capsys, tmp_path):
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(cloud_test.shutil, "which", lambda name: "/usr/local/bin/pulumi")
    pulumi = FakePulumi({})
    code, out = run(["dev"], pulumi, capsys)
    assert code == cloud_test.SKIPPED
    assert out.startswith("cloud test skipped: no AWS credentials found by boto3")
    assert pulumi.stacks == []


def test_a_prod_stack_is_refused_before_anything_is_created(checks, capsys):
    pulumi = FakePulumi(stack_outputs(checks.idp))
    for argv in (["prod"], ["prod", "--deployed", "my-org/prod"]):
        code, out = run(argv, pulumi, capsys)
        assert code == cloud_test.REFUSED
        assert "prod" in out and "never" in out
    assert pulumi.stacks == [] and checks.targets == []


def test_a_secret_in_the_stack_file_is_refused(checks, capsys, monkeypatch, tmp_path):
    config = {"aws-systems:environment": "dev", "aws-systems:apiKey": {"secure": "v1:abc"}}
    (tmp_path / "Pulumi.sandbox.yaml").write_text(yaml.safe_dump({"config": config}))
    monkeypatch.setattr(cloud_test, "ROOT", tmp_path)
    pulumi = FakePulumi({})
    code, out = run(["sandbox"], pulumi, capsys)
    assert code == cloud_test.REFUSED and "aws-systems:apiKey is a secret" in out
    assert pulumi.stacks == []


# --- the ephemeral stack -----------------------------------------------------------------------------------------
def test_a_passing_run_creates_a_copy_of_the_stack_checks_it_with_smoke_users_and_destroys_it(checks, capsys):
    outputs = stack_outputs(checks.idp)
    pulumi = FakePulumi(outputs)
    code, out = run(["dev"], pulumi, capsys)
    assert code == cloud_test.PASSED, out
    [stack] = pulumi.stacks
    assert re.fullmatch(r"dev-ct-[0-9a-f]{6}", stack.name)
    assert pulumi.configs == [yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]]
    assert stack.calls == ["up", "destroy remove=True"]
    # During the checks: one user per group of each system, each signing in with the password kept in the secret.
    [target] = checks.targets
    groups = {name: sorted(g for u in s.users for g in u.groups) for name, s in target.endpoints.systems.items()}
    assert groups == {name: sorted(g.name for g in system.groups) for name, system in SYSTEMS.items()}
    assert len(checks.signed_in) == sum(len(system.groups) for system in SYSTEMS.values())
    assert target.endpoints.users_secret == SECRET_PREFIX + stack.name
    # Afterwards: no smoke user, no secret.
    assert smoke_users_left(checks.idp, outputs) == [] and secrets_left() == []
    assert "cloud test passed" in out


def test_the_endpoints_file_has_the_local_runtime_shape_and_no_password(checks, capsys):
    outputs = stack_outputs(checks.idp)
    code, _ = run(["dev"], FakePulumi(outputs), capsys)
    assert code == cloud_test.PASSED
    [written] = list(cloud_test.RESULTS.glob("*/endpoints.json"))
    data = json.loads(written.read_text())
    local = local_runtime_endpoints()
    assert set(data) >= set(local) and data["aws_endpoint"] is None and data["region"] == REGION
    for name, system in data["systems"].items():
        assert set(system) == set(local["systems"]["retail"]), name
        assert system["client_id"] == outputs[name]["web_client_id"]
        assert system["jwks_url"] == outputs[name]["jwks_url"]
        assert system["users"] and all(u["password"] is None for u in system["users"])
    assert data["systems"]["retail"]["site_url"] == "https://d111.cloudfront.net"


def local_runtime_endpoints() -> dict[str, Any]:
    """What the local runtime writes, for a retail system (nothing started)."""
    runtime = LocalRuntime(Options(), say=lambda line: None)
    auth = LocalAuth("pool", "client", "http://127.0.0.1:8700/pool/.well-known/jwks.json", "https://issuer")
    runtime.systems["retail"] = RunningSystem(SYSTEMS["retail"], "http://127.0.0.1:8703",
                                              SimpleNamespace(topic_inboxes={}), auth, [], {}, {},  # type: ignore[arg-type]
                                              "http://127.0.0.1:8704")  # fmt: skip
    return runtime.endpoints()


def test_when_up_fails_the_stack_is_destroyed_and_no_user_is_created(checks, capsys):
    outputs = stack_outputs(checks.idp)

    def fail() -> None:
        raise RuntimeError("error: update failed")

    pulumi = FakePulumi(outputs, on_up=fail)
    code, out = run(["dev"], pulumi, capsys)
    assert code == cloud_test.FAILED
    assert pulumi.stacks[0].calls == ["up", "destroy remove=True"]
    assert checks.targets == [] and secrets_left() == []
    assert out.strip().splitlines()[-1] == "cloud test failed: error: update failed"


@pytest.mark.parametrize(("result", "code"), [(False, cloud_test.FAILED), (KeyboardInterrupt(), 130)])
def test_a_failed_or_interrupted_check_still_deletes_the_users_and_destroys_the_stack(checks, capsys, result, code):
    outputs = stack_outputs(checks.idp)
    checks.result = result
    pulumi = FakePulumi(outputs)
    assert run(["dev"], pulumi, capsys)[0] == code
    assert pulumi.stacks[0].calls == ["up", "destroy remove=True"]
    assert checks.signed_in, "the users existed during the checks"
    assert smoke_users_left(checks.idp, outputs) == [] and secrets_left() == []


def test_ctrl_c_during_up_lets_the_engine_stop_then_destroys_without_checking(checks, capsys):
    pulumi = FakePulumi(stack_outputs(checks.idp), on_up=lambda: os.kill(os.getpid(), signal.SIGINT))
    code, out = run(["dev"], pulumi, capsys)
    assert code == 130
    assert pulumi.stacks[0].calls == ["up", "destroy remove=True"]
    assert checks.targets == []
    assert "the engine is stopping the operation" in out


def test_keep_leaves_the_stack_but_not_the_users(checks, capsys):
    outputs = stack_outputs(checks.idp)
    pulumi = FakePulumi(outputs)
    code, out = run(["dev", "--keep"], pulumi, capsys)
    assert code == cloud_test.PASSED
    [stack] = pulumi.stacks
    assert stack.calls == ["up"]
    assert f"pulumi destroy --remove --stack {stack.name}" in out
    assert smoke_users_left(checks.idp, outputs) == [] and secrets_left() == []


def test_a_failed_destroy_says_how_to_finish_it(checks, capsys):
    def fail() -> None:
        raise RuntimeError("error: resource is in use")

    pulumi = FakePulumi(stack_outputs(checks.idp), on_destroy=fail)
    code, out = run(["dev"], pulumi, capsys)
    assert code == cloud_test.FAILED
    name = pulumi.stacks[0].name
    assert out.strip().splitlines()[-1] == (
        f"destroy of {name} failed (error: resource is in use); finish it with `pulumi destroy --remove --stack {name}`"
    )


# --- a deployed stack (the deploy workflow) ----------------------------------------------------------------------
def test_a_deployed_stack_is_checked_without_creating_or_destroying_it(checks, capsys):
    outputs = stack_outputs(checks.idp)
    pulumi = FakePulumi(outputs)
    code, _ = run(["qa", "--deployed", "my-org/qa"], pulumi, capsys)
    assert code == cloud_test.PASSED
    [stack] = pulumi.stacks
    assert stack.name == "my-org/qa" and stack.calls == []
    assert checks.targets and checks.targets[0].endpoints.users_secret.startswith(SECRET_PREFIX + "qa-")
    assert smoke_users_left(checks.idp, outputs) == [] and secrets_left() == []


def test_users_added_by_the_flows_and_sign_ups_are_deleted_with_the_others(checks, capsys, monkeypatch):
    outputs = stack_outputs(checks.idp)

    def flows(target: demo.Target, say: Any = print) -> bool:
        target.add_user("moving", "customers")  # the moving flow's other customer
        checks.idp.sign_up(ClientId=outputs["shop"]["web_client_id"], Username=target.new_email("signup"),
                           Password="Demo-Passw0rd!2")  # fmt: skip
        return True

    monkeypatch.setattr(demo, "run", flows)
    assert run(["dev"], FakePulumi(outputs), capsys)[0] == cloud_test.PASSED
    assert smoke_users_left(checks.idp, outputs) == []


def test_outputs_without_a_system_are_refused():
    with pytest.raises(endpoints_file.EndpointsError, match="exports no system"):
        endpoints_file.from_stack_outputs({"other": "value"}, REGION)
    with pytest.raises(endpoints_file.EndpointsError, match="'moving' has no 'jwks_url'"):
        endpoints_file.from_stack_outputs({"moving": {"api_url": "https://x", "user_pool_id": "p",
                                                      "web_client_id": "c", "issuer": "i"}}, REGION)  # fmt: skip
