"""Benchmark: writes that cause events, through the local gateway, with functions in this process (one invocation at a
time) and in worker processes of their own (``--workers``), in the same run.

    python -m bench.parallel_writes [--seconds 20]   # prints the table and rewrites its section of BENCHMARKS.md

Each mode starts the moving company alone, with trucks, and sends ``POST /moves`` from 32 keep-alive connections (a
client in its own process) for a fixed time: throughput and p99 of the answers. Each move then flows through
EventBridge → SQS → fleet → moves and notifications, so the events' work shares the machine with the requests.
Goal (local runtime issue): with workers, at least 5x the in-process throughput, with p99 under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench import sections
from bench.processes import cpu_seconds, tree
from local.demo import Api, runtime_target
from local.runtime import LocalRuntime, throwaway_runtime
from local.workers import WorkerSettings

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32
EVENTS_SETTLE_SECONDS = 3
MODES = {"in this process": None, "worker processes": WorkerSettings(concurrency=8, queue_seconds=10)}


def client_load(url: str, token: str, seconds: float) -> None:
    """The load client (run in a subprocess): prints the moves registered per second and the p99 in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def connection(n: int) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            while time.perf_counter() < stop_at:
                body = {"origin": {"address": "A 1", "city": "Lima"}, "destination": {"address": "B 2", "city": "Ica"},
                        "move_date": (date.today() + timedelta(days=1 + n)).isoformat(), "volume_m3": 5}  # fmt: skip
                started = time.perf_counter()
                response = client.post(url, json=body)
                assert response.status_code == 201, response.text
                with lock:
                    latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(connection, range(CONNECTIONS)))
    wall = time.perf_counter() - started
    latencies.sort()
    print(len(latencies), wall, 1000 * latencies[max(0, int(len(latencies) * 0.99) - 1)])


@dataclass(frozen=True)
class Run:
    rps: float
    p99_ms: float
    cpu_ms_per_move: dict[str, float]
    """CPU time per move registered, by part: the runtime's process, local AWS, the functions' processes."""


def cpu_by_part(runtime: LocalRuntime) -> dict[str, float]:
    """CPU seconds used so far by the runtime's process, local AWS's, and the rest (the worker server and workers)."""
    used = cpu_seconds(tree(os.getpid()))
    aws = runtime.aws.process.pid if runtime.aws else -1
    parts = {"runtime": used.pop(os.getpid(), 0.0), "local AWS": used.pop(aws, 0.0)}
    return {**parts, "functions": sum(used.values())}


def measure(workers: WorkerSettings | None, seconds: float) -> Run:
    with throwaway_runtime(("moving",), workers=workers, seeded=False) as runtime:
        api = Api(runtime_target(runtime), "moving")
        with api.as_("employees") as employee:
            for n in range(20):
                employee.post("/trucks", json={"plate": f"PAR-{n:03d}", "capacity_m3": 50, "home_city": "Lima"})
        with api.as_("customers") as customer:
            token = customer.headers["Authorization"].removeprefix("Bearer ")
        code = (f"from bench.parallel_writes import client_load; "
                f"client_load({api.url + '/moves'!r}, {token!r}, {seconds})")  # fmt: skip
        before = cpu_by_part(runtime)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,  # noqa: S603
                                check=True)  # fmt: skip
        time.sleep(EVENTS_SETTLE_SECONDS)  # the events the last moves caused are handled too
        after = cpu_by_part(runtime)
        count, wall, p99 = (float(value) for value in result.stdout.split())
        cpu = {part: 1000 * (after[part] - before[part]) / count for part in after}
        return Run(count / wall, p99, cpu)


def row(mode: str, runs: list[Run], base_rps: float) -> str:
    rps, p99 = [r.rps for r in runs], [r.p99_ms for r in runs]
    cpu = {part: statistics.median(r.cpu_ms_per_move[part] for r in runs) for part in runs[0].cpu_ms_per_move}
    total = sum(cpu.values())
    split = " + ".join(f"{ms:.1f}" for ms in cpu.values())
    return (f"| functions {mode} | {statistics.median(rps):.1f} ({min(rps):.1f} – {max(rps):.1f}) req/s "
            f"| {statistics.median(p99):.0f} ({min(p99):.0f} – {max(p99):.0f}) ms "
            f"| {statistics.median(rps) / base_rps:.1f}x | {total:.1f} ms ({split}) "
            f"| {1000 * (os.cpu_count() or 1) / total:.0f} moves/s |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="load time per run (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs per mode, alternating (default 3)")
    args = parser.parse_args()
    figures: dict[str, list[Run]] = {mode: [] for mode in MODES}
    for run in range(args.runs):
        for mode, workers in MODES.items():
            print(f"POST /moves, functions {mode}, run {run + 1} of {args.runs}: {args.seconds:g} s…", flush=True)
            figures[mode].append(measure(workers, args.seconds))
    base_rps = statistics.median(r.rps for r in figures["in this process"])
    rows = [row(mode, runs, base_rps) for mode, runs in figures.items()]
    table = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}): "
        f"{args.runs} runs per mode, alternating, each {args.seconds:g} s of `POST /moves` from {CONNECTIONS} "
        "connections; median (lowest – highest). CPU per move: every process of the runtime (the gateway's and the "
        "pollers' process + local AWS + the functions), over the requests and all the events they cause; the "
        "ceiling is what the machine's CPUs could register at that cost (the load client's own CPU not counted).",
        "", "| moving company, `POST /moves` | throughput | p99 | against in-process (median) "
        "| CPU per move (runtime + local AWS + functions) | ceiling |",
        "|---|---:|---:|---:|---:|---:|", *rows,
    ])  # fmt: skip
    print(table)
    sections.rewrite(
        "parallel-writes",
        table,
        heading="Local runtime: writes that cause events, in-process and in worker processes",
        intro="`python -m bench.parallel_writes`. Goal: with workers, ≥ 5x the in-process throughput and p99 < 2 s.",
    )


if __name__ == "__main__":
    main()
