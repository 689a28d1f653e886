"""Print the offline resource plan of each stack: what `pulumi up` would create, per system and resource type.

Runs the real program under the strict mocks, so it needs no AWS account and no Pulumi CLI:
    python -m tools.plan            # every stack
    python -m tools.plan dev prod   # some stacks
"""

from __future__ import annotations

import sys
from collections import Counter

from tools.offline import Synthesis, stack_names, synthesize


def system_of(name: str, systems: list[str]) -> str:
    for system in systems:
        if name == system or name.startswith(f"{system}-"):
            return system
    return "shared"


def describe(result: Synthesis) -> str:
    systems = [r.name for r in result.mocks.of_type("awssystems:system:SystemComponent")]
    per_system = Counter(system_of(r.name, systems) for r in result.resources)
    per_type = Counter(r.type for r in result.resources)
    lines = [f"== {result.stack}: {len(result.resources)} resources, synthesized in {result.seconds:.1f} s"]
    lines += [f"   {system:<8} {count:>4}" for system, count in sorted(per_system.items())]
    lines.append("   most common types:")
    lines += [f"     {count:>4}  {typ}" for typ, count in per_type.most_common(8)]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    stacks = argv or stack_names()
    unknown = sorted(set(stacks) - set(stack_names()))
    if unknown:
        print(f"unknown stack {unknown[0]!r}; stacks: {', '.join(stack_names())}", file=sys.stderr)
        return 2
    for stack in stacks:
        print(f"synthesizing {stack} offline…", flush=True)
        print(describe(synthesize(stack)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
