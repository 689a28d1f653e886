"""Benchmark: each handler's cold-start import time, as a ratio against a bare Powertools HTTP handler importing boto3.

    python -m bench.cold_start [system ...]   # prints the table and rewrites its section of BENCHMARKS.md

Each module is imported in a fresh interpreter (as a Lambda cold start does), several times; the median of the
import time is reported. The baseline is measured in the same run, interleaved, so machine load affects both.
Goal (moving company issue): every handler ≤ 1.3x the baseline.
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path

from architectures import SYSTEMS, spec
from bench import sections

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
BASELINE = "bench.baseline_handler"
PROBE = "import time, importlib; t = time.perf_counter(); importlib.import_module({!r}); print(time.perf_counter() - t)"


def import_seconds(module: str) -> float:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-c", PROBE.format(module)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return float(result.stdout.strip())


def handler_modules(systems: list[str]) -> list[tuple[str, str]]:
    """(label, module) of every declared handler whose module exists, once each."""
    found: dict[str, str] = {}
    for name in systems:
        system = SYSTEMS[name]
        for service in system.services:
            handlers = [s.handler for s in service.subscriptions] + [s.handler for s in service.schedules]
            if service.routes:
                handlers.append(service.api_handler)
            if isinstance(system.authorizer, spec.LambdaAuthorizer) and system.authorizer.service == service.name:
                handlers.append(system.authorizer.handler)
            for handler in handlers:
                module = spec.handler_module(system, service, handler).rpartition(".")[0]
                if importlib.util.find_spec(module) is not None:
                    found.setdefault(module, f"{system.name}/{service.name}")
    return [(label, module) for module, label in found.items()]


def measure(systems: list[str]) -> str:
    modules = handler_modules(systems)
    samples: dict[str, list[float]] = {m: [] for _, m in modules}
    baseline: list[float] = []
    for _ in range(RUNS):  # interleaved, so drift in machine load hits every module alike
        baseline.append(import_seconds(BASELINE))
        for _, module in modules:
            samples[module].append(import_seconds(module))
    base = statistics.median(baseline)
    rows = [
        f"| {label} | `{module}` | {1000 * statistics.median(samples[module]):.0f} | "
        f"{statistics.median(samples[module]) / base:.2f}x |"
        for label, module in modules
    ]
    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')}, median of {RUNS} fresh interpreters per module. "
            f"Baseline `{BASELINE}` (Powertools HTTP resolver + boto3): {1000 * base:.0f} ms.",
            "",
            "| service | handler module | import (ms) | vs baseline |",
            "|---|---|---:|---:|",
            *rows,
        ]
    )


def main(argv: list[str]) -> int:
    systems = argv or sorted(SYSTEMS)
    table = measure(systems)
    print(table)
    sections.rewrite("cold-start", table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
