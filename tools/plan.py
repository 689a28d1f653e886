"""Print the offline resource plan of each stack: what `pulumi up` would create, per system and resource type, and
what the preflight policy pack (policy/) finds in it.

Runs the real program under the strict mocks, so it needs no AWS account and no Pulumi CLI:
    python -m tools.plan            # every stack
    python -m tools.plan dev prod   # some stacks
"""

from __future__ import annotations

import sys
from collections import Counter

from components.preflight import Violation
from tools.offline import Synthesis, stack_names, synthesize


def system_of(name: str, systems: list[str]) -> str:
    for system in systems:
        if name == system or name.startswith(f"{system}-"):
            return system
    return "shared"


def describe(result: Synthesis, violations: list[Violation]) -> str:
    systems = [r.name for r in result.mocks.of_type("awssystems:system:SystemComponent")]
    per_system = Counter(system_of(r.name, systems) for r in result.resources)
    per_type = Counter(r.type for r in result.resources)
    lines = [f"== {result.stack}: {len(result.resources)} resources, synthesized in {result.seconds:.1f} s"]
    lines += [f"   {system:<8} {count:>4}" for system, count in sorted(per_system.items())]
    lines.append("   most common types:")
    lines += [f"     {count:>4}  {typ}" for typ, count in per_type.most_common(8)]
    lines.append(f"   preflight: {len(violations)} violation{'' if len(violations) == 1 else 's'}")
    lines += [f"     {v}" for v in violations]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__.strip())
        return 0
    stacks = argv or stack_names()
    unknown = sorted(set(stacks) - set(stack_names()))
    if unknown:
        print(f"unknown stack {unknown[0]!r}; stacks: {', '.join(stack_names())}", file=sys.stderr)
        return 2
    clean = True
    for stack in stacks:
        print(f"synthesizing {stack} offline…", flush=True)
        result = synthesize(stack)
        violations = result.preflight()
        print(describe(result, violations), flush=True)
        clean = clean and not violations
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
