"""Benchmark: how long each stack takes to synthesize offline, and how many resources it declares.

    python -m bench.synthesis          # prints the table and rewrites its section of BENCHMARKS.md

Each stack is synthesized three times in one process after a warm-up; the median is reported. The first synthesis
also pays the one-off import of the Pulumi SDKs, which is reported separately.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

from bench import sections

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def measure() -> str:
    started = time.perf_counter()
    from tools.offline import stack_names, synthesize

    synthesize("dev")  # warm-up: imports pulumi, pulumi_aws and the components
    warm_up = time.perf_counter() - started
    rows = []
    for stack in stack_names():
        runs = [synthesize(stack) for _ in range(RUNS)]
        seconds = statistics.median(r.seconds for r in runs)
        count = len(runs[0].resources)
        rows.append(f"| {stack} | {count} | {seconds:.2f} | {1000 * seconds / count:.1f} |")
    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}, "
            f"median of {RUNS} runs. First synthesis in a fresh process (SDK imports included): {warm_up:.1f} s.",
            "",
            "| stack | resources | synthesis (s) | ms per resource |",
            "|---|---:|---:|---:|",
            *rows,
        ]
    )


def main() -> int:
    table = measure()
    print(table)
    sections.rewrite("synthesis", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
