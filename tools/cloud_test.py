"""Cloud test: deploy a throwaway copy of a stack, run the smoke flows and DAST against it, destroy it.

    python -m tools.cloud_test dev                          # `make cloud-test STACK=dev`
    python -m tools.cloud_test dev --keep                   # leave the ephemeral stack up (destroy it yourself)
    python -m tools.cloud_test dev --deployed my-org/dev    # check the deployed stack instead (after `pulumi up`)

With Pulumi's Automation API, in this project's directory, it creates the stack ``<stack>-ct-<random>`` with the
config of ``Pulumi.<stack>.yaml``, runs ``up`` (with the policy pack in ``policy/`` when there is one) and turns the
stack's outputs into an endpoints file (``.local/cloud-test/<name>/endpoints.json``, the local runtime's shape). It
creates smoke users (``tools/smoke_users.py``), runs the smoke flows and DAST from that file, deletes the users, and
destroys and removes the stack: always, also on a failure or Ctrl-C, unless ``--keep``. ``--deployed`` skips the stack's
creation and destruction: the post-deploy check of the deploy workflow.

A prod stack is refused. Without the Pulumi CLI or AWS credentials it stops at once and says which.
Exit codes: 0 every check passed; 1 a check or the engine failed; 2 refused or a bad argument; 3 skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from tools import endpoints as endpoints_file
from tools.endpoints import EndpointsError
from tools.offline import EPHEMERAL
from tools.smoke_users import Refused, SmokeUsers, refuse_prod

ROOT = Path(__file__).resolve().parent.parent
POLICY_PACK = ROOT / "policy"
RESULTS = ROOT / ".local" / "cloud-test"
"""One folder per run, with its endpoints file."""
PULUMI_INSTALL = "https://www.pulumi.com/docs/install/"
PASSED, FAILED, REFUSED, SKIPPED = 0, 1, 2, 3


class Stop(Exception):
    """Stop with one line and an exit code: refused, skipped, or the engine failed."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class Stack(Protocol):
    """What this uses of ``pulumi.automation.Stack``."""

    def up(self, *, on_output: Callable[[str], Any] | None = ..., policy_packs: list[str] | None = ...) -> Any: ...
    def outputs(self) -> Any: ...
    def destroy(self, *, on_output: Callable[[str], Any] | None = ..., remove: bool | None = ...) -> Any: ...


@dataclass
class Pulumi:
    """The Automation API calls, so tests can put a fake stack in their place."""

    create: Callable[[str, dict[str, Any]], Stack]
    select: Callable[[str], Stack]


def automation() -> Pulumi:
    from pulumi import automation as auto

    def create(name: str, config: dict[str, Any]) -> Stack:
        # The stack's settings file, written before `stack init`, carries the config exactly as the source file has it.
        settings = {name: auto.StackSettings(config=config)}
        opts = auto.LocalWorkspaceOptions(stack_settings=settings)
        return auto.create_stack(name, work_dir=str(ROOT), opts=opts)

    return Pulumi(create=create, select=lambda name: auto.select_stack(name, work_dir=str(ROOT)))


# --- before anything is created ----------------------------------------------------------------------------------
def stack_config(stack: str) -> dict[str, Any]:
    """The ``config:`` of ``Pulumi.<stack>.yaml``, as written there."""
    path = ROOT / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml")))
        raise Stop(f"no stack file {path.name} (stacks: {known})", REFUSED)
    config = dict((yaml.safe_load(path.read_text()) or {}).get("config") or {})
    secret = next((key for key, value in config.items() if isinstance(value, dict) and "secure" in value), None)
    if secret:
        raise Stop(f"{path.name}: {secret} is a secret, which only stack {stack} can decrypt; an ephemeral copy "
                   f"cannot use it", REFUSED)  # fmt: skip
    return config


def missing_prerequisite() -> str | None:
    """Why the cloud test cannot run on this machine, or None."""
    if shutil.which("pulumi") is None:
        return f"no Pulumi CLI on PATH (install it from {PULUMI_INSTALL})"
    import boto3

    if boto3.Session().get_credentials() is None:
        return "no AWS credentials found by boto3 (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run with a role)"
    return None


@contextlib.contextmanager
def engine_owns_ctrl_c(say: Callable[[str], None]) -> Iterator[None]:
    """While the engine runs, Ctrl-C reaches it (it is in the same process group) and it stops the operation
    cleanly; this process only notes it, so it does not walk away from a stack the engine still holds."""
    interrupted = False

    def note(*_: Any) -> None:
        nonlocal interrupted
        interrupted = True
        say("-> interrupted: the engine is stopping the operation")

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise KeyboardInterrupt


# --- the checks --------------------------------------------------------------------------------------------------
def endpoints_of(stack: Stack, region: str) -> endpoints_file.Endpoints:
    outputs = {key: getattr(value, "value", value) for key, value in stack.outputs().items()}
    return endpoints_file.from_stack_outputs(outputs, region)


def check(stack: Stack, tag: str, region: str, max_examples: int, say: Callable[[str], None]) -> bool:
    """Smoke users, the endpoints file, the demo data, the smoke flows and DAST; the users are always deleted."""
    from local import demo
    from tools import dast

    users = SmokeUsers(tag, endpoints_of(stack, region))
    path = RESULTS / tag / "endpoints.json"
    try:
        say(f"-> smoke users: one per group, passwords in the secret {users.secret_name}")
        users.create()
        users.endpoints.save(path)
        say(f"-> endpoints in {path}")
        target = demo.target_of(endpoints_file.load(path))
        say("-> demo data")
        for line in demo.seed(target):
            say(f"   {line}")
        say("\nSmoke run:")
        passed = demo.run(target, say)
        say("\nDAST:")
        outcomes = dast.dast(target, max_examples=max_examples, seed=dast.DEFAULT_SEED, say=say)
        say(dast.summary(outcomes))
        return passed and all(o.ok for o in outcomes)
    finally:
        deleted = users.delete()
        say(f"-> deleted {len(deleted)} smoke user(s) and the secret {users.secret_name}")


def ephemeral(pulumi: Pulumi, stack: str, config: dict[str, Any], args: argparse.Namespace,
              say: Callable[[str], None]) -> bool:  # fmt: skip
    name = f"{stack}{EPHEMERAL}{secrets.token_hex(3)}"
    say(f"-> creating stack {name} with the config of Pulumi.{stack}.yaml")
    created = pulumi.create(name, config)
    try:
        packs = [str(POLICY_PACK)] if (POLICY_PACK / "PulumiPolicy.yaml").is_file() else None
        say(f"-> pulumi up {name}" + (" (policy pack: policy/)" if packs else ""))
        with engine_owns_ctrl_c(say):
            created.up(on_output=say, policy_packs=packs)
        return check(created, name, config.get("aws:region", "us-east-1"), args.max_examples, say)
    finally:
        if args.keep:
            say(f"-> kept {name}: remove it with `pulumi destroy --remove --stack {name}`")
        else:
            say(f"-> pulumi destroy {name} (and remove the stack)")
            try:
                with engine_owns_ctrl_c(say):
                    created.destroy(on_output=say, remove=True)
            except Exception as e:
                raise Stop(f"destroy of {name} failed ({_first_line(e)}); finish it with "
                           f"`pulumi destroy --remove --stack {name}`", FAILED) from None  # fmt: skip


def deployed(pulumi: Pulumi, stack: str, name: str, config: dict[str, Any], args: argparse.Namespace,
             say: Callable[[str], None]) -> bool:  # fmt: skip
    say(f"-> checking the deployed stack {name}")
    tag = f"{stack}-{secrets.token_hex(3)}"
    return check(pulumi.select(name), tag, config.get("aws:region", "us-east-1"), args.max_examples, say)


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line]
    return (errors or lines or [type(error).__name__])[-1].strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.cloud_test", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("stack", help="the stack whose config is used (Pulumi.<stack>.yaml): dev, qa or stage")
    parser.add_argument("--keep", action="store_true", help="do not destroy the ephemeral stack at the end")
    parser.add_argument("--deployed", metavar="STACK_NAME",
                        help="check this deployed stack (e.g. my-org/dev) instead of deploying a copy")  # fmt: skip
    parser.add_argument("--max-examples", type=int, default=5, help="DAST test cases per operation and phase (5)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, pulumi: Pulumi | None = None, say: Callable[[str], None] = print) -> int:
    args = parse_args(argv)
    try:
        config = stack_config(args.stack)
        refuse_prod(args.stack, str(config.get("aws-systems:environment")))
        reason = missing_prerequisite()
        if reason:
            raise Stop(f"cloud test skipped: {reason}", SKIPPED)
        pulumi = pulumi or automation()
        if args.deployed:
            passed = deployed(pulumi, args.stack, args.deployed, config, args, say)
        else:
            passed = ephemeral(pulumi, args.stack, config, args, say)
    except Stop as e:
        print(e, file=sys.stderr)
        return e.code
    except (Refused, EndpointsError) as e:
        print(f"cloud test: {e}", file=sys.stderr)
        return REFUSED
    except KeyboardInterrupt:
        print("cloud test interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # the engine or AWS: one line here, their own output above
        print(f"cloud test failed: {_first_line(e)}", file=sys.stderr)
        return FAILED
    say("\ncloud test passed" if passed else "\ncloud test FAILED")
    return PASSED if passed else FAILED


if __name__ == "__main__":
    sys.exit(main())
