"""The policy pack starts as the Pulumi CLI starts it, and the preflight runs on every stack of this repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from aws_systems.preflight import PACK_NAME, RULES, policies

POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"


def test_the_pack_starts_and_announces_its_port():
    """`pulumi preview --policy-pack policy` runs `python __main__.py` in the pack and reads a port from stdout."""
    pack = subprocess.Popen(  # noqa: S603 - our own interpreter and file
        [sys.executable, "__main__.py"], cwd=POLICY_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert pack.stdout is not None
        port = pack.stdout.readline().strip()
        assert port.isdigit() and 0 < int(port) < 65536, (port, pack.stderr.read() if pack.poll() else "")
    finally:
        pack.kill()
        pack.wait()


def test_the_pack_definition_points_at_the_project_environment():
    definition = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert definition["runtime"]["name"] == "python"
    assert (POLICY_DIR / definition["runtime"]["options"]["virtualenv"]).resolve() == POLICY_DIR.parent / ".venv"


def test_every_rule_is_a_mandatory_policy_with_a_unique_name():
    built = policies()
    assert [p.name for p in built] == [r.name for r in RULES] and len({p.name for p in built}) == len(built)
    assert all(p.enforcement_level.value == "mandatory" for p in built)
    assert PACK_NAME.replace("-", "").isalnum()
