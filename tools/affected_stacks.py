"""Which stacks a change can affect, for `pulumi preview` in pull requests.

    python -m tools.affected_stacks <base-ref>   # prints a JSON list, e.g. ["dev"] or ["dev", "prod", "qa", "stage"]

A change to ``Pulumi.<stack>.yaml`` affects that stack; a change to anything the program is built from (code, the
project file, dependencies) affects every stack; documentation, tests, benchmarks and the CI files affect none.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK_FILE = re.compile(r"^Pulumi\.([a-z0-9-]+)\.yaml$")
NO_EFFECT = (re.compile(r"\.md$"), re.compile(r"^(tests|bench|\.github|\.ci)/"), re.compile(r"^package(-lock)?\.json$"))


def affected(changed: Iterable[str], stacks: list[str]) -> list[str]:
    chosen: set[str] = set()
    for path in changed:
        match = STACK_FILE.match(path)
        if match:
            chosen.add(match[1])
        elif not any(rule.search(path) for rule in NO_EFFECT):
            return sorted(stacks)
    return sorted(chosen & set(stacks))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tools.affected_stacks <base-ref>", file=sys.stderr)
        return 2
    diff = subprocess.run(  # noqa: S603 - git with a ref from the workflow
        ["git", "diff", "--name-only", f"{argv[0]}...HEAD"],  # noqa: S607 - git from the runner's PATH
        capture_output=True,
        text=True,
        check=True,  # noqa: S607
    )
    stacks = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))  # no Pulumi import: runs before setup
    print(json.dumps(affected(diff.stdout.split(), stacks)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
