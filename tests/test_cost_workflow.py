"""Pull requests get the monthly cost estimate of every affected stack, against the base branch's, as one comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "pull-request.yml"


def cost_job() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["cost"]


def runs(job: dict[str, Any]) -> list[str]:
    return [str(step.get("run", "")) for step in job["steps"]]


def test_the_cost_job_estimates_the_affected_stacks_offline_and_may_comment():
    job = cost_job()
    assert "stacks" in job["needs"] and "affected" in job["if"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "needs.stacks.outputs.affected" in job["env"]["STACKS"]
    assert not any("configure-aws-credentials" in str(step.get("uses", "")) for step in job["steps"]), "offline"


def test_the_branch_and_its_base_are_estimated_and_compared():
    head, base, comment = [r for r in runs(cost_job()) if "tools." in r]
    assert "tools.plan --json" in head and "head.json" in head
    assert "origin/${BASE_REF}" in base and "tools.plan --json" in base and "base.json" in base
    assert "tools.cost_diff .artifacts/cost/base.json .artifacts/cost/head.json" in comment


def test_one_comment_is_updated_on_each_push():
    [comment] = [r for r in runs(cost_job()) if "tools.cost_diff" in r]
    assert "--method PATCH" in comment and "--method POST" in comment and "startswith" in comment
    assert "GITHUB_STEP_SUMMARY" in comment
