"""The stack config is validated at start-up; a bad value is one line naming the key, with no traceback."""

from __future__ import annotations

import json
import runpy
import sys

import pulumi
import pytest

from program.config import ConfigError, parse
from tools.offline import ROOT, stack_config, stack_names, synthesize

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


PROD = {
    "environment": "prod",
    "protection": "hardened",
}


def prod(**values: object) -> dict[str, object]:
    return with_(**PROD, **values)


BAD_CONFIGS = [
    # wrong types
    (with_(systems="moving"), "aws-systems:systems: Input should be a valid tuple (got 'moving')"),
    (with_(logRetentionDays="fourteen"), "aws-systems:logRetentionDays: Input should be a valid integer"),
    (with_(network={"azCount": "two"}), "aws-systems:network.azCount: Input should be a valid integer"),
    (with_(network={"natGateways": True}), "aws-systems:network.natGateways: must be a number, not true"),
    (with_(network={"natGateways": 1.5}), "aws-systems:network.natGateways: Input should be a valid integer"),
    (with_(database={"multiAz": "yes please"}), "aws-systems:database.multiAz: Input should be a valid boolean"),
    (with_(alertEmails="ops@example.com"), "aws-systems:alertEmails: Input should be a valid tuple"),
    # unknown and missing keys
    ({"aws-systems:systems": '["moving"]'}, "aws-systems:environment: required key is missing"),
    (with_(colour="blue"), "aws-systems:colour: unknown key"),
    (with_(database={"sizeGb": 20}), "aws-systems:database.sizeGb: unknown key"),
    # bad enums and patterns
    (
        with_(systems=["moving", "bank"]),
        "aws-systems:systems: Input should be 'moving', 'shop' or 'retail' (got 'bank')",
    ),
    (with_(environment="production"), "aws-systems:environment: Input should be 'dev', 'qa', 'stage' or 'prod'"),
    (with_(protection="paranoid"), "aws-systems:protection: Input should be 'standard' or 'hardened'"),
    (with_(**{"lambda": {"architecture": "x86"}}), "aws-systems:lambda.architecture: Input should be 'arm64'"),
    (with_(database={"instanceClass": "t4g.micro"}), "aws-systems:database.instanceClass: String should match"),
    (with_(region="mars-1"), "aws-systems:region: String should match pattern"),
    (with_(kubernetes={"version": "1.2"}), "aws-systems:kubernetes.version: String should match pattern"),
    (with_(kubernetes={"imageUri": "nope"}), "aws-systems:kubernetes.imageUri: must be an image reference"),
    (with_(site={"domain": "Store.Example.com", "hostedZoneId": "Z1"}), "aws-systems:site.domain: String should"),
    (with_(site={"domain": "a.example.com", "hostedZoneId": "z1"}), "aws-systems:site.hostedZoneId: String should"),
    (with_(site={"domain": "store.example.com"}), "aws-systems:site: hostedZoneId is required when domain is set"),
    (with_(alertEmails=["not-an-email"]), "aws-systems:alertEmails: not an email address: not-an-email"),
    (with_(systems=["moving", "moving"]), "aws-systems:systems: each system may be listed once"),
    (with_(systems=[]), "aws-systems:systems: Tuple should have at least 1 item"),
    # out-of-range numbers
    (
        with_(database={"allocatedStorageGb": -5}),
        "aws-systems:database.allocatedStorageGb: Input should be greater than or equal to 20 (got -5)",
    ),
    (with_(network={"natGateways": -1}), "aws-systems:network.natGateways: Input should be greater"),
    (with_(network={"azCount": 5}), "aws-systems:network.azCount: Input should be less than or equal to 3"),
    (with_(database={"backupRetentionDays": 40}), "aws-systems:database.backupRetentionDays: Input should be less"),
    (with_(kubernetes={"desiredNodes": 0}), "aws-systems:kubernetes.desiredNodes: Input should be greater"),
    (with_(**{"lambda": {"memoryMb": 64}}), "aws-systems:lambda.memoryMb: Input should be greater than or equal"),
    (with_(**{"lambda": {"accountConcurrency": 5}}), "aws-systems:lambda.accountConcurrency: Input should be greater"),
    # CloudWatch accepts only its own list of retention periods
    (with_(logRetentionDays=15), "aws-systems:logRetentionDays: must be one of CloudWatch Logs' retention periods"),
    (with_(logRetentionDays=0), "aws-systems:logRetentionDays: must be one of CloudWatch Logs' retention periods"),
    (with_(logRetentionDays=5000), "aws-systems:logRetentionDays: must be one of CloudWatch Logs'"),
    # CIDR blocks compared as networks
    (
        with_(kubernetes={"publicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}),
        "aws-systems:kubernetes.publicAccessCidrs: 0.0.0.0/1, 128.0.0.0/1 together cover every address (0.0.0.0/0)",
    ),
    (
        with_(kubernetes={"publicAccessCidrs": ["0.0.0.0/00"]}),
        "aws-systems:kubernetes.publicAccessCidrs: '0.0.0.0/00' is not in canonical form; write 0.0.0.0/0",
    ),
    (
        with_(kubernetes={"publicAccessCidrs": ["0.0.0.0/0"]}),
        "aws-systems:kubernetes.publicAccessCidrs: 0.0.0.0/0 is every address (0.0.0.0/0): the whole internet",
    ),
    (
        with_(kubernetes={"publicAccessCidrs": ["10.0.0.1/8"]}),
        "aws-systems:kubernetes.publicAccessCidrs: '10.0.0.1/8' is not a CIDR block; did you mean 10.0.0.0/8?",
    ),
    (
        with_(kubernetes={"publicAccessCidrs": ["198.51.100.7"]}),
        "aws-systems:kubernetes.publicAccessCidrs: '198.51.100.7' is not in canonical form; write 198.51.100.7/32",
    ),
    (with_(kubernetes={"publicAccessCidrs": ["0.0.0.0/1"]}), "aws-systems:kubernetes.publicAccessCidrs: opens 2,147"),
    (
        with_(kubernetes={"publicAccessCidrs": ["10.0.0.0/8"]}),
        "aws-systems:kubernetes.publicAccessCidrs: '10.0.0.0/8' is a private or reserved network",
    ),
    (with_(kubernetes={"publicAccessCidrs": ["::/0"]}), "aws-systems:kubernetes.publicAccessCidrs: '::/0': only IPv4"),
    (with_(kubernetes={"publicAccessCidrs": ["nope"]}), "aws-systems:kubernetes.publicAccessCidrs: 'nope' is not"),
    (
        with_(kubernetes={"publicAccessCidrs": ["198.51.100.0/24", "198.51.100.0/24"]}),
        "aws-systems:kubernetes.publicAccessCidrs: lists a CIDR block twice",
    ),
    # CORS origins
    (with_(corsOrigins=["not a url"]), "aws-systems:corsOrigins: 'not a url' is not an origin"),
    (with_(corsOrigins=["https://app.example.com/"]), "aws-systems:corsOrigins: 'https://app.example.com/' is not an"),
    (prod(corsOrigins=["*"]), "aws-systems:corsOrigins: '*' allows any origin, which is not allowed when hardened"),
    (prod(corsOrigins=["https://*"]), "aws-systems:corsOrigins: 'https://*' allows any origin"),
    (prod(corsOrigins=["http://app.example.com"]), "aws-systems:corsOrigins: 'http://app.example.com': only https"),
    # prod with weak settings
    (with_(environment="prod"), "aws-systems:protection: must be 'hardened' for the prod environment"),
    (prod(logRetentionDays=30), "aws-systems:logRetentionDays: at least 365 in prod (got 30)"),
    (prod(database={"multiAz": False}), "aws-systems:database.multiAz: must stay on in prod"),
    (prod(database={"deletionProtection": False}), "aws-systems:database.deletionProtection: must stay on in prod"),
    (prod(database={"backupRetentionDays": 7}), "aws-systems:database.backupRetentionDays: must be 35 in prod"),
    (prod(site={"waf": False}), "aws-systems:site.waf: must stay on in prod"),
    # the store
    (with_(store={"currency": "soles"}), "aws-systems:store.currency: String should match pattern"),
    (with_(store={"taxRate": 1.5}), "aws-systems:store.taxRate: Input should be less than or equal to 1"),
    (with_(store={"timeZone": "Lima"}), "aws-systems:store.timeZone: must be an IANA time zone"),
    (with_(store={"language": "es"}), "aws-systems:store.language: Input should be 'es-PE' or 'en'"),
    (with_(store={"reportRecipients": ["owner"]}), "aws-systems:store.reportRecipients: not an email address: owner"),
    (with_(store={"appUrl": "tienda.pe"}), "aws-systems:store.appUrl: String should match pattern"),
    # secrets
    (with_(dbPassword="hunter2"), "aws-systems:dbPassword: looks like a secret; set it with `pulumi config"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), BAD_CONFIGS)
def test_bad_values_give_one_line_naming_the_key(raw, expected):
    with pytest.raises(ConfigError) as error:
        parse(raw)
    message = str(error.value)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_there_are_at_least_twenty_kinds_of_bad_config():
    assert len(BAD_CONFIGS) >= 20


@pytest.mark.parametrize(
    "values",
    [
        {"logRetentionDays": 3653},
        {"corsOrigins": ["https://app.example.com", "http://localhost:3000"]},
        {"kubernetes": {"publicAccessCidrs": ["198.51.100.7/32", "203.0.113.0/24"]}},
        {"kubernetes": {"imageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/users@sha256:" + "a" * 64}},
        {"network": {"natGateways": 1}},
        {"lambda": {"accountConcurrency": 10}},
    ],
)
def test_good_values_pass(values):
    parse(with_(**values))


def test_stage_may_weaken_a_hardened_default_with_the_components_warning_but_prod_may_not():
    weak = {"database": {"multiAz": False}, "logRetentionDays": 30}
    assert parse(with_(environment="stage", protection="hardened", **weak)).database.multi_az is False
    with pytest.raises(ConfigError, match="prod"):
        parse(prod(**weak))


def test_a_value_quoted_in_the_message_cannot_break_the_line():
    with pytest.raises(ConfigError) as error:
        parse(with_(region="us-east-1\nfoo"))
    assert "\n" not in str(error.value)


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


@pytest.mark.parametrize(
    ("stack", "values", "key"),
    [
        ("prod", {"corsOrigins": ["*"]}, "aws-systems:corsOrigins"),
        ("dev", {"logRetentionDays": 15}, "aws-systems:logRetentionDays"),
        ("dev", {"kubernetes": {"publicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}}, "aws-systems:kubernetes."),
    ],
)
def test_what_used_to_fail_in_a_component_or_at_deploy_stops_the_program_at_the_key(stack, values, key):
    raw = {**stack_config(stack), **{f"aws-systems:{k}": json.dumps(v) for k, v in values.items()}}
    with pytest.raises(pulumi.RunError) as error:
        synthesize(stack, config=raw)
    assert str(error.value).startswith(f"invalid stack config: {key}") and "\n" not in str(error.value)


def test_the_entry_the_cli_runs_stops_with_the_one_line_run_error(monkeypatch):
    """The Python language host runs ``__main__.py`` and prints a ``pulumi.RunError``'s message alone (``error: …``,
    no traceback); any other exception is printed with its traceback. So the entry must raise exactly that."""
    from tests import harness

    harness.install(project="aws-systems", stack="prod", preview=True)
    pulumi.runtime.set_all_config({**stack_config("prod"), "aws-systems:corsOrigins": '["*"]'})
    monkeypatch.delitem(sys.modules, "__main__", raising=False)
    with pytest.raises(pulumi.RunError) as error:
        harness.run(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"))
    assert type(error.value) is pulumi.RunError and error.value.__cause__ is None
    assert str(error.value) == (
        "invalid stack config: aws-systems:corsOrigins: '*' allows any origin, which is not allowed when hardened; "
        "name each origin"
    )


def test_make_plan_prints_one_line_naming_the_key_and_exits_non_zero(monkeypatch, capsys):
    from tools import plan

    bad = {**stack_config("dev"), "aws-systems:logRetentionDays": "15"}
    monkeypatch.setattr(plan, "stack_names", lambda: ["dev"])
    monkeypatch.setattr(plan, "synthesize", lambda stack: synthesize(stack, config=bad))
    assert plan.main(["dev"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("dev: invalid stack config: aws-systems:logRetentionDays: must be one of CloudWatch")


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


def test_the_store_config_reaches_the_functions_with_the_sites_address():
    config = parse(
        with_(
            store={"name": "Market Carmensita", "taxRate": 0.18, "reportRecipients": ["dueña@tienda.pe"]},
            site={"domain": "tienda.example.pe", "hostedZoneId": "Z123"},
        )
    )
    handed = json.loads(config.section_json("store"))
    assert handed == {
        "name": "Market Carmensita",
        "currency": "PEN",
        "taxRate": "0.18",
        "language": "es-PE",
        "timeZone": "America/Lima",
        "appUrl": "https://tienda.example.pe",
    }, "no recipients in functions"
    assert config.emails("store.reportRecipients") == ["dueña@tienda.pe"]


def test_an_account_quota_too_small_for_the_declared_reservations_fails_the_preflight():
    """The retail services reserve concurrency; an account with a quota of 100 has none to spare (Lambda keeps 100
    unreserved), and the preflight reads the quota from the stack config as the pack does in a preview."""
    small = synthesize("dev", config=with_(systems=["retail"], **{"lambda": {"accountConcurrency": 100}}))
    [violation] = [v for v in small.preflight() if v.rule == "lambda-concurrency"]
    assert "of lambda.accountConcurrency 100 unreserved" in violation.message
    default = synthesize("dev", config=with_(systems=["retail"]))
    assert [v for v in default.preflight() if v.rule == "lambda-concurrency"] == []
