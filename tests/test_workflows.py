"""The GitHub workflows do on a hosted runner what the README says: facts actionlint cannot know.

- `.ci/run` installs Debian's `chromium` unless `CHROMIUM` names a browser; Ubuntu runners have no such package, so
  every job that runs it on one must point `CHROMIUM` at the runner's Chrome and keep it through `sudo`.
- `pulumi up` must create a stack on its first deploy (`upsert`), and every preview and up runs the policy pack.
- The smoke flows and DAST run after dev, qa and stage, never against prod.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"


def steps() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(workflow file, job, step) for every step of every workflow."""
    out = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            out += [(path.name, job, step) for step in job.get("steps", [])]
    return out


CI_RUN = [(f, job, s) for f, job, s in steps() if ".ci/run" in str(s.get("run", ""))]
PULUMI = [(f, s) for f, _, s in steps() if str(s.get("uses", "")).startswith("pulumi/actions@")]


def test_there_is_something_to_check():
    assert CI_RUN and PULUMI and {s["with"]["command"] for _, s in PULUMI} == {"preview", "up"}


@pytest.mark.parametrize(("workflow", "job", "step"), CI_RUN)
def test_ci_run_on_ubuntu_uses_the_runners_chrome(workflow, job, step):
    assert str(job["runs-on"]).startswith("ubuntu")
    env = {**job.get("env", {}), **step.get("env", {})}
    assert env.get("CHROMIUM", "").startswith("/usr/bin/google-chrome"), workflow
    assert "CHROMIUM" in step["run"].split(".ci/run")[0], f"{workflow}: sudo drops CHROMIUM unless preserved"


@pytest.mark.parametrize(("workflow", "step"), PULUMI)
def test_every_preview_and_up_runs_the_policy_pack_and_up_creates_a_missing_stack(workflow, step):
    assert step["with"].get("policyPacks") == "policy", workflow
    if step["with"]["command"] == "up":
        assert step["with"].get("upsert") is True, workflow
    assert (Path(__file__).resolve().parent.parent / "policy" / "PulumiPolicy.yaml").exists()


def test_smoke_flows_follow_every_deploy_but_prod():
    smoke = [(job, s) for f, job, s in steps() if "tools.cloud_test" in str(s.get("run", ""))]
    assert smoke, "no smoke step after deploys"
    for _, step in smoke:
        assert "--deployed" in step["run"] and step.get("if") == "env.STACK != 'prod'"
