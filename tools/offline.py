"""Run the Pulumi program offline, under the strict recording mocks, for any stack file.

Used by the stack tests, by `make plan` (the offline resource plan) and by the synthesis benchmark.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from aws_systems.preflight import RULES, Violation, evaluate
from aws_systems.preflight.model import UNKNOWN, Resource
from tests import harness

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "aws-systems"
AUTO_NAMED = {"name", "bucket"}


EPHEMERAL = "-ct-"  # the cloud test's throwaway copies (tools/cloud_test.py), whose files exist while it runs


def stack_names() -> list[str]:
    """Every stack with a ``Pulumi.<stack>.yaml`` file, in a stable order, without the cloud test's copies."""
    return sorted(n for p in ROOT.glob("Pulumi.*.yaml") if EPHEMERAL not in (n := p.name.split(".")[1]))


def stack_config(stack: str) -> dict[str, str]:
    """The flat ``{"project:key": value}`` config Pulumi would give the program (objects as JSON strings)."""
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text()) or {}
    return {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in data.get("config", {}).items()
    }


@dataclass
class Synthesis:
    stack: str
    mocks: harness.RecordingMocks
    seconds: float
    config: dict[str, Any] | None = None
    """The stack config the program ran with; the preflight runs with it too (the cost-budget and lambda-concurrency
    rules read it)."""

    @property
    def resources(self) -> list[harness.Recorded]:
        return self.mocks.resources

    def preflight(self) -> list[Violation]:
        """Every violation of the preflight policy pack, run as the engine runs it on this stack: resource rules see
        the inputs of a first preview (what other resources will assign is unknown), stack rules the outputs."""
        assigned = {r.id for r in self.resources}
        for r in self.resources:
            # Auto-names are made in the preview already; ids, ARNs and endpoints only when AWS creates the resource.
            assigned |= {
                v for k, v in r.outputs.items() if isinstance(v, str) and k not in r.inputs and k not in AUTO_NAMED
            }
        inputs, outputs = [], []
        for r in self.resources:
            inputs.append(Resource(r.type, r.name, r.urn, _unknown_where(r.inputs, assigned), r.parent))
            outputs.append(Resource(r.type, r.name, r.urn, {"id": r.id, **r.outputs}, r.parent, r.dependencies))
        if self.config is not None:
            pulumi.runtime.set_all_config(self.config)  # another stack may have been synthesized since
        return evaluate(RULES, inputs, outputs)


def _unknown_where(value: Any, assigned: set[str]) -> Any:
    """``value`` with every string that another resource assigns (an id, an ARN) replaced by UNKNOWN."""
    if isinstance(value, str):
        return UNKNOWN if value in assigned else value
    if isinstance(value, dict):
        return {k: _unknown_where(v, assigned) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown_where(v, assigned) for v in value]
    return value


def synthesize(stack: str, config: dict[str, Any] | None = None, build_dir: Path | None = None) -> Synthesis:
    """Run the whole program for ``stack`` (or an explicit config) and return every resource it declared."""
    from program.main import run  # imported late: the mocks must be installed first

    mocks = harness.install(project=PROJECT, stack=stack, preview=True)
    config = config if config is not None else stack_config(stack)
    pulumi.runtime.set_all_config(config)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        harness.run(lambda: run(build_layer=False, build_dir=build_dir or Path(tmp)))
    return Synthesis(stack, mocks, time.perf_counter() - started, config)
