"""Benchmark: the local runtime's start time, event latency and gateway throughput.

    python -m bench.local_runtime     # prints the table and rewrites its section of BENCHMARKS.md

- start to ready: ``LocalRuntime.start()`` for all three systems (moto, provisioning, migrations, gateways);
- event latency: from ``POST /moves`` answering until ``GET /moves/{id}`` shows the truck that fleet assigned through
  EventBridge → SQS → consumer (median of several moves);
- throughput and p99 of an authenticated, database-backed ``GET /moves/{id}`` through the gateway (the real Lambda
  authorizer verifying an RS256 token, its answer then cached per token and route as API Gateway caches it, and the
  handler reading SQLite), as a ratio against a bare ASGI hello-world served by uvicorn on 127.0.0.1, with the same
  client (8 threads, in its own process). Runs alternate, hello-world then gateway, and each run's ratio is against
  the hello-world run just before it; the median ratio is reported, as other work on the machine makes single runs
  noisy;
- with workers, the first response of a cold function: the same GET once every worker has been stopped (the API
  function starts cold), against the next one (warm); median of several.

Each is measured three times, after a warm-up run: with the functions in the runtime's process, in worker processes
of their own (the default), and in workers without the local console (``--no-console``: no trail recording each
request and event), which shows what the console costs the gateway.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import sections
from local.cognito import sign_in
from local.runtime import LocalRuntime, Options, free_base_port
from local.workers import WorkerSettings

ROOT = Path(__file__).resolve().parent.parent
CLIENT_THREADS = 8
REQUESTS = 3000
RUNS = 9
COLD_STARTS = 5
MODES: dict[str, dict[str, Any]] = {
    "in this process": {"workers": None},
    "in worker processes": {"workers": WorkerSettings()},
    "in worker processes, no console": {"workers": WorkerSettings(), "console": False},
}
"""The runtime's options in each mode: the console (on by default) records every request in its trail."""


async def hello(scope, receive, send):  # the baseline: the smallest ASGI app uvicorn can serve
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"hello": "world"}'})


def serve_baseline(port: int):
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(hello, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server


def load_once(url: str, headers: dict[str, str]) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of one run, measured by a client in its own process (so it does not
    share the server's interpreter lock), with CLIENT_THREADS keep-alive connections."""
    code = f"from bench.local_runtime import client_load; client_load({url!r}, {headers!r})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)  # noqa: S603
    rps, p99 = result.stdout.split()
    return float(rps), float(p99)


def against_baseline(url: str, headers: dict[str, str], baseline: str) -> tuple[float, float, float, float]:
    """After a warm-up run, RUNS alternating runs of the hello-world then ``url``: the medians of ``url``'s
    throughput, its p99, each run's ratio to the hello-world run before it, and the hello-world's throughput."""
    load_once(url, headers)
    runs = []
    for _ in range(RUNS):
        base_rps, _ = load_once(baseline, {})
        rps, p99 = load_once(url, headers)
        runs.append((rps, p99, rps / base_rps, base_rps))
    return tuple(statistics.median(run[n] for run in runs) for n in range(4))  # type: ignore[return-value]


def first_responses(runtime: LocalRuntime, client: httpx.Client, path: str) -> tuple[float, float]:
    """With workers: the median time (ms) of ``path``'s first response once every worker is stopped (cold), and of
    the response right after it (warm)."""
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(COLD_STARTS):
        for running in runtime.systems.values():
            for functions in running.functions.values():
                functions.reap(idle_seconds=-1)
        for times in (cold, warm):
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append(1000 * (time.perf_counter() - started))
    return statistics.median(cold), statistics.median(warm)


def client_load(url: str, headers: dict[str, str]) -> None:
    """The load client (run in a subprocess): prints requests per second and p99 in ms."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(count: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as client:
            for _ in range(count):
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.text
                with lock:
                    latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        list(pool.map(worker, [REQUESTS // CLIENT_THREADS] * CLIENT_THREADS))
    wall = time.perf_counter() - started
    latencies.sort()
    print(len(latencies) / wall, 1000 * latencies[int(len(latencies) * 0.99) - 1])


@dataclass(frozen=True)
class Figures:
    ready: float
    event_latency: float
    rps: float
    p99: float
    ratio: float
    """The median of each run's throughput against the hello-world run before it."""
    cold_ms: float | None
    warm_ms: float | None


def measure_mode(mode: dict[str, Any], baseline: str) -> tuple[Figures, float]:
    """All three systems started with ``mode``'s options (see :data:`MODES`); the figures, and the hello-world's median
    throughput in the same runs."""
    with tempfile.TemporaryDirectory() as state:
        options = Options(state_dir=Path(state), base_port=free_base_port(), **mode)
        runtime = LocalRuntime(options, say=lambda line: None)
        started = time.perf_counter()
        runtime.start()
        ready = time.perf_counter() - started
        try:
            moving = runtime.systems["moving"]
            tokens = {}
            for group in ("customers", "employees"):
                user = next(u for u in moving.users if group in u.groups)
                tokens[group] = sign_in(runtime._session(), moving.auth, user.email, user.password)["IdToken"]
            customer = httpx.Client(base_url=moving.api_url, headers={"Authorization": f"Bearer {tokens['customers']}"})
            employee = httpx.Client(base_url=moving.api_url, headers={"Authorization": f"Bearer {tokens['employees']}"})
            for n in range(10):
                employee.post("/trucks", json={"plate": f"BEN-{n:03d}", "capacity_m3": 50, "home_city": "Lima"})
            latencies, move_id = [], ""
            for n in range(7):
                body = {"origin": {"address": "A 1", "city": "Lima"}, "destination": {"address": "B 2", "city": "Ica"},
                        "move_date": (date.today() + timedelta(days=n + 1)).isoformat(), "volume_m3": 5}  # fmt: skip
                move_id = customer.post("/moves", json=body).json()["id"]
                posted = time.perf_counter()
                while customer.get(f"/moves/{move_id}").json()["status"] != "TRUCK_ASSIGNED":
                    time.sleep(0.01)
                latencies.append(time.perf_counter() - posted)
            cold = first_responses(runtime, customer, f"/moves/{move_id}") if mode["workers"] else (None, None)
            headers = {"Authorization": f"Bearer {tokens['customers']}"}
            rps, p99, ratio, base_rps = against_baseline(f"{moving.api_url}/moves/{move_id}", headers, baseline)
        finally:
            runtime.stop()
    return Figures(ready, statistics.median(latencies), rps, p99, ratio, *cold), base_rps


def measure() -> str:
    baseline = serve_baseline(18799)
    try:
        measured = {label: measure_mode(mode, "http://127.0.0.1:18799/") for label, mode in MODES.items()}
    finally:
        baseline.should_exit = True
    modes = {mode: figures for mode, (figures, _) in measured.items()}

    def row(label: str, shown: Callable[[Figures], str]) -> str:
        return f"| {label} | " + " | ".join(shown(figures) for figures in modes.values()) + " |"

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f} ms"

    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}); "
            f"throughput and p99 are medians of {RUNS} runs of {REQUESTS} requests from {CLIENT_THREADS} client "
            "threads, each after a hello-world run whose throughput it is divided by; every mode in the same run.",
            "",
            "| measure | " + " | ".join(f"functions {mode}" for mode in modes) + " |",
            "|---|" + "---:|" * len(modes),
            row("start to ready (3 systems)", lambda f: f"{f.ready:.1f} s"),
            row("MoveRegistered → TruckAssigned visible (median of 7)", lambda f: f"{1000 * f.event_latency:.0f} ms"),
            row(
                f"first response of a cold function / the next, warm (median of {COLD_STARTS})",
                lambda f: f"{ms(f.cold_ms)} / {ms(f.warm_ms)}",
            ),  # fmt: skip
            row("authenticated DB-backed GET: throughput", lambda f: f"{f.rps:.0f} req/s"),
            row(
                "bare ASGI hello-world: throughput (same runs)",
                lambda f: f"{next(b for fig, b in measured.values() if fig is f):.0f} req/s",
            ),  # fmt: skip
            row("**throughput ratio (goal ≥ 0.7x)**", lambda f: f"**{f.ratio:.2f}x**"),
            row("p99 of the authenticated GET", lambda f: f"{f.p99:.1f} ms"),
        ]
    )


def main() -> int:
    table = measure()
    print(table)
    sections.rewrite(
        "local-runtime",
        table,
        heading="Local runtime",
        intro="Start time, event latency, and the gateway's throughput and p99 on an authenticated, database-backed "
        "GET against a bare ASGI hello-world served the same way (goal ≥ 0.7x in every mode, the console on).\n\n"
        "Reproduce: `.venv/bin/python -m bench.local_runtime`.",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
