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
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench import sections
from local.demo import Api, runtime_target
from local.runtime import throwaway_runtime
from local.workers import WorkerSettings

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32
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
    print(len(latencies) / wall, 1000 * latencies[max(0, int(len(latencies) * 0.99) - 1)])


def measure(workers: WorkerSettings | None, seconds: float) -> tuple[float, float]:
    with throwaway_runtime(("moving",), workers=workers, seeded=False) as runtime:
        api = Api(runtime_target(runtime), "moving")
        with api.as_("employees") as employee:
            for n in range(20):
                employee.post("/trucks", json={"plate": f"PAR-{n:03d}", "capacity_m3": 50, "home_city": "Lima"})
        with api.as_("customers") as customer:
            token = customer.headers["Authorization"].removeprefix("Bearer ")
        code = (f"from bench.parallel_writes import client_load; "
                f"client_load({api.url + '/moves'!r}, {token!r}, {seconds})")  # fmt: skip
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,  # noqa: S603
                                check=True)  # fmt: skip
        rps, p99 = result.stdout.split()
        return float(rps), float(p99)


def row(mode: str, runs: list[tuple[float, float]], base_rps: float) -> str:
    rps, p99 = [r for r, _ in runs], [p for _, p in runs]
    return (f"| functions {mode} | {statistics.median(rps):.1f} ({min(rps):.1f} – {max(rps):.1f}) req/s "
            f"| {statistics.median(p99):.0f} ({min(p99):.0f} – {max(p99):.0f}) ms "
            f"| {statistics.median(rps) / base_rps:.1f}x |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="load time per run (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs per mode, alternating (default 3)")
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    for run in range(args.runs):
        for mode, workers in MODES.items():
            print(f"POST /moves, functions {mode}, run {run + 1} of {args.runs}: {args.seconds:g} s…", flush=True)
            figures[mode].append(measure(workers, args.seconds))
    base_rps = statistics.median(rps for rps, _ in figures["in this process"])
    rows = [row(mode, runs, base_rps) for mode, runs in figures.items()]
    table = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}): "
        f"{args.runs} runs per mode, alternating, each {args.seconds:g} s of `POST /moves` from {CONNECTIONS} "
        "connections; median (lowest – highest).",
        "", "| moving company, `POST /moves` | throughput | p99 | against in-process (median) |",
        "|---|---:|---:|---:|", *rows,
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
