"""The stack config is validated at start-up; a bad value is one line naming the key, with no traceback."""

from __future__ import annotations

import json

import pulumi
import pytest

from program.config import ConfigError, parse
from tools.offline import stack_config, stack_names, synthesize

BASE = {"aws-systems:environment": "dev", "aws-systems:systems": '["moving"]'}


def with_(**values: object) -> dict[str, object]:
    return {**BASE, **{f"aws-systems:{k}": json.dumps(v) if not isinstance(v, str) else v for k, v in values.items()}}


@pytest.mark.parametrize("stack", stack_names())
def test_every_stack_file_is_valid(stack):
    config = parse(stack_config(stack))
    assert config.environment == stack
    assert config.protection == ("hardened" if stack in ("stage", "prod") else "standard")


def test_defaults_are_cheap_and_region_comes_from_aws_config():
    config = parse({**BASE, "aws:region": "eu-west-1"})
    assert config.region == "eu-west-1"
    assert config.network.nat_gateways == 0
    assert config.database.instance_class == "db.t4g.micro"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            with_(systems=["moving", "bank"]),
            "aws-systems:systems: Input should be 'moving', 'shop' or 'retail' (got 'bank')",
        ),
        (
            with_(database={"allocatedStorageGb": -5}),
            "aws-systems:database.allocatedStorageGb: Input should be greater",
        ),
        ({"aws-systems:systems": '["moving"]'}, "aws-systems:environment: required key is missing"),
        (with_(colour="blue"), "aws-systems:colour: unknown key"),
        (with_(database={"sizeGb": 20}), "aws-systems:database.sizeGb: unknown key"),
        (with_(network={"natGateways": -1}), "aws-systems:network.natGateways: Input should be greater"),
        (with_(environment="prod"), "aws-systems:protection: must be 'hardened' for the prod environment"),
        (with_(alertEmails=["not-an-email"]), "aws-systems:alertEmails: not an email address: not-an-email"),
        (with_(systems=["moving", "moving"]), "aws-systems:systems: each system may be listed once"),
        (with_(site={"domain": "store.example.com"}), "aws-systems:site: hostedZoneId is required when domain is set"),
        (
            with_(kubernetes={"publicAccessCidrs": ["0.0.0.0/0"]}),
            "aws-systems:kubernetes: publicAccessCidrs: 0.0.0.0/0 would open the cluster API",
        ),
        (with_(kubernetes={"publicAccessCidrs": ["nope"]}), "aws-systems:kubernetes: publicAccessCidrs: 'nope' is not"),
        (
            with_(dbPassword="hunter2"),
            "aws-systems:dbPassword: looks like a secret; set it with `pulumi config set --secret",
        ),
    ],
)
def test_bad_values_give_one_line_naming_the_key(raw, expected):
    with pytest.raises(ConfigError) as error:
        parse(raw)
    message = str(error.value)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_a_secret_set_with_the_secret_flag_is_accepted_where_allowed():
    raw = with_(dbPassword="hunter2")
    with pytest.raises(ConfigError, match="unknown key"):  # accepted as a secret, then rejected as unknown
        parse(raw, secret_keys={"aws-systems:dbPassword"})


def test_the_program_stops_with_a_one_line_run_error():
    """pulumi prints a RunError's message without a traceback."""
    with pytest.raises(pulumi.RunError) as error:
        synthesize("dev", config=with_(database={"allocatedStorageGb": -5}))
    assert str(error.value).startswith("invalid stack config: aws-systems:database.allocatedStorageGb")
    assert "\n" not in str(error.value)


def test_lambda_memory_sets_every_function_that_does_not_declare_its_own():
    synthesis = synthesize("dev", config=with_(systems=["moving"], **{"lambda": {"memoryMb": 1024}}))
    functions = synthesis.mocks.of_type("aws:lambda/function:Function")
    assert functions, "the moving system has functions"
    memories = {f.name: f.inputs.get("memorySize") for f in functions if f.name.startswith("moving-")}
    assert memories and set(memories.values()) == {1024}, memories


def test_a_service_that_declares_its_memory_keeps_it(monkeypatch):
    from architectures import SYSTEMS

    moving = SYSTEMS["moving"]
    sized = moving.model_copy(
        update={"services": tuple(s.model_copy(update={"memory_mb": 2048}) if s.name == "moves" else s
                                  for s in moving.services)}
    )  # fmt: skip
    monkeypatch.setitem(SYSTEMS, "moving", sized)
    synthesis = synthesize("dev", config=with_(systems=["moving"], **{"lambda": {"memoryMb": 1024}}))
    functions = synthesis.mocks.of_type("aws:lambda/function:Function")
    memories = {f.name: f.inputs.get("memorySize") for f in functions if f.name.startswith("moving-")}
    assert {m for n, m in memories.items() if n.startswith("moving-moves-")} == {2048}, memories
    assert {m for n, m in memories.items() if not n.startswith("moving-moves-")} == {1024}, memories
